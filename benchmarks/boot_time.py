#!/usr/bin/env python3
"""Boot time on a clock that does not lie: every phase of a container start
and of a bare kernel boot, in the emulated AMD-V test machine under QEMU's
`-icount shift=0,sleep=off` (one instruction = one virtual ns; idle time
jumps to the next timer). Deterministic, so good for proportions and for
measuring each change; not absolute times.

    python3 benchmarks/boot_time.py [--runs N] [--json FILE] [--plot FILE]
                                    [--no-cloud] [--no-qemu] [--no-gaps]

Outside the test machine it prepares what the runs need (the marker
initramfs, Debian's cloud kernel) and runs itself inside one (`--inside`).
Inside it measures, N runs each, median and spread:

- **container**: `vmm bench -- /bin/true` (the default bundle over
  virtio-fs): every phase of vmm's timeline (docs/timeline.md), grouped as
  host set-up (process start → first vCPU entry), kernel (→ init_started),
  init (→ process_exec), process (→ process_exited), teardown.
- **bare boots** to the same marker, the harness's own /init
  (benchmarks/boot/marker_init.c: marker, guest clock, debug exit) in the
  same initramfs: our kernel under vmm; Debian's stock cloud kernel under
  vmm (the kernel a user would pick instead); our kernel under QEMU
  `microvm` with KVM (the VMM a user would pick instead). For each: the
  process's wall time, the guest's own clock when /init starts (kernel
  boot as the guest sees it), and their difference: the VMM's share
  (set-up before the guest's clock starts, exit and teardown after).
- **gaps**: one run of our kernel with `initcall_debug`, its log read by
  /init: the ten largest gaps between consecutive kernel messages, each
  with the message before it (initcall addresses named from vmlinux).

Targets (issue 15; MISS is a result, not a failure): kernel entry →
init_started under 10 ms; `vmm run -- /bin/true` process start → exit
under 40 ms; our kernel ≥ 10× faster to init than the cloud kernel; vmm's
share no larger than QEMU microvm's for the same kernel.
"""
import argparse
import bisect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from common import (ROOT, VMM, format_target, kernel_directory, pyplot, require, summary, target,
                    write_json)

BOOT = os.path.join(ROOT, "benchmarks/boot")
MARKER_CPIO = os.path.join(BOOT, "build/marker.cpio")
CLOUD_KERNEL = os.path.join(BOOT, "cloud_kernel.sh")
RESULTS = os.path.join(ROOT, "benchmarks/results")
# vmm's container command line, so the bare boots see the same kernel options.
COMMAND_LINE = "console=ttyS0 quiet reboot=k panic=-1 percpu_alloc=page"
MARKER = re.compile(r"vmm-boot-marker: init at (\d+) us")
QEMU_GOOD_EXIT = 1  # isa-debug-exit: (0 << 1) | 1

# The container's timeline, grouped: (group, last event of the group).
GROUPS = [("host set-up", "first_vcpu_entry"), ("kernel", "init_started"), ("init", "process_exec"),
          ("process", "process_exited"), ("teardown", "teardown_done")]


def run(argv, timeout=300):
    """(wall µs, exit status, output) of one command, wall on this machine's
    clock (virtual under icount)."""
    start = time.monotonic_ns()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return (time.monotonic_ns() - start) // 1000, done.returncode, done.stdout.decode(errors="replace")


def container(vmm, runs):
    """vmm bench over a container: per event and per group, the median µs."""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "bench.json")
        wall, status, output = run([vmm, "bench", "--runs", str(runs), "--json", path, "--", "/bin/true"], 1200)
        if status != 0:
            sys.exit(f"vmm bench failed ({status}):\n{output}")
        with open(path) as f:
            bench = json.load(f)
    phases = [(p["id"], p["median_us"], p["min_us"], p["max_us"]) for p in bench["phases"]]
    groups, total, index = [], 0, 0
    for name, last in GROUPS:
        share = 0
        while index < len(phases):
            share += phases[index][1]
            index += 1
            if phases[index - 1][0] == last:
                break
        groups.append({"name": name, "median_us": share})
        total += share
    return {"phases": [{"id": i, "median_us": m, "min_us": lo, "max_us": hi} for i, m, lo, hi in phases],
            "groups": groups, "total_us": total, "bench": bench}


def bare(name, argv, expected, runs):
    """A bare boot to the marker /init, `runs` times: wall, guest clock at
    /init, their difference, each summarised."""
    walls, guest = [], []
    for _ in range(runs):
        wall, status, output = run(argv)
        found = MARKER.search(output)
        if status != expected or not found:
            sys.exit(f"{name}: exit {status} (expected {expected}), marker {'found' if found else 'missing'}:\n"
                     f"{output[-3000:]}")
        walls.append(wall)
        guest.append(int(found.group(1)))
    vmm_share = [w - g for w, g in zip(walls, guest)]
    return {"name": name, "argv": argv, "wall_us": summary(walls), "guest_init_us": summary(guest),
            "vmm_share_us": summary(vmm_share), "runs": [{"wall_us": w, "guest_init_us": g} for w, g in zip(walls, guest)]}


