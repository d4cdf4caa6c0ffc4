import Synchronization

/// The process-wide keys behind ``LabKeySource/shared``: one per ``LabKeyKind``, generated
/// on first use and kept for the life of the process.
///
/// The cache keeps PEM text (a Sendable value), not the `EVP_PKEY`, so that no OpenSSL handle
/// crosses threads: each use parses its own handle, which takes about a millisecond
/// against 60–300 ms to generate an RSA-2048 key. Generation happens outside the lock, so
/// two kinds can be generated at once; if two threads race on one kind, the first key stored
/// wins and both threads use it, so every `.shared` certificate of a kind has the same key.
enum LabKeyCache {
    private static let keys = Mutex<[LabKeyKind: String]>([:])

    /// A key for a certificate whose spec asks for `kind` from `source`.
    static func key(_ kind: LabKeyKind, from source: LabKeySource) throws(LabPKIError) -> LabKeyHandle {
        switch source {
        case .fresh:
            return try LabKeyHandle.generate(kind)
        case .shared:
            if let pem = keys.withLock({ $0[kind] }) { return try LabKeyHandle(pem: pem) }
            let generated = try LabKeyHandle.generate(kind)
            let pem = try generated.pem()
            let winner = keys.withLock { keys in
                if let stored = keys[kind] { return stored }
                keys[kind] = pem
                return pem
            }
            return winner == pem ? generated : try LabKeyHandle(pem: winner)
        }
    }
}
