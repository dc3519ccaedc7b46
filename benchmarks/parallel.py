#!/usr/bin/env python3
"""VMs per second, and each VM's start-to-exit time, with K at once.

For K = 1, 2, 4, 8 and the number of CPUs, runs the trivial guest N times
with at most K running (vmm, the C baseline, QEMU microvm with fewer runs)
through baseline/build/spawnrate, a small C launcher: spawning from Python
would cost about as much as the VM being measured. Latency is each VM's
spawn to its reap, so it grows once K exceeds the cores.

Target (issue 6): at least 200 trivial VMs per second with K = the number
of CPUs (2 on the development machines).
"""
import argparse
import json
import os
import subprocess
import sys

from common import (KVM_HLT, MAKE_BASELINE, SPAWNRATE, VMM, format_target, pyplot, require, target,
                    usable, vm_commands, write_json)

MIN_VMS_PER_SECOND = 200


def parallelisms():
    cpus = os.cpu_count() or 1
    return sorted({1, 2, 4, 8, cpus})


def spawnrate(command, k, runs):
    """spawnrate's JSON line for RUNS runs of command, K at once."""
    argv = [SPAWNRATE, "-k", str(k), "-n", str(runs), "-s", str(command.status), "--"] + command.argv
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ABORT ({command.name}, K={k}): {result.stderr.strip()}")
    return json.loads(result.stdout)


def table(results, ks):
    names = list(results)
    print(f"{'K':>3}  " + "  ".join(f"{n + ' VMs/s':>18} {'median ms':>9}" for n in names))
    for k in ks:
        cells = []
        for n in names:
            row = results[n]["by_k"][str(k)]
            cells.append(f"{row['vms_per_second']:>18.1f} {row['latency_ns']['median'] / 1e6:>9.2f}")
        print(f"{k:>3}  " + "  ".join(cells))


def ratios(results, k):
    """VMs/s of vmm over each other command at K, for the record."""
    if "vmm" not in results:
        return {}
    vmm = results["vmm"]["by_k"][str(k)]["vms_per_second"]
    return {f"vmm / {n}": vmm / r["by_k"][str(k)]["vms_per_second"] for n, r in results.items() if n != "vmm"}


def plot(results, ks, path):
    """Median latency and VMs/s against K, one line per command."""
    plt = pyplot()
    if not plt:
        return
    figure, (latency, rate) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, r in results.items():
        rows = [r["by_k"][str(k)] for k in ks]
        latency.plot(ks, [row["latency_ns"]["median"] / 1e6 for row in rows], marker="o", label=name)
        rate.plot(ks, [row["vms_per_second"] for row in rows], marker="o", label=name)
    latency.set(xlabel="VMs at once (K)", ylabel="median start-to-exit time (ms)", yscale="log",
                title="time per VM")
    rate.set(xlabel="VMs at once (K)", ylabel="VMs per second", yscale="log", title="throughput")
    rate.axhline(MIN_VMS_PER_SECOND, color="gray", linestyle=":", label=f"target {MIN_VMS_PER_SECOND}/s")
    for axes in (latency, rate):
        axes.set_xscale("log", base=2)
        axes.set_xticks(ks, [str(k) for k in ks])
        axes.grid(True, which="both", alpha=0.3)
    rate.legend()
    figure.suptitle(f"trivial VM (hlt firmware) with K at once, {os.cpu_count()} CPUs")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    print(f"wrote {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=200, help="VMs per K for vmm and C (default 200)")
    p.add_argument("--qemu-runs", type=int, default=40, help="VMs per K for QEMU (default 40)")
    p.add_argument("--vmm", default=VMM, help="vmm binary (default .build/release/vmm)")
    p.add_argument("--baseline", default=KVM_HLT, help="C baseline binary")
    p.add_argument("--skip-missing", action="store_true",
                   help="skip a command whose binary or image is absent instead of failing")
    p.add_argument("--json", metavar="FILE", help="write the results and the target there")
    p.add_argument("--plot", metavar="FILE.png", help="draw latency and VMs/s against K there")
    args = p.parse_args()
    require(SPAWNRATE, MAKE_BASELINE)
    commands = usable(vm_commands(os.path.abspath(args.vmm), os.path.abspath(args.baseline)), args.skip_missing)
    ks, cpus = parallelisms(), os.cpu_count() or 1

    results = {c.name: {"argv": c.argv, "expected_status": c.status, "by_k": {}} for c in commands}
    for c in commands:
        spawnrate(c, 1, 3)  # warm-up: page cache, first KVM use
    for k in ks:
        for c in commands:
            runs = args.qemu_runs if c.name == "QEMU microvm" else args.runs
            results[c.name]["by_k"][str(k)] = spawnrate(c, k, runs)

    print(f"runs per K: {args.runs} (QEMU {args.qemu_runs}); median = each VM's spawn to reap\n")
    table(results, ks)
    print()
    found = []
    for name, value in ratios(results, cpus).items():
        print(f"{name} VMs/s at K={cpus}: {value:.2f}x")
    if "vmm" in results:
        rate = results["vmm"]["by_k"][str(cpus)]["vms_per_second"]
        found.append(target(f"vmm VMs/s at K=nproc({cpus})", rate, ">=", MIN_VMS_PER_SECOND, "/s"))
    for t in found:
        print(format_target(t))
    if args.json:
        write_json(args.json, {"benchmark": "parallel", "cpus": cpus, "ks": ks, "runs": args.runs,
                               "qemu_runs": args.qemu_runs, "commands": results,
                               "ratios_at_nproc": ratios(results, cpus), "targets": found})
    if args.plot:
        plot(results, ks, args.plot)


if __name__ == "__main__":
    main()
