// systemd's notification protocol (sd_notify(3)) without linking libsystemd: one datagram
// to the AF_UNIX socket named by $NOTIFY_SOCKET. The struct sockaddr_un (and the abstract
// namespace, a path starting with '@') stay in C; Swift passes two strings. NetauditProbes
// wraps the sender, the clock and the signal mask (NotifySocket, MonotonicClock,
// StopSignals) for the daemon and the CLI; the listener is the lab's (LabNotifySocket).
#ifndef NA_NOTIFY_H
#define NA_NOTIFY_H

/// Sends `state` (e.g. "READY=1\nSTATUS=…") as one datagram to the socket at `path`
/// ('@' first: the abstract namespace). Returns 0, or an errno value.
int na_notify_send(const char *path, const char *state);
/// Sends `count` bytes (binary: journald's native protocol carries 64-bit lengths with
/// NUL bytes in them) as one datagram to the AF_UNIX socket at `path`. Returns 0, or an
/// errno value (EMSGSIZE for a message too large for one datagram).
int na_datagram_send(const char *path, const unsigned char *data, unsigned long count);
/// The receiving end, for the lab and the tests (what systemd does): an AF_UNIX datagram
/// socket bound at `path` (replacing a stale file). Returns the descriptor, or -errno.
int na_notify_listen(const char *path);
/// CLOCK_MONOTONIC in microseconds, for MONOTONIC_USEC= beside RELOADING=1 (Swift's
/// ContinuousClock is CLOCK_BOOTTIME on Linux, which is not what systemd compares with).
unsigned long long na_monotonic_usec(void);
/// Unblocks SIGINT, SIGTERM and SIGHUP in the calling thread: a parent may have started the
/// process with them blocked, and a daemon that cannot hear SIGTERM cannot stop cleanly.
int na_unblock_stop_signals(void);
#endif
