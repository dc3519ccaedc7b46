import Foundation
import Testing
import TestSupport

/// Host bind mounts in a booted container (`vmm run --volume`, and a
/// bundle's bind mounts): what the guest writes is on the host at once and
/// stays; `ro` holds on the host side; a file mounts on a file.
@Suite(
    "bind mounts (full boot)",
    .enabled(if: Host.hasHardwareVirtualization, Host.noHardwareVirtualizationReason),
    .enabled(if: Fixtures.builtKernelDirectory != nil, Fixtures.noKernelReason))
struct BindMountFullBootTests {
    /// A fresh host directory holding `in` ("from the host") and a file `motd`.
    func hostDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-binds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try "from the host\n".write(toFile: directory + "/data/in", atomically: false, encoding: .utf8)
        try "message of the day\n".write(toFile: directory + "/motd", atomically: false, encoding: .utf8)
        return directory
    }

    @Test func aWritableDirectoryAndAReadOnlyFileReachTheContainer() throws {
        let host = try hostDirectory()
        defer { try? FileManager.default.removeItem(atPath: host) }
        let script = """
            cat /data/in; echo made-in-vm > /data/out; cat /etc/motd
            if echo changed > /etc/motd 2>/dev/null; then echo motd-writable; else echo motd-read-only; fi
            if echo new > /data/ro/x 2>/dev/null; then echo ro-writable; else echo ro-read-only; fi
            """
        let result = Command.vmm(
            "run", "--volume", "\(host)/data:/data", "--volume", "\(host)/motd:/etc/motd:ro", "--volume", "\(host)/data:/data/ro:ro",
            "--", "sh", "-c", script)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "from the host\nmessage of the day\nmotd-read-only\nro-read-only\n")
        #expect((try? String(contentsOfFile: host + "/data/out", encoding: .utf8)) == "made-in-vm\n")
        #expect((try? String(contentsOfFile: host + "/motd", encoding: .utf8)) == "message of the day\n")
        #expect(!FileManager.default.fileExists(atPath: host + "/data/x"))
    }

    @Test func aBundlesBindMountsAreMadeInConfigOrder() throws {
        let host = try hostDirectory()
        defer { try? FileManager.default.removeItem(atPath: host) }
        let bundle = host + "/bundle"
        // A tmpfs at /mnt, then a bind inside it: the order config.json gives.
        try DefaultBundle.make(at: bundle) { json in
            json["mounts"] = (json["mounts"] as? [Any] ?? []) + [
                ["destination": "/mnt", "type": "tmpfs", "source": "tmpfs"],
                ["destination": "/mnt/data", "type": "bind", "source": "\(host)/data", "options": ["rbind", "rw"]],
            ]
        }
        let result = Command.vmm("run", "--bundle", bundle, "--", "sh", "-c", "cat /mnt/data/in; echo bundle > /mnt/data/out")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "from the host\n")
        #expect((try? String(contentsOfFile: host + "/data/out", encoding: .utf8)) == "bundle\n")
    }
}
