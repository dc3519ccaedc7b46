import Foundation
import Testing
@testable import FuzzTargets

/// Every committed input (the seeds and each crash libFuzzer found, kept as
/// a regression) through its harness in the normal build: an input that
/// traps again fails the run. fuzz/README.md says how inputs get here.
@Suite("Fuzz corpus replay")
struct FuzzReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz").standardized

    static func inputs(_ target: FuzzTarget, in kind: String) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func theSeedsGoAllTheWayAndEveryCrashFoundRunsClean(target: FuzzTarget) throws {
        let seeds = Self.inputs(target, in: "corpus")
        #expect(!seeds.isEmpty, "fuzz/corpus/\(target.rawValue) holds the target's seeds (fuzz/make_seeds.py)")
        for url in seeds {
            let expected: Outcome = url.lastPathComponent.hasPrefix("refused-") ? .refused : .accepted
            #expect(target.run(Array(try Data(contentsOf: url))) == expected, "\(url.lastPathComponent)")
        }
        for url in Self.inputs(target, in: "crashes") {
            target.run(Array(try Data(contentsOf: url)))
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func truncationsOfEverySeedRunClean(target: FuzzTarget) throws {
        // Cut short anywhere: the harness and the parser under it take any length.
        for url in Self.inputs(target, in: "corpus") {
            let bytes = Array(try Data(contentsOf: url))
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)) {
                target.run(Array(bytes.prefix(length)))
            }
        }
    }
}
