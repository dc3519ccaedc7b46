#!/usr/bin/env python3
"""Start-to-exit cost of a trivial VM: vmm vs. bare KVM calls in C vs. QEMU.

Each run goes through benchmarks/baseline/build/peakrss, which forks the
command, waits for it with wait4 and hands back wall time and peak RSS
(a child forked straight from Python would inherit Python's ~10 MiB).
Runs are interleaved across commands so drift hits all of them alike.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEAKRSS = os.path.join(ROOT, "benchmarks/baseline/build/peakrss")
HLT = os.path.join(ROOT, "firmware/build/hlt.bin")
RESET = os.path.join(ROOT, "benchmarks/qemu/build/reset.bin")

# The targets.
MAX_VMM_OVER_C = 1.5
MIN_QEMU_OVER_VMM = 10.0
MAX_VMM_RSS_KIB = 8 * 1024

# reset.bin writes 42 to isa-debug-exit; QEMU exits with (42 << 1) | 1.
QEMU_STATUS = (42 << 1) | 1


class Command:
    def __init__(self, name, argv, expected, needs):
        self.name, self.argv, self.expected, self.needs = name, argv, expected, needs
        self.wall_ns, self.rss_kib = [], []

    def missing(self):
        return [p for p in self.needs if not os.path.exists(p)]


def commands(args):
    qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
    return [
        Command("vmm", [args.vmm, "run", "--firmware", HLT], 0, [args.vmm, HLT]),
        Command("C baseline", [args.baseline, HLT], 0, [args.baseline, HLT]),
        Command("QEMU microvm", [
            qemu, "-M", "microvm,accel=kvm", "-bios", RESET,
            "-device", "isa-debug-exit,iobase=0x501,iosize=1",
            "-nodefaults", "-no-user-config", "-display", "none",
        ], QEMU_STATUS, [qemu, RESET]),
    ]


def run_once(cmd, workdir):
    """One run; aborts the whole benchmark if the exit status is wrong."""
    result = os.path.join(workdir, "result")
    log = os.path.join(workdir, "log")
    with open(log, "wb") as out:
        pid = os.posix_spawn(PEAKRSS, [PEAKRSS, result] + cmd.argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                           (os.POSIX_SPAWN_DUP2, out.fileno(), 2)])
        _, status, _ = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != cmd.expected:
        with open(log, errors="replace") as f:
            output = f.read()
        sys.exit(f"ABORT: {cmd.name} exited {code}, expected {cmd.expected}\n"
                 f"  command: {' '.join(cmd.argv)}\n  output:\n{output}")
    with open(result) as f:
        wall_ns, rss_kib = (int(x) for x in f.read().split())
    cmd.wall_ns.append(wall_ns)
    cmd.rss_kib.append(rss_kib)


def ms(ns):
    return ns / 1e6


def verdict(ok):
    return "PASS" if ok else "MISS"


def report(cmds):
    print(f"{'command':<14} {'median ms':>10} {'min ms':>8} {'median peak RSS':>16}")
    for c in cmds:
        print(f"{c.name:<14} {ms(statistics.median(c.wall_ns)):>10.2f} "
              f"{ms(min(c.wall_ns)):>8.2f} "
              f"{statistics.median(c.rss_kib) / 1024:>12.1f} MiB")

    by = {c.name: c for c in cmds}
    vmm, base, qemu = by.get("vmm"), by.get("C baseline"), by.get("QEMU microvm")
    med = lambda c: statistics.median(c.wall_ns)
    print()
    if not vmm:
        print("targets: n/a (vmm skipped)")
        return
    if base:
        r = med(vmm) / med(base)
        print(f"vmm / C    = {r:5.2f}x   target <= {MAX_VMM_OVER_C}x   {verdict(r <= MAX_VMM_OVER_C)}")
    if qemu:
        r = med(qemu) / med(vmm)
        print(f"QEMU / vmm = {r:5.2f}x   target >= {MIN_QEMU_OVER_VMM}x   {verdict(r >= MIN_QEMU_OVER_VMM)}")
    rss = statistics.median(vmm.rss_kib)
    print(f"vmm peak RSS = {rss / 1024:.1f} MiB   target < {MAX_VMM_RSS_KIB // 1024} MiB   "
          f"{verdict(rss < MAX_VMM_RSS_KIB)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20, help="runs per command (default 20)")
    p.add_argument("--vmm", default=os.path.join(ROOT, ".build/release/vmm"),
                   help="vmm binary (default .build/release/vmm)")
    p.add_argument("--baseline", default=os.path.join(ROOT, "benchmarks/baseline/build/kvm_hlt"),
                   help="C baseline binary")
    p.add_argument("--skip-missing", action="store_true",
                   help="skip a command whose binary or image is absent instead of failing")
    args = p.parse_args()
    if args.runs < 1:
        p.error("--runs must be at least 1")
    args.vmm, args.baseline = os.path.abspath(args.vmm), os.path.abspath(args.baseline)

    if not os.access(PEAKRSS, os.X_OK):
        sys.exit(f"missing {PEAKRSS}: run make -C benchmarks/baseline")
    cmds = []
    for c in commands(args):
        missing = c.missing()
        if not missing:
            cmds.append(c)
        elif args.skip_missing:
            print(f"skipping {c.name}: missing {', '.join(missing)}")
        else:
            sys.exit(f"{c.name}: missing {', '.join(missing)} (see benchmarks/README.md, "
                     f"or pass --skip-missing)")
    if not cmds:
        sys.exit("nothing to run")

    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.runs):
            for c in cmds:
                run_once(c, workdir)
    print(f"{args.runs} runs each\n")
    report(cmds)


if __name__ == "__main__":
    main()