def vmm_bare(vmm, kernel):
    return [vmm, "run", "--kernel", kernel, "--initrd", MARKER_CPIO, "--cmdline", COMMAND_LINE]


def qemu_bare(kernel):
    qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
    return [qemu, "-M", "microvm,accel=kvm", "-cpu", "host", "-m", "128M", "-smp", "1", "-kernel", kernel,
            "-initrd", MARKER_CPIO, "-append", COMMAND_LINE, "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0x501,iosize=1"]


def symbols(vmlinux):
    """(sorted addresses, names) of vmlinux's text and data symbols."""
    listing = subprocess.run(["nm", vmlinux], capture_output=True, text=True).stdout
    table = sorted((int(a, 16), n) for a, kind, n in (l.split() for l in listing.splitlines() if len(l.split()) == 3)
                   if kind in "tTdDrR")
    return [a for a, _ in table], [n for _, n in table]


def gaps(vmm, vmlinux, count=10):
    """The `count` largest gaps between consecutive messages of one
    initcall_debug boot, each with the message that opens it."""
    _, status, output = run(vmm_bare(vmm, vmlinux)[:-1] + [COMMAND_LINE + " initcall_debug dmesg"], 900)
    if status != 0:
        sys.exit(f"gaps: the initcall_debug boot exited {status}:\n{output[-3000:]}")
    addresses, names = symbols(vmlinux)

    def name(match):
        i = bisect.bisect_right(addresses, int(match.group(0), 16)) - 1
        return names[i] if i >= 0 else match.group(0)

    messages = []
    for line in output.splitlines():
        found = re.match(r"^(?:<\d+>)?\[\s*(\d+)\.(\d+)\] (.*)", line)
        if found:
            at = int(found.group(1)) * 1000000 + int(found.group(2))
            messages.append((at, re.sub(r"0xffffffff[0-9a-f]{8}", name, found.group(3)).strip()))
    spans = [(b[0] - a[0], a[1], b[1]) for a, b in zip(messages, messages[1:])]
    largest = sorted(spans, reverse=True)[:count]
    return {"messages": len(messages), "last_message_us": messages[-1][0] if messages else None,
            "largest": [{"gap_us": g, "after": a, "before": b} for g, a, b in largest]}


def judged(result):
    marks = []
    c = result.get("container")
    if c:
        by_id = {p["id"]: p["median_us"] for p in c["phases"]}
        kernel = by_id.get("first_guest_exit", 0) + by_id.get("init_started", 0)
        marks.append(target("container: kernel entry → init_started (virtual)", kernel / 1000, "<", 10.0, " ms"))
        to_exit = sum(p["median_us"] for p in c["phases"][:[p["id"] for p in c["phases"]].index("process_exited") + 1])
        marks.append(target("vmm run -- /bin/true: start → process exit (virtual)", to_exit / 1000, "<", 40.0, " ms"))
    bares = {b["name"]: b for b in result.get("bare", [])}
    ours, cloud, qemu = bares.get("our kernel, vmm"), bares.get("Debian cloud kernel, vmm"), bares.get("our kernel, QEMU microvm")
    if ours and cloud:
        ratio = cloud["guest_init_us"]["median"] / ours["guest_init_us"]["median"]
        marks.append(target("cloud kernel / our kernel, boot to init (guest clock)", round(ratio, 1), ">=", 10, "×"))
    if ours and qemu:
        marks.append(target("vmm's share / QEMU microvm's share (wall − guest boot to init)",
                            round(ours["vmm_share_us"]["median"] / qemu["vmm_share_us"]["median"], 2), "<=", 1.0, "×"))
    return marks


def show(result):
    c = result.get("container")
    if c:
        print(f"container start, {result['runs']} runs (virtual µs, median):")
        for p in c["phases"]:
            print(f"  {p['id']:24} {p['median_us']:9d}   [{p['min_us']}–{p['max_us']}]")
        print("  " + ", ".join(f"{g['name']} {g['median_us'] / 1000:.1f} ms" for g in c["groups"]))
    for b in result.get("bare", []):
        print(f"{b['name']:28} wall {b['wall_us']['median'] / 1000:8.1f} ms   guest at /init {b['guest_init_us']['median'] / 1000:8.1f} ms"
              f"   VMM's share {b['vmm_share_us']['median'] / 1000:7.1f} ms")
    g = result.get("gaps")
    if g:
        print(f"our kernel's ten largest gaps ({g['messages']} messages, last at {g['last_message_us'] / 1000:.1f} ms):")
        for x in g["largest"]:
            print(f"  {x['gap_us'] / 1000:6.2f} ms after: {x['after'][:100]}")
    for t in result["targets"]:
        print(format_target(t))


