import Testing
@testable import Network

@Suite struct AddressTests {
    @Test func parsesAndPrintsBothFamilies() {
        #expect(IPAddress("10.88.0.5")?.bytes == [10, 88, 0, 5])
        #expect(IPAddress("fd00::1")?.description == "fd00::1")
        #expect(IPAddress("fd00::1")?.bytes.count == 16)
        #expect(IPAddress("10.88.0") == nil)
        #expect(IPAddress("example") == nil)
    }

    @Test func readsCIDRAndRefusesLongPrefixes() {
        #expect(InterfaceAddress(cidr: "10.0.2.15/24")?.description == "10.0.2.15/24")
        #expect(InterfaceAddress(cidr: "10.0.2.15/33") == nil)
        #expect(InterfaceAddress(cidr: "fd00::2/64")?.prefixLength == 64)
        #expect(InterfaceAddress(cidr: "10.0.2.15") == nil)
    }

    @Test func describesRoutes() {
        let gateway = IPAddress("10.0.2.2")!
        #expect(Route.defaultRoute(via: gateway).description == "default via 10.0.2.2")
        #expect(Route(destination: IPAddress("10.0.2.0")!, prefixLength: 24, gateway: nil).description == "10.0.2.0/24")
    }
}
