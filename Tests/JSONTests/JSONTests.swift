import Testing
@testable import JSON

@Suite("JSON reader")
struct JSONTests {
    @Test func readsEveryKindOfValue() throws {
        let value = try JSONParser.parse(Array(#"{"a": [1, -2.5e3, true, false, null], "s": "x\"\\\/\n\t\u00e9\ud83d\ude00", "big": 18446744073709551615}"#.utf8))
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value["s"] == .string("x\"\\/\n\té😀"))
        #expect(value["big"] == .number("18446744073709551615"), "numbers keep every digit")
        #expect(value.keys == ["a", "s", "big"])
    }

    @Test(arguments: [
        ("{\"a\" 1}", "line 1, column 6: expected ':' after \"a\""),
        ("{\n  \"a\": [1, 2,\n}", "line 3, column 1: unexpected character '}'"),
        ("[1] 2", "line 1, column 5: unexpected text after the JSON value"),
        ("\"abc", "line 1, column 5: unterminated string"),
        ("{\"a\": tru}", "line 1, column 7: expected true"),
        ("", "line 1, column 1: unexpected end of file"),
        ("\"\\ud800\"", "line 1, column 8: unpaired surrogate in \\u escape"),
    ])
    func errorsSayWhereAndWhat(text: String, message: String) {
        #expect { try JSONParser.parse(Array(text.utf8)) } throws: { "\($0)" == message }
    }

    @Test(arguments: ["0", "-0", "7", "-12", "0.5", "-0.25e-3", "1E+9", "6.02e23", "18446744073709551615"])
    func numbersOfTheRFCGrammarKeepTheirText(text: String) throws {
        #expect(try JSONParser.parse(Array("[\(text)]".utf8)) == .array([.number(text)]))
    }

    @Test(arguments: [
        ("[-e]", "line 1, column 3: expected a digit in a number"),
        ("[--1]", "line 1, column 3: expected a digit in a number"),
        ("[1.2.3]", "line 1, column 5: expected ',' or ']' in an array"),
        ("[01]", "line 1, column 3: a number may not have a leading zero"),
        ("[1.]", "line 1, column 4: expected a digit after '.' in a number"),
        ("[1e]", "line 1, column 4: expected a digit in a number's exponent"),
        ("[1e+]", "line 1, column 5: expected a digit in a number's exponent"),
        ("[-]", "line 1, column 3: expected a digit in a number"),
        ("[1-2]", "line 1, column 3: expected ',' or ']' in an array"),
    ])
    func numbersOutsideTheRFCGrammarAreRefused(text: String, message: String) {
        #expect { try JSONParser.parse(Array(text.utf8)) } throws: { "\($0)" == message }
    }

    /// What the writer writes, the reader reads back unchanged, compact or indented.
    @Test func theWriterAndTheReaderRoundTrip() throws {
        let value = JSONValue.object([
            ("ociVersion", .string("1.0.2")), ("n", .number("-1.5e-7")), ("big", .number("18446744073709551615")),
            ("text", .string("tab\t quote\" back\\ nl\n cr\r bell\u{7} é 😀")), ("empty", .object([])),
            ("list", .array([.null, .bool(true), .bool(false), .array([]), .number("0")])),
        ])
        for indent in [nil, " "] as [String?] {
            let text = JSONWriter.write(value, indent: indent)
            #expect(try JSONParser.parse(Array(text.utf8)) == value, "\(text)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect { try JSONParser.parse(Array(deep.utf8)) } throws: { "\($0)".hasSuffix("nested too deeply") }
    }
}
