#!/usr/bin/env python3
"""Time from `vmm run` start to the kernel's first instruction.

Runs `vmm run --kernel K --stop-at-first-exit` N times with its JSON
timeline for the bzImage and the ELF vmlinux that kernel/build.sh built,
and prints the median time of each event. "first vCPU entry" is when
KVM_RUN is entered: the guest's first instruction runs right after it.
"first guest exit" adds the guest's own work until its first exit:
microseconds on hardware virtualization, far longer on PVM, where the
entry code is emulated.

Target (issue "Boot Linux directly"): under 5 ms to the first instruction,
bzImage included.
"""
import argparse
import os
import statistics
import sys

from common import EARLY_CONSOLE_CMDLINE, MAX_FIRST_INSTRUCTION_MS, kernel_directory
from timeline import run_timeline


def run_once(vmm, kernel):
    return run_timeline([vmm, "run", "--kernel", kernel, "--stop-at-first-exit",
                         "--cmdline", EARLY_CONSOLE_CMDLINE])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--vmm", default=".build/release/vmm")
    args = parser.parse_args()
    if not os.access(args.vmm, os.X_OK):
        sys.exit(f"no vmm binary at {args.vmm}: swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product vmm")
    directory = kernel_directory()
    if not directory:
        sys.exit("no built kernel: run kernel/build.sh first")
    print(f"{args.runs} runs each; medians in ms since vmm started\n")
    print(f"{'kernel':10} {'size MB':>8} {'KVM ready':>11} {'loaded':>8} {'configured':>11} {'first entry':>14} {'first exit':>11}")
    verdicts = []
    for name in ("bzImage", "vmlinux"):
        path = os.path.join(directory, name)
        runs = [run_once(args.vmm, path) for _ in range(args.runs)]
        def median(phase):
            return statistics.median(run[phase] for run in runs)
        started = median("first_vcpu_entry")
        print(f"{name:10} {os.path.getsize(path) / 1e6:8.1f} {median('kvm_ready'):11.2f} {median('kernel_loaded'):8.2f} "
              f"{median('vcpus_configured'):11.2f} {started:14.2f} {median('first_guest_exit'):11.2f}")
        verdicts.append(f"{name}: first instruction at {started:.2f} ms, target < {MAX_FIRST_INSTRUCTION_MS} ms   "
                        f"{'PASS' if started < MAX_FIRST_INSTRUCTION_MS else 'MISS'}")
    print()
    for verdict in verdicts:
        print(verdict)


if __name__ == "__main__":
    main()
