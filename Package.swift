// swift-tools-version:6.0
// netaudit: connectivity and security-compliance auditor for a province's
// e-government network. The targets follow the data flow of DESIGN.md:
//
//   NetauditCore        the model: inventory, agencies, links, endpoints, addresses (no C)
//   NetauditInventory   YAML loading, validation, includes, GSO import, statistics
//   NetauditProbes      link and TLS probes, and the OS primitives the others need
//                       (JoinableThread, NotifySocket, MonotonicClock, StopSignals)
//   NetauditPolicy      compliance rules: pure functions from observations to findings;
//                       profiles are versioned data files (Profiles/)
//   NetauditReports     renderers: one per report and format (table, JSON, …)
//   NetauditLab         the loopback lab: a private PKI and TLS/HTTP servers with the
//                       behaviours of each test case (tests, the demo, `netaudit lab`)
//   NetauditDaemon      `netaudit daemon`: schedules, systemd notify and logging, alerts and
//                       the webhook, HTTP status and Prometheus metrics (Hummingbird)
//   NetauditCLI         the `netaudit` subcommands, kept thin
//   CCurl, COpenSSL     system libraries from Debian's -dev packages
//   CNetauditShims      typed C shims for variadic functions and macros Swift cannot call
//   CXlsxWriter         libxlsxwriter (Debian's libxlsxwriter-dev): .xlsx files
//   NetauditXLSX        a typed Swift wrapper of it (workbook, sheets, formats, cells)
//
//   NetauditStore       the results store as its callers see it: async protocols (a writer
//                       for runs, a reader for reports and the daemon, history, upkeep),
//                       StoreError with codes, and history's pure parts (intervals, roll-ups)
//   NetauditStoreSQLite the SQLite backend through GRDB (WAL, migrations, compact sweeps)
//   NetauditStorePostgres the PostgreSQL backend through postgres-nio (the central store
//                       several auditors share)
//   NetauditStores      opens the backend a location names (a path, or a postgresql:// URL)
//   NetauditAudit       one audit run: set-up, plan, probe, evaluate, store (the CLI's and
//                       the daemon's)
//   NetauditHistory     reads the store for the reports: a run with what it is compared
//                       with, and a period's history
//
// Who imports C (CCurl, COpenSSL, CNetauditShims, CXlsxWriter, or Glibc for pointers and pthreads):
//   NetauditProbes      the network (sockets, libcurl), TLS and certificates (OpenSSL), and
//                       the OS primitives: threads, the sd_notify datagram, the monotonic
//                       clock, the signal mask; it hands the rest plain Swift values
//   NetauditStore       the SHA-256 of the inventory (OpenSSL), zlib for what the store keeps
//   NetauditLab         the one deliberate exception: test support whose job is to make
//                       certificates and serve TLS with OpenSSL, as no Swift API does
//   NetauditXLSX        libxlsxwriter (CXlsxWriter); it hands NetauditReports typed cells
//                       and Swift errors, never a pointer
// No other module imports a C module or sees an unsafe pointer.
import PackageDescription

