/// Where a userspace virtio-net device's Ethernet frames go and come
/// from: a TAP, or passt's stream socket. Frames cross without the
/// virtio-net header (the device adds and strips it).
public protocol FramePort: AnyObject, Sendable {
    /// Readable when a frame may be waiting (polled by the event loop).
    var descriptor: Int32 { get }
    /// Sends one frame; one the host side cannot take now is dropped, as a full NIC would.
    func send(_ frame: UnsafeRawBufferPointer)
    /// The next frame into `buffer`: its length, 0 when none is waiting,
    /// nil when the port has ended (its peer went away).
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int?
}
