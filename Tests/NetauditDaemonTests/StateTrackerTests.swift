import Foundation
import NetauditCore
import NetauditDaemon
import NetauditStore
import Testing

/// A state change is announced once, not at every sweep; the first state ever measured is
/// one digest.
struct StateTrackerTests {
    let inventory = Fixtures.inventory

    /// A tracker that has taken in a baseline where every link is up and the endpoint is
    /// compliant with a certificate far from expiry: what comes next are changes.
    static func baselined(links: Bool = true, endpoints: Bool = true) -> StateTracker {
        var tracker = StateTracker()
        let digest = tracker.update(run: 0, inventory: Fixtures.inventory,
                                    links: links ? ["52", "21583", "21584"].map { Fixtures.link($0, up: true) } : nil,
                                    endpoints: endpoints ? [Fixtures.endpoint("52", compliant: true, expiresIn: 90)] : nil)
        precondition(digest.map(\.event) == [.initialState])
        return tracker
    }

    /// The first start after installation: every problem the first run finds is in one
    /// digest, with counts per state; no event per agency or endpoint.
    @Test func theFirstRunIsOneDigest() throws {
        var tracker = StateTracker()
        let first = tracker.update(run: 3, inventory: inventory,
                                   links: [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: false)],
                                   endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 3)])
        #expect(first.map(\.event) == [.initialState])
        let digest = try #require(first.first)
        #expect(digest.run == 3 && digest.endpoint == nil && digest.rules.isEmpty && !digest.isProblem)
        #expect(digest.agency == AlertEvent.AgencyRef(code: "52", name: "Tỉnh Gia Lai", level: "province", parent: nil))
        #expect(digest.counts == ["agencies": 3, "agencies_up": 1, "agencies_degraded": 0, "agencies_down": 2, "agencies_unreachable": 0,
                                  "endpoints": 1, "endpoints_compliant": 0, "endpoints_noncompliant": 1, "endpoints_unreachable": 0,
                                  "certificates_expiring": 1])
        #expect(digest.message == "initial state (run 3): 2 of 3 agencies not connected (2 down, 0 unreachable), 1 of 1 endpoints not compliant, 0 unreachable, 1 certificate expiring within 7 days; from now on each change is announced")

        // The second run: changes only, compared with the baseline.
        let second = tracker.update(run: 4, inventory: inventory,
                                    links: [Fixtures.link("52", up: false), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true)],
                                    endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 2)])
        #expect(second.map(\.event) == [.agencyDown, .agencyRecovered])
        #expect(second.map(\.agency.code) == ["52", "21584"])
        #expect(second.allSatisfy { $0.counts == nil })
        // Not again at the third.
        #expect(tracker.update(run: 5, inventory: inventory, links: [Fixtures.link("52", up: false)], endpoints: nil).isEmpty)
    }

    /// A fresh daemon sweeps links at once and audits endpoints at night: each kind of state
    /// has its own baseline, the first time it is measured; the sweeps in between are changes.
    @Test func linksAndEndpointsEachHaveTheirBaseline() throws {
        var tracker = StateTracker()
        let sweep = tracker.update(run: 1, inventory: inventory, links: [Fixtures.link("21583", up: false)], endpoints: nil)
        #expect(sweep.map(\.event) == [.initialState])
        #expect(sweep.first?.counts?["agencies_down"] == 1 && sweep.first?.counts?["endpoints"] == nil)
        #expect(sweep.first?.message == "initial state (run 1): 1 of 1 agencies not connected (1 down, 0 unreachable); from now on each change is announced")
        let audit = tracker.update(run: 2, inventory: inventory, links: [Fixtures.link("21583", up: true)],
                                   endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        #expect(audit.map(\.event) == [.initialState, .agencyRecovered])
        #expect(audit.first?.counts == ["endpoints": 1, "endpoints_compliant": 0, "endpoints_noncompliant": 1, "endpoints_unreachable": 0,
                                        "certificates_expiring": 0])
        #expect(audit.first?.message.hasPrefix("initial state (run 2): 1 of 1 endpoints not compliant, 0 unreachable, 0 certificates") == true)
        let fixed = tracker.update(run: 3, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 90)])
        #expect(fixed.map(\.event) == [.endpointCompliant])
    }

    @Test func downOnceThenRecovered() {
        var tracker = Self.baselined()
        let first = tracker.update(run: 1, inventory: inventory, links: [Fixtures.link("52", up: true), Fixtures.link("21583", up: false)], endpoints: nil)
        #expect(first.map(\.event) == [.agencyDown])
        #expect(first.first?.agency == AlertEvent.AgencyRef(code: "21583", name: "Xã Ia Ka", level: "commune", parent: "52"))
        #expect(first.first?.rules == ["link.down"])
        // Still down at the next sweeps: nothing new.
        for run in 2...4 {
            #expect(tracker.update(run: Int64(run), inventory: inventory, links: [Fixtures.link("52", up: true), Fixtures.link("21583", up: false)], endpoints: nil).isEmpty)
        }
        let back = tracker.update(run: 5, inventory: inventory, links: [Fixtures.link("52", up: true), Fixtures.link("21583", up: true)], endpoints: nil)
        #expect(back.map(\.event) == [.agencyRecovered])
        #expect(back.first?.isProblem == false)
        #expect(back.first?.message == "agency Xã Ia Ka (21583) is connected again")
    }

    /// Started from the store's latest runs (a restart): what was already down is not
    /// news, and there is no digest either.
    @Test func aSeededTrackerDoesNotRepeatItself() {
        var tracker = StateTracker()
        let seeded = tracker.update(run: 1, inventory: inventory, links: [Fixtures.link("21583", up: false)],
                                    endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 3)], announce: false)
        #expect(seeded.isEmpty)
        #expect(tracker.update(run: 2, inventory: inventory, links: [Fixtures.link("21583", up: false)],
                               endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 2)]).isEmpty)
    }

    @Test func endpointsAndCertificates() {
        var tracker = Self.baselined()
        let good = tracker.update(run: 1, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 40)])
        #expect(good.isEmpty)
        let bad = tracker.update(run: 2, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 6.5)])
        #expect(bad.map(\.event) == [.endpointNoncompliant, .certificateExpiring])
        #expect(bad[0].rules == ["proto.tls1_0"] && bad[0].endpoint == "https://gialai.test/")
        #expect(bad[1].message.contains("expires in 6 days"))
        // Inside the window still, and still not compliant: nothing more.
        #expect(tracker.update(run: 3, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 5)]).isEmpty)
        // A renewed certificate and a fixed server.
        let fixed = tracker.update(run: 4, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 90)])
        #expect(fixed.map(\.event) == [.endpointCompliant])
    }

    /// An agency without a link is a gap of the inventory, reported by the audit, not a
    /// state change; a link sweep says nothing about endpoints, so an endpoint already
    /// announced is not announced again after sweeps, and its recovery still is.
    @Test func onlyWhatTheRunMeasured() {
        var inventory = Fixtures.inventory
        inventory.agencies[0].children.append(Agency(code: "21585", name: "Xã Ia Tô", level: "commune"))
        var tracker = Self.baselined()
        let audit = tracker.update(run: 1, inventory: inventory, links: [LinkResult(agencyCode: "21585", observation: nil, state: nil, findings: [])],
                                   endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        #expect(audit.map(\.event) == [.endpointNoncompliant])
        #expect(tracker.update(run: 2, inventory: inventory, links: [Fixtures.link("52", up: true)], endpoints: nil).isEmpty)
        let fixed = tracker.update(run: 3, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 90)])
        #expect(fixed.map(\.event) == [.endpointCompliant])
    }

    /// An endpoint that cannot be reached sends no certificate: the certificate state stays
    /// as it was (no new window entry, no false all-clear).
    @Test func anUnreachableEndpointKeepsItsCertificateState() {
        var tracker = Self.baselined()
        let soon = tracker.update(run: 1, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 3)])
        #expect(soon.map(\.event) == [.certificateExpiring])
        var unreachable = Fixtures.endpoint("52", compliant: false, expiresIn: 3)
        unreachable.observation.certificates = []
        unreachable.verdict = .unreachable
        #expect(tracker.update(run: 2, inventory: inventory, links: nil, endpoints: [unreachable]).map(\.event) == [.endpointNoncompliant])
        #expect(tracker.update(run: 3, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 2)]).map(\.event) == [.endpointCompliant])
    }
}