let package = Package(
    name: "netaudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "netaudit", targets: ["netaudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already in the graph through postgres-nio; named because the PostgreSQL backend
        // builds its TLS settings (sslmode, sslrootcert) with it.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C: system libraries and shims.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "CNetauditShims",
            dependencies: ["CCurl", "COpenSSL"],
            path: "Sources/CNetauditShims",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .systemLibrary(
            name: "CXlsxWriter",
            path: "Sources/CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(name: "NetauditXLSX", dependencies: ["CXlsxWriter"]),

        // Swift: one module per stage of the flow.
        .target(name: "NetauditCore"),
        .target(
            name: "NetauditInventory",
            dependencies: [
                "NetauditCore",
                "NetauditPolicy",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "NetauditPolicy",
            dependencies: ["NetauditCore"],
            resources: [.copy("Profiles")]
        ),
        .target(
            name: "NetauditStore",
            dependencies: ["NetauditCore", "NetauditPolicy", "CNetauditShims"]
        ),
        .target(
            name: "NetauditStoreSQLite",
            dependencies: [
                "NetauditCore",
                "NetauditPolicy",
                "NetauditStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "NetauditStorePostgres",
            dependencies: [
                "NetauditCore",
                "NetauditPolicy",
                "NetauditStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "NetauditStores",
            dependencies: ["NetauditStore", "NetauditStoreSQLite", "NetauditStorePostgres"]
        ),
        .target(
            name: "NetauditAudit",
            dependencies: ["NetauditCore", "NetauditInventory", "NetauditProbes", "NetauditPolicy", "NetauditStore"]
        ),
        .target(
            name: "NetauditReports",
            dependencies: ["NetauditCore", "NetauditInventory", "NetauditPolicy", "NetauditXLSX"]
        ),
        .target(
            name: "NetauditHistory",
            dependencies: ["NetauditCore", "NetauditStore", "NetauditReports"]
        ),
        .target(
            name: "NetauditProbes",
            dependencies: ["NetauditCore", "CNetauditShims"]
        ),
        .target(
            name: "NetauditLab",
            dependencies: ["NetauditCore", "NetauditInventory", "NetauditProbes", "CNetauditShims"]
        ),
        .target(
            name: "NetauditDaemon",
            dependencies: [
                "NetauditCore",
                "NetauditInventory",
                "NetauditProbes",
                "NetauditPolicy",
                "NetauditStore",
                "NetauditStores",
                "NetauditAudit",
                "NetauditReports",
                "NetauditHistory",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTPS for http.tls (swift-nio-ssl, already in the graph).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "NetauditCLI",
            dependencies: [
                "NetauditCore",
                "NetauditInventory",
                "NetauditProbes",
                "NetauditPolicy",
                "NetauditStore",
                "NetauditStores",
                "NetauditAudit",
                "NetauditReports",
                "NetauditHistory",
                "NetauditLab",
                "NetauditDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "netaudit",
            dependencies: ["NetauditCLI"]
        ),

        // Tests mirror the source tree. NetauditTestSupport holds what two test targets
        // share: the invalid inventory fixtures' expected messages, and a real PostgreSQL server
        // started in a temporary folder on loopback (no dependencies).
        .target(name: "NetauditTestSupport", path: "Tests/NetauditTestSupport"),
        .testTarget(name: "NetauditCoreTests", dependencies: ["NetauditCore"]),
        .testTarget(
            name: "NetauditInventoryTests",
            dependencies: ["NetauditInventory", "NetauditCore", "NetauditTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "NetauditProbesTests", dependencies: ["NetauditProbes", "NetauditLab", "NetauditCore", "NetauditPolicy"]),
        .testTarget(name: "NetauditLabTests", dependencies: ["NetauditLab", "NetauditCore", "NetauditInventory"]),
        .testTarget(name: "NetauditPolicyTests", dependencies: ["NetauditPolicy", "NetauditCore"]),
        .testTarget(name: "NetauditAuditTests", dependencies: ["NetauditAudit", "NetauditCore"]),
        .testTarget(
            name: "NetauditStoreTests",
            dependencies: ["NetauditStore", "NetauditStoreSQLite", "NetauditStorePostgres", "NetauditStores", "NetauditCore",
                           "NetauditTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "NetauditReportsTests", dependencies: ["NetauditReports", "NetauditXLSX", "NetauditInventory", "NetauditCore", "NetauditStore",
                                                               "NetauditStoreSQLite", "NetauditHistory", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "NetauditDaemonTests",
            dependencies: [
                "NetauditDaemon", "NetauditCore", "NetauditInventory", "NetauditStore", "NetauditStoreSQLite", "NetauditAudit",
                "NetauditLab", "NetauditPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                // The Prometheus rule tests and the Alertmanager example, read as YAML.
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "NetauditCLITests",
            dependencies: ["netaudit", "NetauditCore", "NetauditInventory", "NetauditLab", "NetauditPolicy", "NetauditProbes", "NetauditStore", "NetauditStoreSQLite",
                           "NetauditStores", "NetauditTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
