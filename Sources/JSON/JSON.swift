/// A small JSON reader for config.json: no Foundation on the start path.
/// Numbers keep their text so 64-bit integers (rlimits) lose nothing.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    public var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.0)
    }
}

public struct JSONError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    static let maximumDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func error(_ message: String) -> JSONError {
        var line = 1, column = 1
        for byte in bytes.prefix(index) {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return JSONError(message: message, line: line, column: column)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONError) -> JSONValue {
        let expected = Array(literal.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw error("expected \(literal)")
        }
        index += expected.count
        return value
    }

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of file") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(String(UnicodeScalar(byte)))'")
        }
    }

    private mutating func nested<T>(_ body: (inout JSONParser) throws(JSONError) -> T) throws(JSONError) -> T {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nested too deeply") }
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try nested { parser throws(JSONError) in
            parser.index += 1
            var members: [(String, JSONValue)] = []
            parser.skipWhitespace()
            if parser.current == UInt8(ascii: "}") {
                parser.index += 1
                return .object(members)
            }
            while true {
                parser.skipWhitespace()
                guard parser.current == UInt8(ascii: "\"") else { throw parser.error("expected a member name in quotes") }
                let key = try parser.parseString()
                parser.skipWhitespace()
                guard parser.current == UInt8(ascii: ":") else { throw parser.error("expected ':' after \"\(key)\"") }
                parser.index += 1
                parser.skipWhitespace()
                members.append((key, try parser.parseValue()))
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: ",") { parser.index += 1; continue }
                if parser.current == UInt8(ascii: "}") { parser.index += 1; return .object(members) }
                throw parser.error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try nested { parser throws(JSONError) in
            parser.index += 1
            var elements: [JSONValue] = []
            parser.skipWhitespace()
            if parser.current == UInt8(ascii: "]") {
                parser.index += 1
                return .array(elements)
            }
            while true {
                parser.skipWhitespace()
                elements.append(try parser.parseValue())
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: ",") { parser.index += 1; continue }
                if parser.current == UInt8(ascii: "]") { parser.index += 1; return .array(elements) }
                throw parser.error("expected ',' or ']' in an array")
            }
        }
    }

    /// RFC 8259's grammar exactly: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
            if isDigit(current) { throw error("a number may not have a leading zero") }
        } else {
            _ = try digits("expected a digit in a number")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            _ = try digits("expected a digit after '.' in a number")
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            _ = try digits("expected a digit in a number's exponent")
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// Consumes one or more digits; none is the error given.
    private mutating func digits(_ missing: String) throws(JSONError) -> Int {
        let start = index
        while isDigit(current) { index += 1 }
        guard index > start else { throw error(missing) }
        return index - start
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1
        var output: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw error("unterminated string") }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"): output += try parseUnicodeEscape()
                default: throw error("invalid escape \\\(String(UnicodeScalar(escaped)))")
                }
            case 0..<0x20:
                throw error("control character in a string")
            default:
                output.append(byte)
            }
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        index += 4
        return value
    }

    private mutating func parseUnicodeEscape() throws(JSONError) -> [UInt8] {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in \\u escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
        return Array(String(Character(unicode)).utf8)
    }
}
