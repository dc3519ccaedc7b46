import Glibc
import Testing
@testable import Network

/// candidate(excluding:) in real namespaces, each made for its test.
@Suite struct NamespaceInterfacesTests {
    struct Found: Sendable {
        let name: String
        let index: Int32
        let expectedIndex: Int32
        let peerIndex: Int32
        let configuration: InterfaceConfiguration
    }

    @Test func picksTheVethWithTheDefaultRouteAndReadsItsConfiguration() throws {
        let found = try inFreshNamespace { () throws -> Found? in
            try managerVeth()
            let tap = try TapDevice(name: "vmmtap0", virtioHeader: false)
            defer { withExtendedLifetime(tap) {} }
            guard let found = try NamespaceInterfaces.candidate(excluding: [tap.name]) else { return nil }
            return Found(name: found.name, index: found.index, expectedIndex: interfaceIndex(found.name), peerIndex: interfaceIndex("v1"), configuration: found.configuration)
        }
        let chosen = try #require(found)
        #expect(chosen.name == "v0")
        #expect(chosen.index == chosen.expectedIndex)
        // The kernel numbers the peer first: v0 won by its default route, not by its index.
        #expect(chosen.peerIndex < chosen.index)
        #expect(chosen.configuration.macText == "02:11:22:33:44:55")
        #expect(chosen.configuration.mtu == 1400)
        // No fe80:: address, no fe80::/64, multicast, local or anycast routes; on-link first.
        #expect(chosen.configuration.addresses.map(\.description) == ["10.88.0.5/16", "fd00::5/64"])
        #expect(chosen.configuration.routes.map(\.description) == [
            "10.88.0.0/16", "fd00::/64", "default via 10.88.0.1", "default via fd00::1",
        ])
    }

    @Test func withoutADefaultRouteTakesTheLowestIndexEvenIfDown() throws {
        let names = try inFreshNamespace { () throws -> [String?] in
            try ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
            let lowest = [("v0", interfaceIndex("v0")), ("v1", interfaceIndex("v1"))].min { $0.1 < $1.1 }!.0
            let other = lowest == "v0" ? "v1" : "v0"
            return [
                lowest,
                try NamespaceInterfaces.candidate(excluding: [])?.name,
                other,
                try NamespaceInterfaces.candidate(excluding: [lowest])?.name,
            ]
        }
        #expect(names[1] == names[0])
        #expect(names[3] == names[2])
    }

    @Test func aNamespaceWithOnlyLoopbackHasNone() throws {
        let none = try inFreshNamespace { () throws -> Bool in
            try NamespaceInterfaces.candidate(excluding: []) == nil
        }
        #expect(none)
    }
}
