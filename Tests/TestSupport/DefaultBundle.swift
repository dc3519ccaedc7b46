import Foundation
import Testing

/// The bundle scripts/make-default-bundle.sh makes (busybox), with its
/// config.json changed by `edit`: the full-boot tests' starting point.
public enum DefaultBundle {
    public static func make(at bundle: String, edit: (inout [String: Any]) -> Void) throws {
        let make = Command.run("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/make-default-bundle.sh").path, bundle])
        try #require(make.status == 0, "\(make.standardError)")
        let config = URL(fileURLWithPath: bundle + "/config.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: config)
    }

    /// The process's arguments, in an `edit`.
    public static func setArguments(_ arguments: [String], in json: inout [String: Any]) {
        var process = json["process"] as? [String: Any] ?? [:]
        process["args"] = arguments
        json["process"] = process
    }
}
