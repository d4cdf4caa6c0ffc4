/// A connection netaudit could not make because of its own machine, not the target: out of
/// file descriptors (EMFILE, ENFILE: `ulimit -n`, systemd's `LimitNOFILE`), or of socket
/// buffers, memory or local ports (ENOBUFS, ENOMEM, EADDRNOTAVAIL, EAGAIN on connect). It
/// says nothing about the target: the policy judges nothing from an observation that has
/// one, and a run with such checks is not complete.
public struct LocalFailure: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable {
        /// EMFILE or ENFILE: the process's or the system's open-file limit.
        case outOfDescriptors = "out_of_descriptors"
        /// ENOBUFS, ENOMEM, EADDRNOTAVAIL, EAGAIN: socket buffers, memory, local ports.
        case outOfResources = "out_of_resources"
    }

    public var reason: Reason
    /// The failed call and the system's text, e.g. `socket(): Too many open files (EMFILE)`.
    public var message: String
    /// Connections of the check that could not be made.
    public var count: Int

    public init(reason: Reason, message: String, count: Int = 1) {
        self.reason = reason
        self.message = message
        self.count = count
    }

    /// `out of file descriptors` or `out of local resources`.
    public var summary: String {
        switch reason {
        case .outOfDescriptors: return "out of file descriptors"
        case .outOfResources: return "out of local resources"
        }
    }

    /// Both failures as one: the more specific reason (descriptors), the counts added.
    public func merged(with other: LocalFailure?) -> LocalFailure {
        guard let other else { return self }
        let reason: Reason = reason == .outOfDescriptors || other.reason == .outOfDescriptors ? .outOfDescriptors : .outOfResources
        let message = self.reason == reason ? self.message : other.message
        return LocalFailure(reason: reason, message: message, count: count + other.count)
    }
}
