#!/usr/bin/env python3
"""Where the "teardown done" phase goes: vmm's teardown of a guest without
an irqchip (hlt) and of one with it (virtio_console), against what the
kernel alone spends destroying an empty VM of each kind (kvm_destroy).

    python3 benchmarks/teardown.py [--runs N] [--json FILE]

The phase is the time from "VM stopped" (or "memory measured") to "teardown
done": closing devices, unmapping guest memory and the last KVM file
descriptor, on which the kernel destroys the VM.
"""
import argparse
import os
import json
import subprocess

from common import MAKE_BASELINE, ROOT, VMM, firmware, median, require, write_json
from timeline import run_timeline

KVM_DESTROY = os.path.join(ROOT, "benchmarks/baseline/build/kvm_destroy")


def teardown_ms(vmm, guest, runs):
    phases = []
    for _ in range(runs):
        at = run_timeline([vmm, "run", "--firmware", firmware(guest)], expected_status=None)
        before = at.get("memory_measured", at["vm_stopped"])
        phases.append(at["teardown_done"] - before)
    return median(phases)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--vmm", default=VMM)
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args()
    require(args.vmm, "swift build -c release --product vmm")
    require(KVM_DESTROY, MAKE_BASELINE)
    kernel = json.loads(subprocess.run([KVM_DESTROY, str(args.runs)], check=True, capture_output=True, text=True).stdout)
    vmm = {"hlt (no irqchip)": teardown_ms(args.vmm, "hlt", args.runs),
           "virtio_console (irqchip + PIT)": teardown_ms(args.vmm, "virtio_console", args.runs)}
    print(f"median of {args.runs} runs, ms")
    for name, value in vmm.items():
        print(f"  vmm teardown phase, {name:32} {value:8.2f}")
    for name in ("no irqchip", "irqchip", "irqchip + PIT"):
        print(f"  kernel destroys an empty VM, {name:27} {kernel[name]['median_us'] / 1000:8.2f}")
    if args.json:
        write_json(args.json, {"benchmark": "teardown", "runs": args.runs, "vmm_teardown_ms": vmm,
                               "kernel_destroy_us": kernel, "targets": []})


if __name__ == "__main__":
    main()
