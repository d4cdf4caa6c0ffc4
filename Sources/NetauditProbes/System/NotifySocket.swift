internal import CNetauditShims

/// The sending end of an AF_UNIX datagram socket, as systemd's notification protocol
/// (sd_notify(3)) uses it. The daemon builds the messages; the struct sockaddr_un stays in
/// C (`na_notify_send`), so that no module outside the probes sees it.
public enum NotifySocket {
    /// Sends `message` (e.g. "READY=1\nSTATUS=…") as one datagram to the socket at `path`
    /// ('@' first: the abstract namespace). Returns the errno value when the socket refused
    /// it (no such socket, path too long), nil when it was sent.
    public static func send(_ message: String, to path: String) -> Int32? {
        let code = na_notify_send(path, message)
        return code == 0 ? nil : code
    }
}
