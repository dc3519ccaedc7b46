import Foundation
import Testing
@testable import GuestImage

/// guest/process-vectors.txt, the golden bytes init's C tests parse too:
/// each field, set on a description and encoded, gives exactly its line's
/// record.
@Suite("Process description against the shared golden bytes")
struct ProcessDescriptionVectorTests {
    static let vectorsPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("guest/process-vectors.txt").path

    struct Vector: Sendable, CustomTestStringConvertible {
        let words: [String]
        let bytes: [UInt8]
        var testDescription: String { words.joined(separator: " ") }
    }

    static let vectors: [Vector] = {
        guard let text = try? String(contentsOfFile: vectorsPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            guard let separator = line.range(of: " = ") else { return nil }
            let words = line[..<separator.lowerBound].split(separator: " ").map { $0 == "-" ? "" : String($0) }
            let hex = Array(line[separator.upperBound...].filter { !$0.isWhitespace })
            let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(hex[$0..<min($0 + 2, hex.count)]), radix: 16) }
            return Vector(words: words, bytes: bytes)
        }
    }()

    /// The filler argument every non-argument line goes with (a
    /// description has at least one argument).
    static let filler = "x"

    /// The description whose encoding ends in the line's record; nil for
    /// a line this test does not know (which fails it).
    static func description(_ words: [String]) -> ProcessDescription? {
        let arguments = Array(words.dropFirst())
        func number(_ index: Int) -> UInt64? {
            arguments[index] == "unlimited" ? ProcessDescription.ResourceLimit.infinity : UInt64(arguments[index])
        }
        var description = ProcessDescription(arguments: [filler])
        switch (words.first, arguments.count) {
        case ("arg", 1): description.arguments = arguments
        case ("env", 1): description.environment = arguments
        case ("cwd", 1): description.workingDirectory = arguments[0]
        case ("uid", 1): description.uid = UInt32(arguments[0])
        case ("gid", 1): description.gid = UInt32(arguments[0])
        case ("groups", _): description.additionalGroups = arguments.compactMap { UInt32($0) }
        case ("hostname", 1): description.hostname = arguments[0]
        case ("rlimit", 3):
            guard let resource = number(0), let soft = number(1), let hard = number(2) else { return nil }
            description.resourceLimits = [.init(resource: UInt32(resource), soft: soft, hard: hard)]
        case ("terminal", 0): description.terminal = true
        case ("rootfs", 2): description.rootFilesystem = .init(tag: arguments[1], readOnly: arguments[0] == "ro")
        case ("mount", 5):
            guard let flags = UInt32(arguments[3]) else { return nil }
            description.mounts = [.init(type: arguments[0], source: arguments[1], target: arguments[2], flags: flags, data: arguments[4])]
        case ("umask", 1): description.umask = UInt32(arguments[0], radix: 8)
        case ("binds", 1): description.bindShare = arguments[0]
        case ("caps", 5):
            let sets = arguments.compactMap { UInt64($0) }
            guard sets.count == 5 else { return nil }
            description.capabilities = .init(bounding: sets[0], effective: sets[1], permitted: sets[2], inheritable: sets[3], ambient: sets[4])
        case ("no_new_privileges", 0): description.noNewPrivileges = true
        case ("oom_score_adj", 1): description.oomScoreAdjustment = Int32(arguments[0])
        case ("sysctl", 2): description.sysctls = [.init(key: arguments[0], value: arguments[1])]
        case ("cgroup", 2): description.cgroupFiles = [.init(key: arguments[0], value: arguments[1])]
        case ("device", 7):
            let numbers = [arguments[2], arguments[3], arguments[5], arguments[6]].compactMap { UInt32($0) }
            guard numbers.count == 4, let mode = UInt32(arguments[4], radix: 8) else { return nil }
            description.devices = [.init(path: arguments[0], type: arguments[1], major: numbers[0], minor: numbers[1], mode: mode, uid: numbers[2], gid: numbers[3])]
        default: return nil
        }
        return description
    }

    @Test func theFileHasEveryRecordKind() {
        let kinds = Set(Self.vectors.compactMap(\.words.first))
        #expect(kinds == ["magic", "arg", "env", "cwd", "uid", "gid", "groups", "hostname", "rlimit", "terminal", "rootfs", "mount", "umask", "binds",
                          "caps", "no_new_privileges", "oom_score_adj", "sysctl", "device", "cgroup"])
        #expect(ProcessDescription.Tag.cgroup.rawValue == 19, "a new record kind needs its line in guest/process-vectors.txt")
    }

    @Test(arguments: vectors.filter { $0.words != ["magic"] })
    func eachFieldEncodesToItsGoldenRecord(_ vector: Vector) throws {
        guard let description = Self.description(vector.words) else {
            Issue.record("unknown vector line")
            return
        }
        let magic = try #require(Self.vectors.first { $0.words == ["magic"] }).bytes
        var expected = magic
        if vector.words.first != "arg" { expected += [1, 0, 1, 0, 0, 0] + Array(Self.filler.utf8) }
        expected += vector.bytes
        #expect(try description.encoded() == expected)
    }
}
