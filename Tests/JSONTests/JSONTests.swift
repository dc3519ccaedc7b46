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

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect { try JSONParser.parse(Array(deep.utf8)) } throws: { "\($0)".hasSuffix("nested too deeply") }
    }
}
