import Foundation
import NetauditTestSupport
import Testing

/// The test harness itself: a real PostgreSQL on loopback, a fresh database per test.
@Suite(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct PostgresServerTests {
    @Test func theSharedServerListensOnLoopbackAndGivesEachTestItsOwnDatabase() throws {
        let server = try PostgresServer.shared()
        let first = try server.createDatabase()
        let second = try server.createDatabase()
        #expect(first != second)
        #expect(first.hasPrefix("postgresql://netaudit@127.0.0.1:\(server.port)/t_"))
        try server.sql("SELECT 1")
        #expect(try PostgresServer.shared() === server)
    }
}
