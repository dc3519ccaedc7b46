/// Writes JSON text (state.json, `vmm state`, JSON logs).
public enum JSONWriter {
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func write(_ value: JSONValue, indent: String? = nil, level: Int = 0) -> String {
        let newline = indent == nil ? "" : "\n"
        let pad = indent.map { String(repeating: $0, count: level + 1) } ?? ""
        let closePad = indent.map { String(repeating: $0, count: level) } ?? ""
        let separator = indent == nil ? ":" : ": "
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return string(text)
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            return "[" + newline + elements.map { pad + write($0, indent: indent, level: level + 1) }.joined(separator: "," + newline) + newline + closePad + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            return "{" + newline + members.map { pad + string($0.0) + separator + write($0.1, indent: indent, level: level + 1) }
                .joined(separator: "," + newline) + newline + closePad + "}"
        }
    }
}
