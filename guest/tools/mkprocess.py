#!/usr/bin/env python3
"""Writes a vmm process description (/vmm/process, guest/PROTOCOL.md section 1).

For tests and manual QEMU runs; the VMM writes the same format in Swift.

  mkprocess.py -o process --env PATH=/bin --cwd /tmp -- sh -c 'echo hi'
  mkprocess.py -o process --arg /bin/echo --arg 'a b' --terminal --rootfs myfs:ro

Arguments are taken as bytes (surrogateescape), so any argv survives.
"""
import argparse
import struct
import sys

MAGIC = b"VMMPROC1"
ARG, ENV, CWD, UID, GID, GROUPS, HOSTNAME, RLIMIT, TERMINAL, ROOTFS, MOUNT, UMASK, BINDS, CAPS, NO_NEW_PRIVS, \
    OOM_SCORE_ADJ, SYSCTL, DEVICE, CGROUP = range(1, 20)
CAP_SETS = ("bounding", "effective", "permitted", "inheritable", "ambient")
RLIM_INFINITY = 0xFFFFFFFFFFFFFFFF
# Resource numbers of <sys/resource.h> on Linux (x86_64).
RLIMITS = {
    "cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5, "nproc": 6, "nofile": 7,
    "memlock": 8, "as": 9, "locks": 10, "sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14,
    "rttime": 15,
}
MOUNT_FLAGS = {
    "ro": 1, "nosuid": 2, "nodev": 4, "noexec": 8, "remount": 32, "noatime": 1024, "nodiratime": 2048,
    "bind": 4096, "move": 8192, "rec": 16384, "unbindable": 1 << 17, "private": 1 << 18, "slave": 1 << 19,
    "shared": 1 << 20, "relatime": 1 << 21, "strictatime": 1 << 24,
}


def b(text):
    return text.encode("utf-8", "surrogateescape")


def record(tag, value):
    return struct.pack("<HI", tag, len(value)) + value


def field(value):
    if len(value) > 0xFFFF:
        raise SystemExit(f"mkprocess: mount field longer than 65535 bytes: {value[:40]!r}...")
    return struct.pack("<H", len(value)) + value


def limit(text):
    return RLIM_INFINITY if text in ("inf", "infinity", "unlimited") else int(text, 0)


def parse_rlimit(spec):
    # NAME=SOFT[:HARD], NAME a resource name or number
    name, _, values = spec.partition("=")
    soft, _, hard = values.partition(":")
    resource = RLIMITS[name.lower()] if name.lower() in RLIMITS else int(name, 0)
    return struct.pack("<IQQ", resource, limit(soft), limit(hard or soft))


def parse_mount(spec):
    # TYPE:SOURCE:TARGET[:FLAGS[:DATA]], FLAGS comma-separated names or a number
    parts = spec.split(":", 4)
    if len(parts) < 3:
        raise SystemExit(f"mkprocess: --mount wants TYPE:SOURCE:TARGET[:FLAGS[:DATA]], got {spec!r}")
    mtype, source, target = parts[:3]
    flags_text = parts[3] if len(parts) > 3 else ""
    data = parts[4] if len(parts) > 4 else ""
    flags = 0
    for name in filter(None, flags_text.split(",")):
        flags |= MOUNT_FLAGS[name] if name in MOUNT_FLAGS else int(name, 0)
    return (field(b(mtype)) + field(b(source)) + field(b(target)) + struct.pack("<I", flags)
            + field(b(data)))


def parse_caps(spec):
    # SET=N,N,...;SET=... with CAP_* numbers; a set not named is empty
    sets = dict.fromkeys(CAP_SETS, 0)
    for part in filter(None, spec.split(";")):
        name, _, numbers = part.partition("=")
        if name not in sets:
            raise SystemExit(f"mkprocess: --caps set {name!r} is not one of {', '.join(CAP_SETS)}")
        for number in filter(None, numbers.split(",")):
            sets[name] |= 1 << int(number)
    return struct.pack("<5Q", *(sets[name] for name in CAP_SETS))


