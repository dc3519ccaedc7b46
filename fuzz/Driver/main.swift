import CFuzzDriver
import FuzzTargets
import Glibc
import HostFiles

// vmm-fuzz TARGET [libFuzzer options and corpus directories]
// vmm-fuzz TARGET FILE... (built without libFuzzer: replays each file)

nonisolated(unsafe) var selected = FuzzTarget.virtqueue

func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    _ = writeAll("usage: vmm-fuzz TARGET [libFuzzer options | FILE...]; targets: \(names)\n", to: STDERR_FILENO)
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else { usage() }
selected = target

// libFuzzer sees our own name and everything after the target's.
var passed: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var count = Int32(passed.count - 1)
let status = passed.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv = buffer.baseAddress
    return fuzz_run_driver(&count, &argv) { data, size in
        selected.run(size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : [])
        return 0
    }
}
guard status == -1 else { exit(status) }

// Without libFuzzer: each file once (a crash's reproducer, a corpus).
for path in arguments.dropFirst(2) {
    do {
        print("\(path): \(target.run(try readWholeFile(path)))")
    } catch {
        _ = writeAll("vmm-fuzz: \(path): \(error)\n", to: STDERR_FILENO)
        exit(1)
    }
}
