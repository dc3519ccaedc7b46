import Foundation
import Network
import Testing
@testable import Devices

/// guest/control-vectors.txt, the golden bytes init's C tests check too:
/// Swift encodes every message to them and decodes them back.
@Suite("Control messages against the shared golden bytes")
struct GuestControlVectorTests {
    static let vectorsPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("guest/control-vectors.txt").path

    struct Vector: Sendable, CustomTestStringConvertible {
        let message: GuestControlMessage
        let bytes: [UInt8]
        let line: String
        var testDescription: String { line }
    }

    static func message(_ words: [Substring]) -> GuestControlMessage? {
        let numbers = words.dropFirst().compactMap { Int64($0) }
        func int32(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: numbers[index]) }
        switch (words.first, numbers.count) {
        case ("ready", 0): return .ready
        case ("started", 1): return .started(pid: UInt32(truncatingIfNeeded: numbers[0]))
        case ("exited", 2): return .exited(code: int32(0), signal: int32(1))
        case ("error", _): return .error(words.dropFirst().joined(separator: " "))
        case ("start", 0): return .start
        case ("signal", 1): return .signal(int32(0))
        case ("signal_all", 1): return .signalAll(int32(0))
        case ("winsize", 2): return .windowSize(rows: UInt16(numbers[0]), columns: UInt16(numbers[1]))
        case ("network", _): return network(words.dropFirst())
        default: break
        }
        guard let first = numbers.first, let id = UInt32(exactly: first) else { return nil }
        let text = Array(words.dropFirst(2).joined(separator: " ").utf8)
        switch (words.first, numbers.count) {
        case ("exec_started", 2): return .execStarted(id: id, pid: UInt32(truncatingIfNeeded: numbers[1]))
        case ("exec_output", 2): return .execOutput(id: id, stream: UInt8(numbers[1]), bytes: Array(words.dropFirst(3).joined(separator: " ").utf8))
        case ("exec_exited", 3): return .execExited(id: id, code: int32(1), signal: int32(2))
        case ("exec_error", 1): return .execError(id: id, String(decoding: text, as: UTF8.self))
        // A process description whose one argument is the word after the id.
        case ("exec", 1): return .exec(id: id, process: Array("VMMPROC1".utf8) + [1, 0, UInt8(text.count), 0, 0, 0] + text)
        case ("exec_input", 1): return .execInput(id: id, bytes: text)
        case ("exec_signal", 2): return .execSignal(id: id, int32(1))
        case ("exec_winsize", 3): return .execWindowSize(id: id, rows: UInt16(numbers[1]), columns: UInt16(numbers[2]))
        default: return nil
        }
    }

    /// `link=MAC,MTU address=ADDR/PREFIX route=DEST/PREFIX[,GATEWAY]`.
    static func network(_ words: ArraySlice<Substring>) -> GuestControlMessage? {
        var configuration = InterfaceConfiguration(mac: [], mtu: 0)
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let values = parts[1].split(separator: ",").map(String.init)
            switch parts[0] {
            case "link":
                configuration.mac = values[0].split(separator: ":").compactMap { UInt8($0, radix: 16) }
                configuration.mtu = UInt32(values[1]) ?? 0
            case "address":
                guard let address = InterfaceAddress(cidr: values[0]) else { return nil }
                configuration.addresses.append(address)
            case "route":
                guard let target = InterfaceAddress(cidr: values[0]) else { return nil }
                configuration.routes.append(Route(destination: target.address, prefixLength: target.prefixLength, gateway: values.count > 1 ? IPAddress(values[1]) : nil))
            default: return nil
            }
        }
        return .network(configuration)
    }

    static let vectors: [Vector] = {
        guard let text = try? String(contentsOfFile: vectorsPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            // " = " parts message from bytes (a network line's words hold "=" too).
            guard let middle = line.range(of: " = ") else { return nil }
            let halves = [line[..<middle.lowerBound], line[middle.upperBound...]]
            guard let message = message(halves[0].split(separator: " ")) else { return nil }
            let hex = Array(halves[1].filter { !$0.isWhitespace })
            let bytes = stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
            return Vector(message: message, bytes: bytes, line: String(line))
        }
    }()

    @Test func everyLineOfTheFileIsAVector() throws {
        let text = try String(contentsOfFile: Self.vectorsPath, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == Self.vectors.count, "a line of \(Self.vectorsPath) did not parse")
        #expect(Self.vectors.count >= 18)
    }

    @Test(arguments: vectors)
    func swiftEncodesAndDecodesTheGoldenBytes(vector: Vector) throws {
        #expect(vector.message.encoded == vector.bytes)
        var decoder = GuestControlDecoder()
        #expect(try decoder.feed(vector.bytes) == [vector.message])
    }
}