def build(opts, argv):
    out = bytearray(MAGIC)
    for arg in argv:
        out += record(ARG, b(arg))
    for env in opts.env:
        out += record(ENV, b(env))
    if opts.cwd is not None:
        out += record(CWD, b(opts.cwd))
    if opts.uid is not None:
        out += record(UID, struct.pack("<I", opts.uid))
    if opts.gid is not None:
        out += record(GID, struct.pack("<I", opts.gid))
    if opts.groups is not None:
        gids = [int(g) for g in opts.groups.split(",") if g]
        out += record(GROUPS, struct.pack(f"<{len(gids)}I", *gids))
    if opts.hostname is not None:
        out += record(HOSTNAME, b(opts.hostname))
    for spec in opts.rlimit:
        out += record(RLIMIT, parse_rlimit(spec))
    if opts.terminal:
        out += record(TERMINAL, b"\x01")
    if opts.rootfs is not None:
        tag, ro = opts.rootfs, 0
        if tag.endswith(":ro"):
            tag, ro = tag[:-3], 1
        out += record(ROOTFS, bytes([ro]) + b(tag))
    for spec in opts.mount:
        out += record(MOUNT, parse_mount(spec))
    if opts.umask is not None:
        out += record(UMASK, struct.pack("<I", int(opts.umask, 8)))
    if opts.caps is not None:
        out += record(CAPS, parse_caps(opts.caps))
    if opts.no_new_privs:
        out += record(NO_NEW_PRIVS, b"\x01")
    if opts.oom_score_adj is not None:
        out += record(OOM_SCORE_ADJ, struct.pack("<i", opts.oom_score_adj))
    for spec in opts.device:
        # TYPE:MAJOR:MINOR:PATH[:MODE[:UID[:GID]]]
        parts = spec.split(":")
        mode = int(parts[4], 8) if len(parts) > 4 else 0o666
        uid = int(parts[5]) if len(parts) > 5 else 0
        gid = int(parts[6]) if len(parts) > 6 else 0
        out += record(DEVICE, field(b(parts[3])) + b(parts[0]) + struct.pack("<5I", int(parts[1]), int(parts[2]), mode, uid, gid))
    for tag, specs in ((SYSCTL, opts.sysctl), (CGROUP, opts.cgroup)):
        for spec in specs:
            key, _, value = spec.partition("=")
            out += record(tag, field(b(key)) + field(b(value)))
    return bytes(out)


def main():
    if "--" in sys.argv:
        split = sys.argv.index("--")
        ours, trailing = sys.argv[1:split], sys.argv[split + 1:]
    else:
        ours, trailing = sys.argv[1:], []
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                usage="%(prog)s [-o FILE] [options] [--arg X ...] [-- ARGV...]")
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    p.add_argument("--arg", action="append", default=[], help="one argv element (repeatable)")
    p.add_argument("--env", action="append", default=[], metavar="K=V")
    p.add_argument("--cwd")
    p.add_argument("--uid", type=int)
    p.add_argument("--gid", type=int)
    p.add_argument("--groups", metavar="G1,G2", help="additional gids")
    p.add_argument("--hostname")
    p.add_argument("--rlimit", action="append", default=[], metavar="NAME=SOFT[:HARD]")
    p.add_argument("--terminal", action="store_true", help="the process gets hvc0 as its terminal")
    p.add_argument("--rootfs", metavar="TAG[:ro]", help="virtio-fs tag to mount as the root")
    p.add_argument("--mount", action="append", default=[], metavar="TYPE:SOURCE:TARGET[:FLAGS[:DATA]]")
    p.add_argument("--umask", metavar="OCTAL")
    p.add_argument("--caps", metavar="SET=N,..;SET=..", help="capability sets by CAP_* number (bounding, effective, ...)")
    p.add_argument("--no-new-privs", action="store_true")
    p.add_argument("--oom-score-adj", type=int)
    p.add_argument("--sysctl", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--cgroup", action="append", default=[], metavar="FILE=VALUE", help="a file of the container's cgroup")
    p.add_argument("--device", action="append", default=[], metavar="TYPE:MAJOR:MINOR:PATH[:MODE[:UID[:GID]]]")
    opts = p.parse_args(ours)
    argv = opts.arg + trailing
    if not argv:
        p.error("no process arguments: give --arg X or put them after --")
    data = build(opts, argv)
    if opts.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(opts.output, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
