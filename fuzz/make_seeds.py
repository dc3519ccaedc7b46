#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/TARGET/: seed-* inputs that take a
harness down its normal path all the way (libFuzzer mutates from them),
refused-* ones it must refuse. Run after a harness's input layout changes;
the files are committed and FuzzTests checks each outcome."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, "..", "guest")


def write(target, name, data, prefix="seed-"):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, prefix + name), "wb") as f:
        f.write(data)


def descriptor(address, length, flags=0, next_index=0):
    return struct.pack("<QIHH", address, length, flags, next_index)


NEXT, WRITE, INDIRECT = 1, 2, 4


def virtqueue():
    # Header: size, flags (bit 0: indirect allowed), table, available, used;
    # then guest memory from 0: table 0x100, rings 0x200/0x300, buffers above.
    def layout(size, flags, table, available_entries, extra):
        memory = bytearray(0x700)
        memory[0x100:0x100 + len(table)] = table
        ring = struct.pack("<HH", 0, len(available_entries)) + b"".join(struct.pack("<H", e) for e in available_entries)
        memory[0x200:0x200 + len(ring)] = ring
        for address, data in extra:
            memory[address:address + len(data)] = data
        return struct.pack("<HBHHH", size, flags, 0x100, 0x200, 0x300) + bytes(memory)

    direct = descriptor(0x400, 16, NEXT, 1) + descriptor(0x500, 64, WRITE)
    write("virtqueue", "direct", layout(4, 0, direct, [0], [(0x400, b"request-bytes!!!")]))
    indirect = descriptor(0x600, 32, INDIRECT)
    table = descriptor(0x400, 16, NEXT, 1) + descriptor(0x500, 64, WRITE)
    write("virtqueue", "indirect", layout(4, 1, indirect, [0], [(0x600, table), (0x400, b"indirect-request")]))
    looping = descriptor(0x400, 8, NEXT, 1) + descriptor(0x400, 8, NEXT, 0)
    write("virtqueue", "loop", layout(2, 0, looping, [0], []), prefix="refused-")


def virtio_mmio():
    # Ops: 0 write32 (offset, value); 3 memory write (address, length, bytes); 4 notify (queue).
    program = bytearray([0])  # the sinks accept
    def w32(offset, value):
        program.extend(struct.pack("<BHI", 0, offset, value))
    def memory(address, data):
        for start in range(0, len(data), 255):
            piece = data[start:start + 255]
            program.extend(struct.pack("<BHB", 3, address + start, len(piece)) + piece)
    w32(0x70, 1)
    w32(0x70, 3)
    w32(0x24, 0); w32(0x20, 1 << 1)  # multiport
    w32(0x24, 1); w32(0x20, 1)       # VERSION_1
    w32(0x70, 11)
    # Queues 0-3 (port 0 rx/tx, control rx/tx) of 4 entries each.
    for queue in range(4):
        base = 0x1000 + queue * 0x400
        w32(0x30, queue); w32(0x38, 4)
        w32(0x80, base); w32(0x84, 0)
        w32(0x90, base + 0x100); w32(0x94, 0)
        w32(0xA0, base + 0x200); w32(0xA4, 0)
        w32(0x44, 1)
    w32(0x70, 15)
    # Control tx (queue 3): init's "ready" message, then a notify.
    ready = bytes.fromhex("020000000100")
    memory(0x8000, ready)
    memory(0x1000 + 3 * 0x400, descriptor(0x8000, len(ready)))
    memory(0x1000 + 3 * 0x400 + 0x100, struct.pack("<HHH", 0, 1, 0))
    program.extend([4, 3])
    # Port 0 tx (queue 1): console output.
    text = b"hello from the guest\n"
    memory(0x9000, text)
    memory(0x1000 + 1 * 0x400, descriptor(0x9000, len(text)))
    memory(0x1000 + 1 * 0x400 + 0x100, struct.pack("<HHH", 0, 1, 0))
    program.extend([4, 1])
    write("virtio-mmio", "bring-up", bytes(program))


def vectors(name):
    """guest/NAME's golden lines: (what, bytes)."""
    with open(os.path.join(GUEST, name)) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                what, hex_text = line.rsplit("=", 1)
                yield what.strip(), bytes.fromhex(hex_text.replace(" ", "").strip())


def console_control():
    stream = b"".join(data for _, data in vectors("control-vectors.txt"))
    # A piece length byte before each piece of the stream.
    pieces = b""
    for start in range(0, len(stream), 17):
        piece = stream[start:start + 17]
        pieces += bytes([len(piece) - 1]) + piece
    write("console-control", "vectors", pieces)
    write("init-control", "vectors", pieces)  # init's decoder takes the same pieces


def init_process_description():
    # The magic, then one record of each field (a second rootfs replaces the first).
    records = {}
    for what, data in vectors("process-vectors.txt"):
        records.setdefault(what.split()[0], data)
    write("init-process-description", "vectors", b"".join(records.values()))


