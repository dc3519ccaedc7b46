#!/usr/bin/env python3
"""Host memory a VM costs beyond its guest memory, measured from outside.

(a) One VM, Firecracker's way: start a guest that spins forever (`spin`
    firmware; QEMU's spin.bin), wait until its guest memory is mapped and
    its footprint stops changing, then sum Rss (and Pss) over every mapping
    in /proc/PID/smaps except the guest memory's. That is the VMM's own
    resident memory: code, heap, stacks, kvm_run pages. The same for the C
    baseline and QEMU microvm.
(b) M VMs at once: the same sums per VM (Pss shares the VMM's code pages
    among the M), and MemAvailable's drop as they start and its rise once
    they are gone, a cross-check that also sees what smaps cannot: KVM's
    kernel-side memory, page tables and the guest pages touched.
    MemAvailable moves with everything else on the host, so it is only
    meaningful on a quiet machine (the two readings disagree otherwise).

Target (issue 6): vmm's overhead (a) under 5 MiB, Firecracker's bound.
Every VM is stopped with SIGTERM (SIGKILL if it lingers) and reaped on
every path out of this script.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from common import (KVM_HLT, MAX_VMM_OVERHEAD_KIB, VMM, format_target, target, usable, vm_commands,
                    write_json)


def smaps(pid):
    """[(mapping name, {"Rss": KiB, "Pss": KiB})] of a live process."""
    mappings = []
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                mappings.append((" ".join(fields[5:]), {}))
            elif fields[0] in ("Rss:", "Pss:"):
                mappings[-1][1][fields[0][:-1]] = int(fields[1])
    return mappings


def footprint(pid, guest_ram):
    """Rss and Pss summed over the VMM's own mappings; the guest memory's
    mappings counted and their Rss."""
    own = {"rss_kib": 0, "pss_kib": 0, "guest_mappings": 0, "guest_rss_kib": 0}
    for name, sizes in smaps(pid):
        if name.startswith(guest_ram):
            own["guest_mappings"] += 1
            own["guest_rss_kib"] += sizes.get("Rss", 0)
        else:
            own["rss_kib"] += sizes.get("Rss", 0)
            own["pss_kib"] += sizes.get("Pss", 0)
    return own


def mem_available_kib():
    """MemAvailable, after folding the per-CPU counters into it where this
    user may (root): otherwise they lag by up to about a MiB per CPU."""
    try:
        with open("/proc/sys/vm/stat_refresh", "w") as f:
            f.write("1")
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    raise RuntimeError("no MemAvailable in /proc/meminfo")


class Running:
    """VMs started from one command, stopped and reaped however the block ends."""

    def __init__(self, command, count):
        self.command, self.count, self.procs = command, count, []

    def __enter__(self):
        self.log = tempfile.TemporaryFile()
        try:
            for _ in range(self.count):
                self.procs.append(subprocess.Popen(self.command.argv, stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL, stderr=self.log))
        except BaseException:
            # __exit__ does not run when __enter__ fails: stop what started.
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.log.close()

    def died(self, proc):
        self.log.seek(0)
        return (f"ABORT: {self.command.name} exited {proc.returncode} before it was measured\n"
                f"  command: {' '.join(self.command.argv)}\n{self.log.read().decode(errors='replace')}")

    def settled(self, settle, timeout=20):
        """Waits until every VM has its guest memory mapped, then until two
        readings settle seconds apart agree; returns the last readings."""
        deadline = time.monotonic() + timeout
        previous = None
        while time.monotonic() < deadline:
            readings = []
            for p in self.procs:
                if p.poll() is not None:
                    sys.exit(self.died(p))
                try:
                    readings.append(footprint(p.pid, self.command.guest_ram))
                except (FileNotFoundError, ProcessLookupError):
                    sys.exit(self.died(p) if p.poll() is not None else f"lost /proc/{p.pid}")
            mapped = all(r["guest_mappings"] for r in readings)
            if mapped and readings == previous:
                return readings
            previous = readings if mapped else None
            time.sleep(settle if mapped else 0.01)
        sys.exit(f"ABORT: {self.command.name}: footprint still changing after {timeout} s")


def one_vm(command, settle):
    with Running(command, 1) as running:
        return running.settled(settle)[0]


def many_vms(command, count, settle):
    """Per VM: the smaps sums, and MemAvailable's drop when the VMs start
    and its rise when they are gone (two readings of the same cost: if they
    disagree, something else on the host moved it)."""
    before = mem_available_kib()
    with Running(command, count) as running:
        readings = running.settled(settle)
        during = mem_available_kib()
    time.sleep(settle)  # the kernel frees some of a VM after its process is reaped
    after = mem_available_kib()
    per_vm = lambda key: sum(r[key] for r in readings) / count
    return {"vms": count, "pss_kib_per_vm": per_vm("pss_kib"), "rss_kib_per_vm": per_vm("rss_kib"),
            "guest_rss_kib_per_vm": per_vm("guest_rss_kib"),
            "mem_available_drop_kib_per_vm": (before - during) / count,
            "mem_available_rise_kib_per_vm": (after - during) / count}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vms", type=int, default=8, help="VMs at once for (b) (default 8)")
    p.add_argument("--settle", type=float, default=0.2,
                   help="seconds between the readings that must agree (default 0.2)")
    p.add_argument("--vmm", default=VMM, help="vmm binary (default .build/release/vmm)")
    p.add_argument("--baseline", default=KVM_HLT, help="C baseline binary")
    p.add_argument("--skip-missing", action="store_true",
                   help="skip a command whose binary or image is absent instead of failing")
    p.add_argument("--json", metavar="FILE", help="write the results and the target there")
    args = p.parse_args()
    # A SIGTERM to this script unwinds it like an exception, so no VM outlives it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("memory.py: terminated"))
    commands = usable(vm_commands(os.path.abspath(args.vmm), os.path.abspath(args.baseline), forever=True),
                      args.skip_missing)

    results = {}
    for c in commands:
        results[c.name] = {"argv": c.argv, "guest_ram_mapping": c.guest_ram,
                           "one": one_vm(c, args.settle), "many": many_vms(c, args.vms, args.settle)}

    print("(a) one VM: resident memory outside guest memory (/proc/PID/smaps)")
    print(f"{'command':<14} {'Rss KiB':>9} {'Pss KiB':>9} {'guest Rss KiB':>14}")
    for name, r in results.items():
        one = r["one"]
        print(f"{name:<14} {one['rss_kib']:>9} {one['pss_kib']:>9} {one['guest_rss_kib']:>14}")
    print(f"\n(b) {args.vms} VMs at once, per VM")
    print(f"{'command':<14} {'Pss KiB':>9} {'Rss KiB':>9} {'guest Rss KiB':>14} "
          f"{'MemAvailable KiB: drop at start':>32} {'rise at stop':>13}")
    for name, r in results.items():
        many = r["many"]
        print(f"{name:<14} {many['pss_kib_per_vm']:>9.0f} {many['rss_kib_per_vm']:>9.0f} "
              f"{many['guest_rss_kib_per_vm']:>14.0f} {many['mem_available_drop_kib_per_vm']:>32.0f} "
              f"{many['mem_available_rise_kib_per_vm']:>13.0f}")
    print()
    found = []
    if "vmm" in results:
        kib = results["vmm"]["one"]["rss_kib"]
        found.append(target("vmm overhead RSS, one VM", round(kib / 1024, 2), "<", MAX_VMM_OVERHEAD_KIB // 1024,
                            " MiB", f"{kib} KiB outside guest memory"))
    for name in ("C baseline", "QEMU microvm"):
        if "vmm" in results and name in results:
            print(f"vmm / {name} overhead RSS: "
                  f"{results['vmm']['one']['rss_kib'] / results[name]['one']['rss_kib']:.2f}x")
    for t in found:
        print(format_target(t))
    if args.json:
        write_json(args.json, {"benchmark": "memory", "vms": args.vms, "commands": results, "targets": found})


if __name__ == "__main__":
    main()
