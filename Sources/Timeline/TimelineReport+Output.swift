import JSON

extension TimelineReport {
    public static let schema = "vmm-timeline/1"

    /// Schema `vmm-timeline/1` (docs/timeline.md).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("schema", .string(Self.schema)), ("clock", .string("monotonic")), ("unit", .string("us")),
            ("payload", .string(payload)), ("host", .string(host)), ("exit_status", .number("\(exitStatus)")),
            ("events", .array(events.map(\.json))), ("total_us", .number("\(totalMicroseconds)")),
        ]
        if let failure { members.append(("failure", .string(failure))) }
        if let memory {
            members.append(("memory", .object([
                ("peak_rss_kib", .number("\(memory.peakRSSKiB)")),
                ("guest_resident_kib", .number("\(memory.guestResidentKiB)")),
                ("vmm_overhead_kib", .number("\(memory.vmmOverheadKiB)")),
            ])))
        }
        return .object(members)
    }

    /// A table for people: time, phase, event; background events apart.
    public var text: String {
        var lines = ["timeline (µs since vmm started, one monotonic clock; the phases add up to the total)",
                     "     at µs   phase µs  event"]
        var printedParallelHeading = false
        for event in events {
            if event.phaseMicroseconds == nil, !printedParallelHeading {
                lines.append("  beside the main line:")
                printedParallelHeading = true
            }
            let phase = event.phaseMicroseconds.map { "\($0)" } ?? ""
            lines.append("\(pad(event.atMicroseconds, 10)) \(pad(phase, 10))  \(event.milestone.name)")
        }
        lines.append("  total \(totalMicroseconds) µs, exit status \(exitStatus)" + (failure.map { " (failed: \($0))" } ?? ""))
        if let memory {
            lines.append("  memory: peak RSS \(memory.peakRSSKiB) KiB, guest memory resident \(memory.guestResidentKiB) KiB, "
                + "vmm overhead \(memory.vmmOverheadKiB) KiB")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

extension TimelineReport.Event {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(milestone.id)), ("name", .string(milestone.name)), ("lane", .string(milestone.lane.rawValue)),
            ("at_us", .number("\(atMicroseconds)")),
        ]
        if let phaseMicroseconds { members.append(("phase_us", .number("\(phaseMicroseconds)"))) }
        return .object(members)
    }
}
