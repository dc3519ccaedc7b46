import GuestImage
import JSON

/// What `linux.resources` asks of the VM's size: a VM is sized by its
/// memory and vCPUs, so the memory limit and the CPU quota or cpuset are
/// applied as those; annotations may set them outright.
public struct VMSize: Equatable, Sendable {
    /// linux.resources.memory.limit, in bytes (nil: none, or -1).
    public var memoryLimit: UInt64?
    /// ceil(cpu.quota / cpu.period), or the cpuset's count, the smaller of both.
    public var cpus: UInt32?

    /// Annotations that override the sizing (docs/oci.md).
    public static let memoryAnnotation = "dev.vmm.memory-mib"
    public static let cpusAnnotation = "dev.vmm.cpus"

    public init(memoryLimit: UInt64? = nil, cpus: UInt32? = nil) {
        self.memoryLimit = memoryLimit
        self.cpus = cpus
    }
}

extension SpecReader {
    /// The resources that size the VM; the others are reported, once.
    mutating func readResources(_ resources: JSONValue?) throws(BundleError) -> VMSize {
        var size = VMSize()
        guard let resources, resources != .null else { return size }
        guard case .object(let members) = resources else { throw fail("linux.resources is not an object") }
        if let memory = resources["memory"], memory != .null {
            if case .number(let text) = memory["limit"] ?? .null, text == "-1" {
                size.memoryLimit = nil
            } else if let limit = memory["limit"], limit != .null {
                let bytes = try uint64(limit, "linux.resources.memory.limit")
                guard bytes > 0 else { throw fail("linux.resources.memory.limit is 0") }
                size.memoryLimit = bytes
            }
            let others = memory.keys.filter { $0 != "limit" && memory[$0] != .null }
            if !others.isEmpty { warnings.append("\(file): linux.resources.memory.\(others.joined(separator: ", linux.resources.memory.")) not applied (the VM's memory is the limit)") }
        }
        if let cpu = resources["cpu"], cpu != .null {
            size.cpus = try readCPUs(cpu)
            let others = cpu.keys.filter { !["quota", "period", "cpus"].contains($0) && cpu[$0] != .null }
            if !others.isEmpty { warnings.append("\(file): linux.resources.cpu.\(others.joined(separator: ", linux.resources.cpu.")) not applied (the VM's vCPUs are the limit)") }
        }
        let unapplied = members.map(\.0).filter { !["memory", "cpu", "devices", "pids"].contains($0) && resources[$0] != .null }
        if !unapplied.isEmpty { warnings.append("\(file): linux.resources.\(unapplied.joined(separator: ", linux.resources.")) not applied inside the VM yet") }
        return size
    }

    /// What the container's cgroup in the guest applies: the pids limit.
    func readCgroupFiles(_ resources: JSONValue?) throws(BundleError) -> [ProcessDescription.Setting] {
        guard let pids = resources?["pids"], pids != .null, let limit = pids["limit"], limit != .null else { return [] }
        guard case .number(let text) = limit, let number = Int64(text) else { throw fail("linux.resources.pids.limit is not an integer") }
        // 0 and -1 mean no limit, the cgroup's default.
        return number > 0 ? [.init(key: "pids.max", value: String(number))] : []
    }

    private func readCPUs(_ cpu: JSONValue) throws(BundleError) -> UInt32? {
        var counts: [UInt32] = []
        if let quotaValue = cpu["quota"], quotaValue != .null, case .number(let text) = quotaValue, text != "-1", text != "0" {
            let quota = try uint64(quotaValue, "linux.resources.cpu.quota")
            let period = try cpu["period"].flatMap { $0 == .null ? nil : $0 }.map { value throws(BundleError) in
                try uint64(value, "linux.resources.cpu.period")
            } ?? 100_000
            guard period > 0 else { throw fail("linux.resources.cpu.period is 0") }
            counts.append(UInt32(min((quota + period - 1) / period, UInt64(UInt32.max))))
        }
        if let set = try optionalString(cpu["cpus"], "linux.resources.cpu.cpus"), !set.isEmpty {
            guard let count = Self.cpusetCount(set) else { throw fail("linux.resources.cpu.cpus '\(set)' is not a cpuset list (like 0-3,6)") }
            counts.append(count)
        }
        return counts.min()
    }

    /// "0-3,6" → 5; nil when malformed.
    static func cpusetCount(_ list: String) -> UInt32? {
        var cpus = Set<UInt32>()
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = UInt32(bounds[0]), let high = UInt32(bounds.last!), low <= high, high < 4096 else { return nil }
            for cpu in low...high { cpus.insert(cpu) }
        }
        return cpus.isEmpty ? nil : UInt32(cpus.count)
    }
}
