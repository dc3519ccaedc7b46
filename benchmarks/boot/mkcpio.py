#!/usr/bin/env python3
"""mkcpio.py OUT INIT: a newc cpio holding INIT as /init (mode 0755). The
kernel's built-in initramfs already has /dev/console."""
import sys


def entry(name, mode, data, ino):
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = header + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def main(out, init):
    with open(init, "rb") as f:
        data = entry("init", 0o100755, f.read(), 1) + entry("TRAILER!!!", 0, b"", 0)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(*sys.argv[1:])
