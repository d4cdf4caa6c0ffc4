internal import CNetauditShims

/// The signals that stop or reload netaudit: SIGINT, SIGTERM and SIGHUP.
public enum StopSignals {
    /// Unblocks SIGINT, SIGTERM and SIGHUP for the calling thread (pthread_sigmask(3)); call
    /// it first thing on the main thread: a parent may have started netaudit with them
    /// blocked (Foundation's `Process` passes its thread's mask on).
    public static func unblock() { _ = na_unblock_stop_signals() }
}
