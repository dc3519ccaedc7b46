import COS
import Glibc
import Testing
@testable import Network

/// The tc redirect between a TAP and a veth, with frames sent through it.
@Suite struct TrafficRedirectTests {
    struct Observed: Sendable {
        var interfaceFilters = ""
        var tapFilters = ""
        var tapToPeer = false
        var peerToTap = false
        var interfaceQdiscsAfter = ""
        var tapQdiscsAfter = ""
        var removingNothingSucceeds = false
    }

    @Test func joinsTheTapAndTheVethBothWaysAndComesApart() throws {
        let seen = try inFreshNamespace { () throws -> Observed in
            try managerVeth()
            let tap = try TapDevice(name: "vmmtap0", virtioHeader: false)
            try tap.setUp()
            let v0 = interfaceIndex("v0")
            var seen = Observed()
            try TrafficRedirect.connect(tap.index, v0)
            seen.interfaceFilters = try tc("-d", "filter", "show", "dev", "v0", "ingress")
            seen.tapFilters = try tc("-d", "filter", "show", "dev", "vmmtap0", "ingress")

            let peer = try PacketSocket(interface: interfaceIndex("v1"), etherType: TestFrame.etherType)
            let outbound = TestFrame.make(payload: "from the guest")
            _ = outbound.withUnsafeBytes { write(tap.fd, $0.baseAddress, $0.count) }
            seen.tapToPeer = peer.receive(matching: outbound, within: 2000)
            let inbound = TestFrame.make(payload: "to the guest")
            peer.send(inbound)
            seen.peerToTap = TestFrame.await(inbound, on: tap.fd, within: 2000)

            TrafficRedirect.disconnect(v0)
            seen.interfaceQdiscsAfter = try tc("qdisc", "show", "dev", "v0")
            seen.tapQdiscsAfter = try tc("qdisc", "show", "dev", "vmmtap0")
            var err = [CChar](repeating: 0, count: 256)
            seen.removingNothingSucceeds = cos_tc_remove_ingress(v0, &err, err.count) == 0
            return seen
        }
        for filters in [seen.interfaceFilters, seen.tapFilters] {
            #expect(filters.contains("u32"))
            #expect(filters.contains("mirred"))
        }
        #expect(seen.interfaceFilters.contains("Redirect to device vmmtap0"))
        #expect(seen.tapFilters.contains("Redirect to device v0"))
        #expect(seen.tapToPeer, "a frame written to the TAP reaches the veth's peer")
        #expect(seen.peerToTap, "a frame sent by the veth's peer is read from the TAP")
        #expect(!seen.interfaceQdiscsAfter.contains("ingress"))
        #expect(seen.tapQdiscsAfter.contains("ingress"), "the TAP's redirect goes with the TAP, not with disconnect")
        #expect(seen.removingNothingSucceeds)
    }

    @Test func aFailedConnectLeavesNoQdisc() throws {
        let (failure, qdiscs) = try inFreshNamespace { () throws -> (String?, String) in
            let tap = try TapDevice(name: "vmmtap0", virtioHeader: false)
            // No interface 9999: mirred refuses it once the TAP's qdisc is in place.
            var failure: String?
            do { try TrafficRedirect.connect(tap.index, 9999) } catch { failure = "\(error)" }
            return (failure, try tc("qdisc", "show", "dev", "vmmtap0"))
        }
        #expect(failure?.contains("redirect filter") == true)
        #expect(!qdiscs.contains("ingress"))
    }
}
