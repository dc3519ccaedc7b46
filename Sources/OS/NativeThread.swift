import COS
import Glibc

/// A plain pthread running one closure: for work that blocks in the
/// kernel (KVM_RUN, a helper's handshake), which must stay off Swift
/// concurrency's cooperative pool.
public final class NativeThread: @unchecked Sendable {
    public private(set) var thread: pthread_t = 0

    /// Starts `body` on a new thread at once. `name` (at most 15 bytes)
    /// shows in /proc/PID/task/TID/comm: what each thread spends is
    /// told apart there (the network benchmark reads it).
    public init(name: String? = nil, _ body: @escaping @Sendable () -> Void) throws(OSError) {
        let box = Unmanaged.passRetained(ThreadBody {
            if let name { cos_set_thread_name(name) }
            body()
        }).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            throw .thread(errno: result)
        }
    }

    public func join() {
        pthread_join(thread, nil)
    }
}

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
