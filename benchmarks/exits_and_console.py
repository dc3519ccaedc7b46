#!/usr/bin/env python3
"""What a guest exit and the container channel cost.

1. Exit round trips: the `roundtrip` firmware does 10000 port writes and
   10000 MMIO writes between boot-timer markers. Per-exit cost in vmm
   (its --timeline) against the minimal C KVM program (its marker times).
2. Console throughput: `virtio_console` echoes stdin to stdout through the
   multiport virtio-console (ioeventfd kicks, irqfd interrupts, the
   control port). MB/s for a large stdin, net of an empty run's boot, and
   the time per 4 KiB buffer (one guest buffer per notification), set
   against the cost of one port-I/O exit.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDTRIPS = 10000


def markers_vmm(vmm):
    result = subprocess.run([vmm, "run", "--timeline", "--firmware", "firmware/build/roundtrip.bin"], capture_output=True, text=True)
    times = {}
    for line in result.stderr.splitlines():
        parts = line.split()
        if line.startswith("timeline:") and parts[3:5] == ["guest", "marker"]:
            times[int(parts[5])] = float(parts[1]) * 1e6  # ms → ns
    return times


def markers_c(baseline):
    result = subprocess.run([baseline, "firmware/build/roundtrip.bin"], capture_output=True, text=True)
    times = {}
    for line in result.stderr.splitlines():
        parts = line.split()
        if parts[:1] == ["marker"] and len(parts) == 3:
            times[int(parts[1])] = int(parts[2])
    return times


def per_exit(samples):
    pio = statistics.median((m[2] - m[1]) / ROUNDTRIPS / 1000 for m in samples)
    mmio = statistics.median((m[3] - m[2]) / ROUNDTRIPS / 1000 for m in samples)
    return pio, mmio


def timed(command, stdin_path):
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter()
        result = subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    if result.returncode != 7:
        sys.exit(f"ABORT: {' '.join(command)} exited {result.returncode}: {result.stderr.decode()}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mib", type=int, default=32, help="stdin size for the throughput run")
    parser.add_argument("--vmm", default=".build/release/vmm")
    parser.add_argument("--baseline", default="benchmarks/baseline/build/kvm_hlt")
    args = parser.parse_args()

    vmm_pio, vmm_mmio = per_exit([markers_vmm(args.vmm) for _ in range(args.runs)])
    c_pio, c_mmio = per_exit([markers_c(args.baseline) for _ in range(args.runs)])
    print(f"exit round trip (median of {args.runs} runs of {ROUNDTRIPS}):")
    print(f"  port I/O  vmm {vmm_pio:6.2f} us   C {c_pio:6.2f} us   vmm/C {vmm_pio / c_pio:4.2f}x")
    print(f"  MMIO      vmm {vmm_mmio:6.2f} us   C {c_mmio:6.2f} us   vmm/C {vmm_mmio / c_mmio:4.2f}x")

    command = [args.vmm, "run", "--firmware", "firmware/build/virtio_console.bin"]
    with tempfile.TemporaryDirectory() as scratch:
        empty = os.path.join(scratch, "empty")
        big = os.path.join(scratch, "big")
        open(empty, "wb").close()
        with open(big, "wb") as out:
            out.write(os.urandom(args.mib << 20))
        base = statistics.median(timed(command, empty) for _ in range(args.runs))
        full = statistics.median(timed(command, big) for _ in range(max(3, args.runs // 3)))
    moved = args.mib << 20
    net = max(full - base, 1e-9)
    buffers = moved / 4096
    print(f"\nconsole: {args.mib} MiB stdin → guest → stdout in {full * 1000:.0f} ms (boot and exit alone {base * 1000:.1f} ms)")
    print(f"  throughput {moved / net / 1e6:.1f} MB/s; {net / buffers * 1e6:.1f} us per 4 KiB buffer "
          f"= {net / buffers * 1e6 / c_pio:.1f} C port-I/O exits")


if __name__ == "__main__":
    main()
