import Foundation
import Testing
import TestSupport

/// virtio-net on the VMM's own frame path (TapFramePort: this host has no
/// /dev/vhost-net) under real KVM: the firmware guest sends a broadcast
/// frame on tx and waits for the answer on rx, through a TAP that a
/// packet-socket helper serves. Every run gets a network namespace of its
/// own (`unshare -n`), so the TAP and its traffic never touch the host's.
/// A network namespace of our own, and python3 for the helper in it.
private enum PrivateNetwork {
    static let available: Bool =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        && Command.run("/usr/bin/unshare", ["-n", "/bin/true"], timeout: 30).status == 0
}

@Suite(
    "virtio-net firmware under KVM through a TAP",
    .enabled(if: Host.hasKVM, Host.noKVMReason),
    .enabled(if: PrivateNetwork.available, "needs root (unshare -n, ip tuntap) and /usr/bin/python3"))
struct VirtioNetFirmwareTests {
    static let tap = "vmmt0"
    static let guestMAC = "02:76:6d:6d:00:07"

    /// The host side of the wire: waits for the firmware's 0x88b5 frame,
    /// says what it got and from whom, answers to that MAC with
    /// "vmm-net-host"; ends then, or when the stop file appears.
    static let helper = """
        import os, socket, sys, time
        ifname, ready, stop = sys.argv[1:4]
        ETHERTYPE = 0x88B5
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
        s.bind((ifname, ETHERTYPE))
        s.settimeout(0.1)
        open(ready, "w").close()
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(stop):
            try:
                frame, address = s.recvfrom(65535)
            except socket.timeout:
                continue
            if address[2] == socket.PACKET_OUTGOING or frame[12:14] != b"\\x88\\xb5":
                continue
            source = frame[6:12]
            payload = frame[14:].rstrip(b"\\0").decode(errors="replace")
            print("helper: got %s from %s" % (payload, ":".join("%02x" % b for b in source)), flush=True)
            s.send(source + s.getsockname()[4][:6] + b"\\x88\\xb5" + b"vmm-net-host")
            sys.exit(0)
        print("helper: no 0x88b5 frame", flush=True)
        """

    struct Run {
        let vmm: Command.Result
        let helperOutput: String
    }

    /// `vmm run --firmware GUEST --network tap:vmmt0,mac=…` in a fresh
    /// network namespace, with the helper on the TAP; the shell's status,
    /// stdout and stderr are vmm's alone (the helper writes to a file).
    func run(_ guest: String) throws -> Run {
        let helper = try Fixtures.temporaryFile("net_helper.py", Array(Self.helper.utf8))
        let directory = (helper as NSString).deletingLastPathComponent
        let (ready, stop, output) = ("\(directory)/ready", "\(directory)/stop", "\(directory)/helper.out")
        // No IPv6 on the TAP: its router solicitations would be the guest's only other traffic.
        let script = """
            echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
            ip tuntap add \(Self.tap) mode tap && ip link set \(Self.tap) up || exit 90
            /usr/bin/python3 '\(helper)' \(Self.tap) '\(ready)' '\(stop)' > '\(output)' 2>&1 &
            helper=$!
            i=0; while [ ! -e '\(ready)' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
            [ -e '\(ready)' ] || exit 91
            "$0" run --firmware "$1" --network tap:\(Self.tap),mac=\(Self.guestMAC)
            status=$?
            touch '\(stop)'; wait $helper
            exit $status
            """
        let result = Command.run(
            "/usr/bin/unshare", ["-n", "/bin/sh", "-c", script, Fixtures.vmmExecutable, try Fixtures.firmware(guest)], timeout: 120)
        let helperOutput = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return Run(vmm: result, helperOutput: helperOutput)
    }

    @Test func aFrameGoesOutAndTheAnswerComesBack() throws {
        let run = try run("virtio_net")
        #expect(run.vmm.exitedNormally)
        #expect(run.vmm.status == 0, "\(run.vmm.standardOutput)\(run.vmm.standardError)\(run.helperOutput)")
        #expect(run.vmm.standardOutput.contains("virtio_net: mac \(Self.guestMAC) mtu 1500\n"), "the MAC of --network, from config space")
        #expect(run.vmm.standardOutput.contains("virtio_net: received vmm-net-host\n"))
        #expect(run.helperOutput == "helper: got vmm-net-firmware from \(Self.guestMAC)\n", "the guest's frame, header stripped")
        #expect(run.vmm.standardError.isEmpty)
    }

    @Test(arguments: [
        ("virtio_net_bad_address", "queue 1: descriptor 0: buffer at 0xf0000000 of 16 bytes is outside guest memory"),
        ("virtio_net_desc_loop", "queue 1: descriptor chain from 0 loops"),
        ("virtio_net_avail_jump", "queue 1: available index jumped from 0 to 21, more than the queue size 16"),
        ("virtio_net_giant_frame", "queue 1: transmit chain 0 holds 70000 bytes, more than a frame"),
        // The host's answer to the guest's frame finds the wild rx buffer.
        ("virtio_net_rx_wild", "descriptor 0: buffer at 0xf0000000 of 1526 bytes is outside guest memory"),
    ])
    func malformedQueuesBreakTheDeviceNotTheVMM(guest: String, reason: String) throws {
        let run = try run(guest)
        #expect(run.vmm.exitedNormally, "vmm must not crash")
        #expect(run.vmm.status == 125, "\(run.vmm.standardOutput)\(run.vmm.standardError)")
        #expect(run.vmm.standardError == "vmm: virtio-net: \(reason)\n")
        #expect(!run.vmm.standardOutput.contains("still running"), "the VM must end at the bad buffer")
    }
}
