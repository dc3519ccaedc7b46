import Foundation

/// Runs a program to completion and captures what it printed.
public enum Command {
    public struct Result: Sendable {
        public let status: Int32
        /// False when the program died from a signal (a crash).
        public let exitedNormally: Bool
        public let standardOutput: String
        public let standardError: String
    }

    public static func run(_ executable: String, _ arguments: [String], standardInput: Data = Data()) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        do {
            try process.run()
        } catch {
            return Result(status: -1, exitedNormally: false, standardOutput: "", standardError: "\(error)")
        }
        input.fileHandleForWriting.write(standardInput)
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so neither can fill up and block the child.
        let errorData = DataBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            errorData.value = error.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            exitedNormally: process.terminationReason == .exit,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.value, as: UTF8.self))
    }

    /// Runs the `vmm` built with the tests.
    public static func vmm(_ arguments: String...) -> Result {
        run(Fixtures.vmmExecutable, arguments)
    }
}

/// Written by one thread, read by another after a semaphore hand-off.
private final class DataBox: @unchecked Sendable {
    var value = Data()
}
