#!/usr/bin/env python3
"""What a guest exit and the container channel cost.

1. Exit round trips: the `roundtrip` firmware does 10000 port writes and
   10000 MMIO writes between boot-timer markers. Per-exit cost in vmm
   (its JSON timeline's guest_marker_N events) against the minimal C KVM
   program (its marker times). Target (issue 6): within 1.2x of C.
2. Console throughput: `virtio_console` echoes stdin to stdout through the
   multiport virtio-console (ioeventfd kicks, irqfd interrupts, the
   control port). MB/s for a large stdin, net of an empty run's boot, and
   the time per 4 KiB buffer (one guest buffer per notification), set
   against the cost of one port-I/O exit.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from common import (BUILD_VMM, KVM_HLT, MAKE_BASELINE, VMM, firmware, format_target, median, require,
                    target, write_json)

ROUNDTRIPS = 10000
MAX_VMM_OVER_C = 1.2
ROUNDTRIP = firmware("roundtrip")
CONSOLE = firmware("virtio_console")


def markers_vmm(vmm):
    """Marker number → ns since vmm started, from `--timeline=json`."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".json") as out:
        command = [vmm, "run", "--timeline=json", "--timeline-output", out.name, "--firmware", ROUNDTRIP]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"ABORT: {' '.join(command)} exited {result.returncode}\n{result.stderr}")
        events = json.load(out)["events"]
    prefix = "guest_marker_"
    return {int(e["id"][len(prefix):]): e["at_us"] * 1000 for e in events if e["id"].startswith(prefix)}


def markers_c(baseline):
    result = subprocess.run([baseline, ROUNDTRIP], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ABORT: {baseline} {ROUNDTRIP} exited {result.returncode}\n{result.stderr}")
    times = {}
    for line in result.stderr.splitlines():
        parts = line.split()
        if parts[:1] == ["marker"] and len(parts) == 3:
            times[int(parts[1])] = int(parts[2])
    return times


def per_exit(samples):
    pio = median((m[2] - m[1]) / ROUNDTRIPS / 1000 for m in samples)
    mmio = median((m[3] - m[2]) / ROUNDTRIPS / 1000 for m in samples)
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
    parser.add_argument("--vmm", default=VMM)
    parser.add_argument("--baseline", default=KVM_HLT)
    parser.add_argument("--json", metavar="FILE", help="also write the results and targets there")
    args = parser.parse_args()
    require(args.vmm, BUILD_VMM)
    require(args.baseline, MAKE_BASELINE)
    for image in (ROUNDTRIP, CONSOLE):
        require(image, "make -C firmware")

    vmm_pio, vmm_mmio = per_exit([markers_vmm(args.vmm) for _ in range(args.runs)])
    c_pio, c_mmio = per_exit([markers_c(args.baseline) for _ in range(args.runs)])
    print(f"exit round trip (median of {args.runs} runs of {ROUNDTRIPS}):")
    print(f"  port I/O  vmm {vmm_pio:6.2f} us   C {c_pio:6.2f} us   vmm/C {vmm_pio / c_pio:4.2f}x")
    print(f"  MMIO      vmm {vmm_mmio:6.2f} us   C {c_mmio:6.2f} us   vmm/C {vmm_mmio / c_mmio:4.2f}x")
    found = [target("vmm / C port-I/O exit", vmm_pio / c_pio, "<=", MAX_VMM_OVER_C, "x",
                    f"vmm {vmm_pio:.2f} us, C {c_pio:.2f} us"),
             target("vmm / C MMIO exit", vmm_mmio / c_mmio, "<=", MAX_VMM_OVER_C, "x",
                    f"vmm {vmm_mmio:.2f} us, C {c_mmio:.2f} us")]
    for t in found:
        print(format_target(t))

    command = [args.vmm, "run", "--firmware", CONSOLE]
    with tempfile.TemporaryDirectory() as scratch:
        empty = os.path.join(scratch, "empty")
        big = os.path.join(scratch, "big")
        open(empty, "wb").close()
        with open(big, "wb") as out:
            out.write(os.urandom(args.mib << 20))
        base = median(timed(command, empty) for _ in range(args.runs))
        full = median(timed(command, big) for _ in range(max(3, args.runs // 3)))
    moved = args.mib << 20
    net = max(full - base, 1e-9)
    buffers = moved / 4096
    print(f"\nconsole: {args.mib} MiB stdin → guest → stdout in {full * 1000:.0f} ms (boot and exit alone {base * 1000:.1f} ms)")
    print(f"  throughput {moved / net / 1e6:.1f} MB/s; {net / buffers * 1e6:.1f} us per 4 KiB buffer "
          f"= {net / buffers * 1e6 / c_pio:.1f} C port-I/O exits")
    if args.json:
        write_json(args.json, {
            "benchmark": "exits_and_console", "runs": args.runs, "roundtrips": ROUNDTRIPS,
            "per_exit_us": {"vmm": {"pio": vmm_pio, "mmio": vmm_mmio}, "C baseline": {"pio": c_pio, "mmio": c_mmio}},
            "console": {"mib": args.mib, "total_ms": full * 1000, "boot_and_exit_ms": base * 1000,
                        "mb_per_second": moved / net / 1e6, "us_per_4k_buffer": net / buffers * 1e6},
            "targets": found})


if __name__ == "__main__":
    main()
