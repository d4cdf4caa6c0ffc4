internal import CNetauditShims

/// CLOCK_MONOTONIC, the clock systemd compares `MONOTONIC_USEC=` with. Swift's
/// `ContinuousClock` is CLOCK_BOOTTIME on Linux, which differs after a suspend.
public enum MonotonicClock {
    /// Microseconds since an unspecified start (clock_gettime(CLOCK_MONOTONIC)).
    public static var microseconds: UInt64 { UInt64(na_monotonic_usec()) }
}
