import COS

/// Joins a TAP to the manager's interface as Kata's "tcfilter" model does:
/// each one's ingress is redirected to the other's egress (tc mirred), so
/// frames pass between the guest and the manager's network unchanged, with
/// no bridge and no address on the TAP.
public enum TrafficRedirect {
    /// Redirects both ways; on a failure halfway nothing it added stays.
    public static func connect(_ tapIndex: Int32, _ interfaceIndex: Int32) throws(NetworkError) {
        do {
            try redirect(from: tapIndex, to: interfaceIndex)
        } catch {
            removeIngress(tapIndex)
            throw error
        }
        do {
            try redirect(from: interfaceIndex, to: tapIndex)
        } catch {
            removeIngress(interfaceIndex)
            removeIngress(tapIndex)
            throw error
        }
    }

    /// Takes the interface's ingress qdisc away, and its redirect with it.
    /// The TAP's own goes when the TAP does.
    public static func disconnect(_ interfaceIndex: Int32) {
        removeIngress(interfaceIndex)
    }

    static func redirect(from: Int32, to: Int32) throws(NetworkError) {
        var err = [CChar](repeating: 0, count: 256)
        guard cos_tc_redirect_ingress(from, to, &err, err.count) == 0 else {
            throw NetworkError("joining the TAP to the namespace's interface: \(String(cString: err))")
        }
    }

    /// Best effort: teardown has no one to tell.
    static func removeIngress(_ index: Int32) {
        var err = [CChar](repeating: 0, count: 256)
        _ = cos_tc_remove_ingress(index, &err, err.count)
    }
}
