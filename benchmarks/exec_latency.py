#!/usr/bin/env python3
"""`vmm exec` of /bin/true into a running container, against `crun exec`
into a crun container of the same bundle, in the same run: the median
wall time of each (spawn of the exec command to its exit), and the ratio.

    python3 benchmarks/exec_latency.py [--runs N] [--json FILE]

A container needs a Linux guest that boots to init: natively on a host
with VT-x/AMD-V; on a PVM host the script runs itself inside the emulated
AMD-V test machine (testmachine/run.sh), where times are emulated and
only the ratio means something. Both runtimes get the same bundle: the
default rootfs (scripts/make-default-bundle.sh) under `crun spec`'s
config.json, with `sleep 1000` as the process.

On a PVM host it first measures the host side of an exec on the host
itself: `vmm exec` into a firmware stand-in that answers EXEC as init
would (no crun baseline: crun needs a cgroup v2-only host).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from common import ROOT, VMM, rerun_in_test_machine, firmware, host_kind, median, require, summary, write_json

CRUN = shutil.which("crun") or "/usr/bin/crun"


def bundle(directory):
    subprocess.run(["bash", os.path.join(ROOT, "scripts/make-default-bundle.sh"), directory],
                   check=True, stdout=subprocess.DEVNULL)
    path = os.path.join(directory, "config.json")
    os.unlink(path)
    # crun's own default spec (namespaces, /proc, /dev, /sys mounts), which crun needs and vmm takes.
    subprocess.run([CRUN, "spec"], cwd=directory, check=True)
    with open(path) as f:
        config = json.load(f)
    config["process"]["args"] = ["sleep", "1000"]
    config["process"]["terminal"] = False
    with open(path, "w") as f:
        json.dump(config, f)
    return directory


def exec_times(runtime, root, bundle_dir, runs, stdin=subprocess.DEVNULL, status=0):
    """Runs the container detached, then `exec … /bin/true` runs times
    (each must exit with status)."""
    cid = f"exec-bench-{os.getpid()}"
    base = [runtime, "--root", root]
    subprocess.run(base + ["create", "--bundle", bundle_dir, cid], check=True,
                   stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(base + ["start", cid], check=True)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(base + ["exec", cid, "/bin/true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            if done.returncode != status:
                sys.exit(f"exec_latency: {runtime} exec exited {done.returncode}, not {status}")
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        subprocess.run(base + ["delete", "--force", cid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def standin_times(vmm, scratch, runs):
    """vmm exec into a firmware stand-in (firmware/virtio_console answers
    EXEC as init would): the host side of an exec (client, monitor socket,
    control port, relay) with next to no guest work, on any KVM host."""
    b = os.path.join(scratch, "standin")
    os.makedirs(os.path.join(b, "rootfs"))
    with open(os.path.join(b, "config.json"), "w") as f:
        json.dump({"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "root": {"path": "rootfs"},
                   "annotations": {"dev.vmm.firmware": firmware("virtio_console")}}, f)
    fifo = os.path.join(scratch, "standin.stdin")
    os.mkfifo(fifo)
    keep_open = os.open(fifo, os.O_RDWR)  # the stand-in runs until its stdin ends
    try:
        with open(fifo) as stdin:
            return exec_times(vmm, os.path.join(scratch, "standin-root"), b, runs, stdin=stdin, status=5)
    finally:
        os.close(keep_open)


def measure(args):
    require(args.vmm, "swift build -c release --product vmm")
    require(CRUN, "apt-get install crun (podman's default runtime)")
    with tempfile.TemporaryDirectory() as scratch:
        b = bundle(os.path.join(scratch, "bundle"))
        results = {
            "vmm": exec_times(args.vmm, os.path.join(scratch, "vmm-root"), b, args.runs),
            "crun": exec_times(CRUN, os.path.join(scratch, "crun-root"), b, args.runs),
        }
    ratio = median(results["vmm"]) / median(results["crun"])
    emulated = args.inside or host_kind() != "hardware"
    print(f"exec of /bin/true into a running container, {args.runs} runs, ms"
          + (" (emulated AMD-V: proportions only)" if emulated else ""))
    for name, values in results.items():
        s = summary(values)
        print(f"  {name:5} median {s['median']:9.2f}   min {s['min']:9.2f}   p90 {s['p90']:9.2f}")
    print(f"  vmm / crun (median): {ratio:.2f}x")
    if args.json:
        write_json(args.json, {"benchmark": "exec_latency", "runs": args.runs, "emulated": emulated,
                               "ms": {name: summary(values) for name, values in results.items()},
                               "vmm_over_crun": ratio, "targets": []})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--vmm", default=VMM)
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if host_kind() == "hardware" or args.inside:
        measure(args)
        return
    if host_kind() == "pvm" and not args.inside:
        require(args.vmm, "swift build -c release --product vmm")
        with tempfile.TemporaryDirectory() as scratch:
            s = summary(standin_times(args.vmm, scratch, args.runs))
        print(f"exec into a firmware stand-in on this host (PVM), {args.runs} runs: the host side of an exec, ms")
        print(f"  vmm   median {s['median']:9.2f}   min {s['min']:9.2f}   p90 {s['p90']:9.2f}")
        if args.json:
            write_json(os.path.join(ROOT, "benchmarks/results", "exec_latency_host.json"),
                       {"benchmark": "exec_latency_host", "runs": args.runs, "ms": s, "targets": []})
    # No Linux guest boots on this host: the same, inside the test machine.
    rerun_in_test_machine("exec_latency", __file__, ["--runs", str(args.runs), "--vmm", args.vmm], args.json)


if __name__ == "__main__":
    main()