def plot(result, path):
    """One stacked bar per configuration: the container's groups, and for the
    bare boots the guest's boot to init under the VMM's share."""
    plt = pyplot()
    if not plt:
        return
    bars = []
    c = result.get("container")
    if c:
        bars.append(("container\n(vmm, our kernel)", [(g["name"], g["median_us"] / 1000) for g in c["groups"]]))
    for b in result.get("bare", []):
        bars.append((b["name"].replace(", ", "\n"), [("guest: kernel to /init", b["guest_init_us"]["median"] / 1000),
                                                    ("VMM's share", b["vmm_share_us"]["median"] / 1000)]))
    figure, axes = plt.subplots(figsize=(9, 5))
    colours = {}
    for x, (label, segments) in enumerate(bars):
        bottom = 0
        for name, value in segments:
            colour = colours.setdefault(name, f"C{len(colours)}")
            axes.bar(x, value, bottom=bottom, color=colour, label=name if name not in axes.get_legend_handles_labels()[1] else None)
            bottom += value
    axes.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=8)
    axes.set_yscale("log")
    axes.set_ylim(bottom=1)  # every segment from 1 ms up shows
    axes.set_ylabel("virtual ms (icount), log scale")
    axes.set_title("Boot to init, emulated AMD-V under icount (proportions only)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    print(f"plot: {path}")


def inside(args):
    kernels = kernel_directory() or sys.exit("no guest kernel: run kernel/build.sh")
    vmlinux = os.path.join(kernels, "vmlinux")
    result = {"schema": "vmm-boot-time/1", "clock": "QEMU icount: one guest instruction = one virtual ns",
              "runs": args.runs, "kernel": vmlinux}
    result["container"] = container(args.vmm, args.runs)
    result["bare"] = [bare("our kernel, vmm", vmm_bare(args.vmm, vmlinux), 0, args.runs)]
    if args.cloud:
        result["bare"].append(bare("Debian cloud kernel, vmm", vmm_bare(args.vmm, args.cloud), 0, args.runs))
    if not args.no_qemu:
        result["bare"].append(bare("our kernel, QEMU microvm", qemu_bare(vmlinux), QEMU_GOOD_EXIT, args.runs))
    if not args.no_gaps:
        result["gaps"] = gaps(args.vmm, vmlinux)
    result["targets"] = judged(result)
    show(result)
    if args.json:
        write_json(args.json, result)


def outside(args):
    """Builds the marker initramfs, fetches the cloud kernel, and runs the
    measurement inside the test machine with the icount clock."""
    subprocess.run(["make", "-s", "-C", BOOT], check=True)
    require(args.vmm, "swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product vmm")
    inner = [sys.executable, os.path.abspath(__file__), "--inside", "--runs", str(args.runs), "--vmm", args.vmm]
    if not args.no_cloud:
        fetched = subprocess.run(["bash", CLOUD_KERNEL], stdout=subprocess.PIPE, text=True)
        if fetched.returncode != 0:
            sys.exit("boot_time: could not fetch Debian's cloud kernel (see above; --no-cloud leaves it out)")
        inner += ["--cloud", fetched.stdout.strip().splitlines()[-1]]
    inner += ["--no-qemu"] * args.no_qemu + ["--no-gaps"] * args.no_gaps
    os.makedirs(RESULTS, exist_ok=True)
    output = os.path.join(RESULTS, os.path.basename(args.json or "boot_time.json"))
    machine = [os.path.join(ROOT, "testmachine/run.sh"), "--icount", "--timeout", "2400", "--share", RESULTS, "--"]
    print("boot_time: measuring inside the emulated AMD-V test machine, icount clock")
    status = subprocess.run(machine + inner + ["--json", output]).returncode
    if status == 0 and args.plot:
        with open(output) as f:
            plot(json.load(f), os.path.join(RESULTS, os.path.basename(args.plot)))
    sys.exit(status)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vmm", default=VMM)
    parser.add_argument("--json", help="write every figure here (results/ when run from outside)")
    parser.add_argument("--plot", help="stacked bars, PNG (needs matplotlib; drawn outside the machine)")
    parser.add_argument("--no-cloud", action="store_true", help="leave Debian's cloud kernel out")
    parser.add_argument("--no-qemu", action="store_true", help="leave QEMU microvm out")
    parser.add_argument("--no-gaps", action="store_true", help="skip the initcall_debug boot")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cloud", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.runs <= 50:
        sys.exit("--runs must be between 1 and 50")
    (inside if args.inside else outside)(args)


if __name__ == "__main__":
    main()
