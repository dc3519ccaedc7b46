#!/usr/bin/env python3
"""Where a test machine that ran past its limit is: asks QEMU's monitor
(HMP on a Unix socket) for each vCPU's state and instruction pointer a few
times, and names each address by the machine's own /proc/kallsyms (copied
to the control share at boot, so KASLR does not matter).

    freeze_report.py MONITOR_SOCKET [KALLSYMS]

Prints lines "testmachine: frozen? ..." for run.sh's failure report.
"""
import bisect
import re
import socket
import sys
import time


def hmp(path, commands):
    """Each command's reply text, in order."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(path)
        def until_prompt():
            data = b""
            while not data.endswith(b"(qemu) "):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data.decode(errors="replace")
        until_prompt()
        replies = []
        for command in commands:
            s.sendall(command.encode() + b"\n")
            reply = until_prompt()
            replies.append(reply.replace("\r", "").split("\n", 1)[-1].rsplit("(qemu)", 1)[0])
        return replies


def symbols(path):
    addresses, names = [], []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in "tTwW":
                    addresses.append(int(parts[0], 16))
                    names.append(parts[2] + (" " + parts[3] if len(parts) > 3 else ""))
    except OSError:
        pass
    order = sorted(range(len(addresses)), key=addresses.__getitem__)
    return [addresses[i] for i in order], [names[i] for i in order]


def name(address, table):
    addresses, names = table
    i = bisect.bisect_right(addresses, address) - 1
    if i < 0 or address - addresses[i] > 0x100000:
        return hex(address)
    return f"{names[i]}+{address - addresses[i]:#x}"


def main():
    monitor = sys.argv[1]
    table = symbols(sys.argv[2]) if len(sys.argv) > 2 else ([], [])
    samples = []
    try:
        for _ in range(5):
            cpus, registers = hmp(monitor, ["info cpus", "info registers -a"])
            samples.append((cpus, registers))
            time.sleep(0.3)
    except OSError as error:
        print(f"testmachine: frozen? QEMU's monitor did not answer ({error}): QEMU itself is stuck")
        return
    halted = [line.strip() for line in samples[-1][0].splitlines() if line.strip()]
    print(f"testmachine: frozen? QEMU answers; vCPUs: {'; '.join(halted)}")
    seen = []
    for _, registers in samples:
        for rip in re.findall(r"RIP=([0-9a-f]{16})", registers):
            seen.append(int(rip, 16))
    print("testmachine: frozen? instruction pointers over 1.5 s: " + ", ".join(name(a, table) for a in seen))
    flags = re.findall(r"RFL=([0-9a-f]+)", samples[-1][1])
    if flags:
        interrupts = "on" if int(flags[0], 16) & 0x200 else "off"
        print(f"testmachine: frozen? interrupts {interrupts} on vCPU 0 (RFLAGS {flags[0]})")


if __name__ == "__main__":
    main()
