import Foundation
import NetauditCore
import NetauditDaemon
import NetauditStore
import Testing

/// A state change is announced once, not at every sweep.
struct StateTrackerTests {
    let inventory = Fixtures.inventory

    @Test func downOnceThenRecovered() {
        var tracker = StateTracker()
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

    /// Started from the store's latest runs: what was already down is not news.
    @Test func aSeededTrackerDoesNotRepeatItself() {
        var tracker = StateTracker()
        let seeded = tracker.update(run: 1, inventory: inventory, links: [Fixtures.link("21583", up: false)],
                                    endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 3)], announce: false)
        #expect(seeded.isEmpty)
        #expect(tracker.update(run: 2, inventory: inventory, links: [Fixtures.link("21583", up: false)],
                               endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 2)]).isEmpty)
    }

    @Test func endpointsAndCertificates() {
        var tracker = StateTracker()
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
        var tracker = StateTracker()
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
        var tracker = StateTracker()
        let soon = tracker.update(run: 1, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 3)])
        #expect(soon.map(\.event) == [.certificateExpiring])
        var unreachable = Fixtures.endpoint("52", compliant: false, expiresIn: 3)
        unreachable.observation.certificates = []
        unreachable.verdict = .unreachable
        #expect(tracker.update(run: 2, inventory: inventory, links: nil, endpoints: [unreachable]).map(\.event) == [.endpointNoncompliant])
        #expect(tracker.update(run: 3, inventory: inventory, links: nil, endpoints: [Fixtures.endpoint("52", compliant: true, expiresIn: 2)]).map(\.event) == [.endpointCompliant])
    }
}