def init_network_config():
    for what, data in vectors("control-vectors.txt"):
        if what.startswith("network"):
            family = "ipv6" if "::" in what else "ipv4"
            write("init-network-config", family, data[6:])  # the payload, after length and type


def vhost_user_replies():
    def reply(request, payload):
        return struct.pack("<III", request, 0x5, len(payload)) + payload
    def u64(value):
        return struct.pack("<Q", value)
    replies = reply(1, u64((1 << 32) | (1 << 30)))  # GET_FEATURES
    replies += reply(15, u64(1 << 3))                 # GET_PROTOCOL_FEATURES: REPLY_ACK
    for request in [2, 5] + [8, 9, 10, 13, 12, 18] * 2:  # acks
        replies += reply(request, u64(0))
    replies += reply(11, struct.pack("<II", 0, 0))    # GET_VRING_BASE
    write("vhost-user-replies", "virtiofsd", replies)
    write("vhost-user-replies", "no-protocol-features", reply(1, u64(1 << 32)) + reply(11, struct.pack("<II", 0, 0)))


def config_json():
    podman = b"""{"ociVersion": "1.0.2-dev", "process": {"terminal": true, "consoleSize": {"height": 24, "width": 80},
 "user": {"uid": 0, "gid": 0, "additionalGids": [10], "umask": 18}, "args": ["sh", "-c", "echo hi"],
 "env": ["PATH=/usr/bin:/bin", "TERM=xterm"], "cwd": "/", "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL"],
 "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"], "ambient": []}, "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1048576}],
 "noNewPrivileges": true, "oomScoreAdj": 100},
 "root": {"path": "rootfs", "readonly": false}, "hostname": "box",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
  {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
  {"destination": "/etc/hosts", "type": "bind", "source": "/etc/hosts", "options": ["bind", "rprivate", "ro"]},
  {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]}],
 "hooks": {"prestart": [{"path": "/bin/true", "args": ["true"], "env": ["A=b"], "timeout": 5}]},
 "annotations": {"io.podman.annotations.autoremove": "TRUE"},
 "linux": {"sysctl": {"net.ipv4.ping_group_range": "0 0"}, "resources": {"memory": {"limit": 268435456}, "cpu": {"quota": 200000, "period": 100000}, "pids": {"limit": 2048},
  "devices": [{"allow": false, "access": "rwm"}]}, "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
  "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
  "maskedPaths": ["/proc/kcore", "/sys/firmware"], "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"], "seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}}
"""
    write("config-json", "podman", podman)
    write("config-json", "minimal", b'{"process": {"args": ["/bin/true"], "cwd": "/"}, "root": {"path": "rootfs"}}')
    write("config-json", "not-a-spec", prefix="refused-", data= b'{"a": "\\u00e9\\n\\"", "b": [1, -2.5e3, true, false, null], "c": {}}')


def kernel_image():
    # A bzImage: one setup sector after the boot sector, 16 bytes of kernel.
    image = bytearray(2 * 512 + 16)
    image[0x1F1] = 1
    struct.pack_into("<I", image, 0x1F4, 1)
    struct.pack_into("<H", image, 0x1FE, 0xAA55)
    image[0x201] = 0x66
    struct.pack_into("<I", image, 0x202, 0x53726448)
    struct.pack_into("<H", image, 0x206, 0x020F)
    struct.pack_into("<I", image, 0x22C, 0x37FFFFFF)
    struct.pack_into("<H", image, 0x236, 1)
    struct.pack_into("<I", image, 0x238, 2048)
    struct.pack_into("<I", image, 0x260, 0x10000)
    write("kernel-image", "bzimage", bytes(image))
    # An ELF: one PT_LOAD at 1 MiB and a PT_NOTE with the PVH entry (Xen note 18).
    note = struct.pack("<III", 4, 4, 18) + b"Xen\0" + struct.pack("<I", 0x100000)
    code = b"\xf4" * 16
    header_size, phsize = 64, 56
    notes_offset = header_size + 2 * phsize
    code_offset = notes_offset + len(note)
    elf = bytearray(b"\x7fELF" + bytes([2, 1, 1]) + bytes(9))
    elf += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x100000, header_size, 0, 0, header_size, phsize, 2, 64, 0, 0)
    elf += struct.pack("<IIQQQQQQ", 1, 5, code_offset, 0x100000, 0x100000, len(code), len(code), 0x1000)
    elf += struct.pack("<IIQQQQQQ", 4, 4, notes_offset, 0, 0, len(note), len(note), 4)
    elf += note + code
    write("kernel-image", "elf-pvh", bytes(elf))


if __name__ == "__main__":
    for make in (virtqueue, virtio_mmio, console_control, vhost_user_replies, config_json, kernel_image,
                 init_process_description, init_network_config):
        make()
    sys.exit(0)
