import JSON

extension BenchSummary {
    public static let schema = "vmm-bench/1"

    /// Schema `vmm-bench/1` (docs/timeline.md).
    public func json(arguments: [String], runs: Int, warmup: Int, host: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("schema", .string(Self.schema)), ("argv", .array(arguments.map { .string($0) })),
            ("runs", .number("\(runs)")), ("warmup", .number("\(warmup)")), ("host", .string(host)),
            ("exit_status", .number("\(samples.first?.exitStatus ?? 0)")),
            ("phases", .array(phases.map { $0.json(suffix: "_us") })),
            ("background", .array(background.map { $0.json(suffix: "_us") })),
            ("total_us", total.json), ("wall_us", wall.json),
        ]
        if let peakRSS { members.append(("peak_rss_kib", peakRSS.json)) }
        if let vmmOverhead { members.append(("vmm_overhead_kib", vmmOverhead.json)) }
        members.append(("samples", .array(samples.map { sample in
            var fields: [(String, JSONValue)] = [("wall_us", .number("\(sample.wallMicroseconds)"))]
            if let memory = sample.memory { fields.append(("peak_rss_kib", .number("\(memory.peakRSSKiB)"))) }
            fields.append(("timeline", sample.timeline))
            return .object(fields)
        })))
        return .object(members)
    }

    /// A table for people: one row per phase, then totals and memory.
    public var text: String {
        var lines = ["phase (ends at)" + String(repeating: " ", count: Self.labelWidth - 15) + "       min    median       p90       max  (µs)"]
        for row in phases { lines.append(row.line(name: row.name + (row.count < samples.count ? " [\(row.count) runs]" : ""))) }
        lines.append(Self.line("total, in vmm (the phases' sum)", total))
        lines.append(Self.line("wall, spawn to reap (adds exec and exit)", wall))
        if !background.isEmpty {
            lines.append("beside the main line (µs since start)")
            for row in background { lines.append(row.line(name: "  " + row.name)) }
        }
        if let peakRSS { lines.append(Self.line("peak RSS (KiB)", peakRSS)) }
        if let vmmOverhead { lines.append(Self.line("vmm overhead: peak RSS without guest memory (KiB)", vmmOverhead)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static let labelWidth = 52

    static func line(_ name: String, _ values: Distribution) -> String {
        let cells = [values.minimum, values.median, values.p90, values.maximum].map { value in
            let text = "\(value)"
            return String(repeating: " ", count: max(0, 10 - text.count)) + text
        }
        let label = name + String(repeating: " ", count: max(1, labelWidth - name.count))
        return label + cells.joined()
    }
}

extension BenchSummary.Row {
    func json(suffix: String) -> JSONValue {
        .object([
            ("id", .string(id)), ("name", .string(name)), ("count", .number("\(count)")),
            ("min" + suffix, .number("\(values.minimum)")), ("median" + suffix, .number("\(values.median)")),
            ("p90" + suffix, .number("\(values.p90)")), ("max" + suffix, .number("\(values.maximum)")),
        ])
    }

    func line(name: String) -> String { BenchSummary.line(name, values) }
}

extension Distribution {
    var json: JSONValue {
        .object([
            ("min", .number("\(minimum)")), ("median", .number("\(median)")),
            ("p90", .number("\(p90)")), ("max", .number("\(maximum)")),
        ])
    }
}
