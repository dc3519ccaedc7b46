import COS
import Glibc
import OS
import TestSupport

/// Runs `body` on a thread of its own that first moves into a new, empty
/// network namespace: what it makes (veths, TAPs, qdiscs) and the
/// programs it starts never touch the test process's namespace, and all
/// of it goes when the thread ends.
func inFreshNamespace<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = Outcome<T>()
    let thread = try NativeThread {
        guard cos_new_network_namespace() == 0 else {
            outcome.value = .failure(NamespaceTestError("unshare(CLONE_NEWNET): \(String(cString: strerror(errno)))"))
            return
        }
        outcome.value = Result { try body() }
    }
    thread.join()
    return try outcome.value!.get()
}

/// Set by the namespace's thread, read after joining it.
private final class Outcome<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

struct NamespaceTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs iproute2's `tool` in the calling thread's namespace (posix_spawn
/// from this thread: the child inherits its namespace); what it printed,
/// or an error with what it said.
@discardableResult
func iproute(_ tool: String, _ arguments: [String]) throws -> String {
    let result = Command.run("/usr/sbin/\(tool)", arguments, timeout: 30)
    guard result.status == 0 else {
        throw NamespaceTestError("\(tool) \(arguments.joined(separator: " ")): status \(result.status): \(result.standardError)")
    }
    return result.standardOutput
}

func ip(_ arguments: String...) throws { try iproute("ip", arguments) }

func tc(_ arguments: String...) throws -> String { try iproute("tc", arguments) }

/// The set-up a manager leaves: a veth pair v0/v1, both up, and v0 (only)
/// with a MAC and MTU of our choosing, an address of each family and a
/// default route of each through it.
func managerVeth() throws {
    try ip("link", "add", "v0", "address", "02:11:22:33:44:55", "mtu", "1400", "type", "veth", "peer", "name", "v1")
    try ip("link", "set", "v0", "up")
    try ip("link", "set", "v1", "up")
    try ip("addr", "add", "10.88.0.5/16", "dev", "v0")
    try ip("-6", "addr", "add", "fd00::5/64", "dev", "v0", "nodad")
    try ip("route", "add", "default", "via", "10.88.0.1")
    try ip("-6", "route", "add", "default", "via", "fd00::1")
}

func interfaceIndex(_ name: String) -> Int32 { Int32(bitPattern: if_nametoindex(name)) }
