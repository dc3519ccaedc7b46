#!/usr/bin/env python3
"""Start-to-exit cost of a trivial VM: vmm vs. bare KVM calls in C vs. QEMU.

Each run goes through benchmarks/baseline/build/peakrss, which forks the
command, waits for it with wait4 and hands back wall time and peak RSS
(a child forked straight from Python would inherit Python's ~10 MiB).
Runs are interleaved across commands so drift hits all of them alike.
"""

import argparse
import os
import sys

from common import (KVM_HLT, MAKE_BASELINE, PEAKRSS, VMM, format_target, median, peakrss,
                    require, summary, target, usable, vm_commands, write_json)

# The targets.
MAX_VMM_OVER_C = 1.5
MIN_QEMU_OVER_VMM = 10.0
MAX_VMM_RSS_KIB = 8 * 1024


def ms(ns):
    return ns / 1e6


def targets(results):
    """The issue's targets over the medians; those whose commands ran."""
    med = {name: median(r["wall_ns"]) for name, r in results.items()}
    found = []
    if "vmm" not in results:
        return found
    if "C baseline" in results:
        found.append(target("vmm / C wall time", med["vmm"] / med["C baseline"], "<=", MAX_VMM_OVER_C, "x",
                            f"vmm {ms(med['vmm']):.2f} ms, C {ms(med['C baseline']):.2f} ms"))
    if "QEMU microvm" in results:
        found.append(target("QEMU / vmm wall time", med["QEMU microvm"] / med["vmm"], ">=", MIN_QEMU_OVER_VMM, "x",
                            f"QEMU {ms(med['QEMU microvm']):.2f} ms"))
    rss = median(results["vmm"]["peak_rss_kib"])
    found.append(target("vmm peak RSS", round(rss / 1024, 1), "<", MAX_VMM_RSS_KIB // 1024, " MiB"))
    return found


def report(results, found):
    print(f"{'command':<14} {'median ms':>10} {'min ms':>8} {'median peak RSS':>16}")
    for name, r in results.items():
        print(f"{name:<14} {ms(median(r['wall_ns'])):>10.2f} "
              f"{ms(min(r['wall_ns'])):>8.2f} "
              f"{median(r['peak_rss_kib']) / 1024:>12.1f} MiB")
    print()
    if "vmm" not in results:
        print("targets: n/a (vmm skipped)")
    for t in found:
        print(format_target(t))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20, help="runs per command (default 20)")
    p.add_argument("--vmm", default=VMM, help="vmm binary (default .build/release/vmm)")
    p.add_argument("--baseline", default=KVM_HLT, help="C baseline binary")
    p.add_argument("--skip-missing", action="store_true",
                   help="skip a command whose binary or image is absent instead of failing")
    p.add_argument("--json", metavar="FILE", help="also write the runs, their statistics and the targets there")
    args = p.parse_args()
    if args.runs < 1:
        p.error("--runs must be at least 1")

    require(PEAKRSS, MAKE_BASELINE)
    cmds = usable(vm_commands(os.path.abspath(args.vmm), os.path.abspath(args.baseline)), args.skip_missing)
    results = {c.name: {"argv": c.argv, "expected_status": c.status, "wall_ns": [], "peak_rss_kib": []}
               for c in cmds}
    for _ in range(args.runs):
        for c in cmds:
            wall_ns, rss_kib = peakrss(c.argv, c.status)
            results[c.name]["wall_ns"].append(wall_ns)
            results[c.name]["peak_rss_kib"].append(rss_kib)
    print(f"{args.runs} runs each\n")
    found = targets(results)
    report(results, found)
    if args.json:
        for r in results.values():
            r["wall_ns_summary"] = summary(r["wall_ns"])
            r["peak_rss_kib_summary"] = summary(r["peak_rss_kib"])
        write_json(args.json, {"benchmark": "firmware_start", "runs": args.runs,
                               "commands": results, "targets": found})


if __name__ == "__main__":
    sys.exit(main())
