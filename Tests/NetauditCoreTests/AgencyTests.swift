import Foundation
import NetauditCore
import Testing

struct AgencyTests {
    /// province P
    ///   district D1
    ///     commune C1, C2 (C2 holds department X)
    ///   district D2
    ///     commune C3
    static let tree = Agency(code: "P", name: "Tỉnh", level: "province", children: [
        Agency(code: "D1", name: "Huyện 1", level: "district", children: [
            Agency(code: "C1", name: "Xã 1", level: "commune"),
            Agency(code: "C2", name: "Xã 2", level: "commune", children: [
                Agency(code: "X", name: "Phòng", level: "commune", kind: .department),
            ]),
        ]),
        Agency(code: "D2", name: "Huyện 2", level: "district", children: [
            Agency(code: "C3", name: "Xã 3", level: "commune"),
        ]),
    ])

    @Test func subtreeIsDepthFirstWithParentsBeforeChildren() {
        #expect(Self.tree.subtree.map(\.code) == ["P", "D1", "C1", "C2", "X", "D2", "C3"])
        #expect(Self.tree.children[0].subtree.map(\.code) == ["D1", "C1", "C2", "X"])
    }

    @Test func subtreeOfALeafIsTheLeaf() {
        let leaf = Agency(code: "C9", name: "Xã 9", level: "commune")
        #expect(leaf.subtree == [leaf])
    }

    @Test func defaults() {
        let agency = Agency(code: "A", name: "A", level: "province")
        #expect(agency.kind == .unit)
        #expect(agency.link == nil)
        #expect(agency.endpoints.isEmpty)
        #expect(agency.children.isEmpty)
        #expect(agency.location == nil)
        #expect(Agency.Kind.allCases.map(\.rawValue) == ["unit", "department"])
    }

    @Test(arguments: [(Link.Method.icmp, "icmp"), (.tcp(port: 8080), "tcp:8080"), (.tcp(port: 22), "tcp:22")])
    func linkMethodDescriptions(_ method: Link.Method, _ text: String) {
        #expect(method.description == text)
    }

    @Test func linkDefaultsToICMP() {
        let link = Link(address: IPAddress(127, 0, 0, 2))
        #expect(link.method == .icmp)
        #expect(link.via == nil)
    }

    @Test func serverNameIsTheSNIOverrideElseTheHost() throws {
        let url = try EndpointURL.parse("https://Portal.Example.org:8443/").get()
        #expect(Endpoint(url: url).serverName == "portal.example.org")
        #expect(Endpoint(url: url, address: IPAddress(127, 0, 0, 1), sni: "other.example").serverName == "other.example")
    }

    @Test func codableRoundTrip() throws {
        var agency = Self.tree
        agency.link = Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 443), via: "D1",
                           location: SourceLocation(file: "inventory.yaml", line: 3, column: 5))
        agency.endpoints = [Endpoint(url: try EndpointURL.parse("https://[::1]:8443/x").get(), sni: "portal.example")]
        let data = try JSONEncoder().encode(agency)
        let decoded = try JSONDecoder().decode(Agency.self, from: data)
        #expect(decoded == agency)
        #expect(decoded.subtree.map(\.code) == ["P", "D1", "C1", "C2", "X", "D2", "C3"])
    }
}
