import Devices

/// The console's control messages from init (guest/PROTOCOL.md): a byte
/// stream cut at the fuzzer's chosen places, reassembled and decoded.
enum ConsoleControlHarness {
    static func run(_ data: [UInt8]) -> Outcome {
        var input = FuzzInput(data)
        var decoder = GuestControlDecoder()
        var decoded = 0
        while !input.isEmpty {
            let piece = input.take(Int(input.byte()) + 1)
            guard let messages = try? decoder.feed(piece) else { return .refused }
            for message in messages { _ = message.encoded }
            decoded += messages.count
        }
        return decoded > 0 ? .accepted : .refused
    }
}
