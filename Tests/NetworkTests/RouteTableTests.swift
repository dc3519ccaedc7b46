import Testing
@testable import Network

/// The /proc/net parsers on text as a kernel printed it (v0 with
/// 10.88.0.5/16, fd00::5/64 and a default route of each family).
@Suite struct RouteTableTests {
    static let ipv4Text = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        v0\t00000000\t0100580A\t0003\t0\t0\t0\t00000000\t0\t0\t0
        v0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
        v1\t0000A8C0\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0
        lo\t0000000A\t00000000\t0201\t0\t0\t0\t000000FF\t0\t0\t0

        """

    static let ipv6Text = """
        fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       v0
        fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       v0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003       v0
        fd000000000000000000000000000000 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 80200001       v0
        fd000000000000000000000000000005 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       v0
        ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000004 00000000 00000001       v0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo

        """

    @Test func readsIPv4RoutesUpOnlyWithGateways() {
        let routes = RouteTable.ipv4(Self.ipv4Text)
        #expect(routes == [
            DeviceRoute(device: "v0", route: .defaultRoute(via: IPAddress("10.88.0.1")!)),
            DeviceRoute(device: "v0", route: Route(destination: IPAddress("10.88.0.0")!, prefixLength: 16, gateway: nil)),
        ])
    }

    @Test func readsIPv6RoutesWithoutLinkLocalMulticastHostOrRejectEntries() {
        let routes = RouteTable.ipv6(Self.ipv6Text)
        #expect(routes == [
            DeviceRoute(device: "v0", route: Route(destination: IPAddress("fd00::")!, prefixLength: 64, gateway: nil)),
            DeviceRoute(device: "v0", route: .defaultRoute(via: IPAddress("fd00::1")!)),
        ])
    }

    @Test func putsOnLinkRoutesFirstForOneDevice() {
        let table = RouteTable.ipv4(Self.ipv4Text) + RouteTable.ipv6(Self.ipv6Text)
        #expect(RouteTable.routes(through: "v0", in: table).map(\.description) == [
            "10.88.0.0/16", "fd00::/64", "default via 10.88.0.1", "default via fd00::1",
        ])
        #expect(RouteTable.routes(through: "v1", in: table).isEmpty)
    }

    @Test func skipsMalformedLines() {
        #expect(RouteTable.ipv4("Iface\tDestination\nv0\tzz\t0\t1\n").isEmpty)
        #expect(RouteTable.ipv6("fd00 40 short\n").isEmpty)
        #expect(RouteTable.ipv4("").isEmpty)
    }

    @Test func knowsLinkLocalAndMulticast() {
        #expect(RouteTable.isLinkLocalOrMulticast(IPAddress("fe80::1")!))
        #expect(RouteTable.isLinkLocalOrMulticast(IPAddress("febf::1")!))
        #expect(RouteTable.isLinkLocalOrMulticast(IPAddress("ff02::1")!))
        #expect(!RouteTable.isLinkLocalOrMulticast(IPAddress("fec0::1")!))
        #expect(!RouteTable.isLinkLocalOrMulticast(IPAddress("fd00::1")!))
        #expect(!RouteTable.isLinkLocalOrMulticast(IPAddress("10.0.0.1")!))
    }
}
