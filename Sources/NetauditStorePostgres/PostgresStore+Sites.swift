import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

// Sites: one auditor (one host) writes each site. Two auditors of one site at once is a
// configuration error, reported to the second one, not a race between them.
//
// How: every writing store holds, on its connection, a *shared* session-level advisory
// lock keyed by its site (released by PostgreSQL when the connection ends, so a writer that
// died holds nothing), and `site_writers` names the host that writes the site. A store of
// another host claiming the site while any connection still holds that lock is refused,
// naming the writer; one of the same host (the daemon and an `audit` run on one machine,
// as with one SQLite file) shares it. A claim is serialized by a transaction-level lock.
extension PostgresStore {
    /// The advisory lock keys of `site`: ("na", FNV-1a of the site's UTF-8, 31 bits).
    static func siteLockKeys(_ site: String) -> (Int32, Int32) {
        var hash: UInt32 = 2_166_136_261
        for byte in site.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return (0x6E61, Int32(bitPattern: hash & 0x7FFF_FFFF))
    }

    /// Claims `site` on `connection`, in the caller's transaction, once per connection (again after a reconnection,
    /// which released the lock).
    func claim(site: String, _ connection: PostgresConnection) async throws {
        let id = ObjectIdentifier(connection)
        if caches.withLock({ $0.claimed[site] }) == id { return }
        try await Self.claim(site: site, writer: writer, connection, logger: logger, location: location)
        caches.withLock { $0.claimed[site] = id }
    }

    static func claim(site: String, writer: ProcessIdentity, _ connection: PostgresConnection, logger: Logger,
                      location: String) async throws {
        let (class_, key) = siteLockKeys(site)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(class_ + 1), \(key))", logger: logger)
            let holder = try await rows("SELECT host, pid, since FROM site_writers WHERE site = \(site)", connection, logger: logger).first
            let holderHost = try holder?["host"].decode(String.self)
            if let holder, let holderHost, holderHost != writer.host {
                let alive = try await rows("""
                    SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = \(Int64(class_))
                    AND objid::bigint = \(Int64(key)) AND objsubid = 2 AND granted AND pid <> pg_backend_pid()
                    """, connection, logger: logger).first.map { try $0["n"].decode(Int.self) } ?? 0
                if alive > 0 {
                    let pid = try holder["pid"].decode(Int.self)
                    let since = try holder["since"].decode(Date.self)
                    throw StoreError(.locked, path: location, message: """
                        site \(site) is already written by another auditor: netaudit on host \(holderHost), pid \(pid), \
                        since \(ISO8601DateFormatter().string(from: since)). Two auditors of one site at once is a configuration error: \
                        give each its own site (site: in the daemon configuration, --site for audit), or stop the other one
                        """)
                }
            }
            if holderHost != writer.host {
                try await connection.query("""
                    INSERT INTO site_writers (site, host, pid, boot_id, netaudit_version, since)
                    VALUES (\(site), \(writer.host), \(Int(writer.pid)), \(writer.bootID), \(Schema.netauditVersion), now())
                    ON CONFLICT (site) DO UPDATE SET host = excluded.host, pid = excluded.pid, boot_id = excluded.boot_id,
                        netaudit_version = excluded.netaudit_version, since = excluded.since
                    """, logger: logger)
            }
            try await connection.query("SELECT pg_advisory_lock_shared(\(class_), \(key))", logger: logger)
        }
    }
}
