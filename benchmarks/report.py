#!/usr/bin/env python3
"""Every benchmark on this machine in one run, judged and written down.

    python3 benchmarks/report.py [--quick]

Runs firmware_start, exits_and_console, parallel, memory, teardown and (with a
kernel) bind_mounts with --json (exec_latency too where a container boots),
and `vmm bench` on the hlt and hello firmware and on the built kernel
(bzImage and vmlinux, to the first guest exit); on a host with hardware
virtualization also a container (`vmm bench -- /bin/true`), for the kernel's
boot to init and to the process's exec. Every JSON and the plots
(phase_breakdown.png, parallel.png) go to benchmarks/results/. It prints
every target with its measured value and PASS or MISS, and the tiers this
host cannot measure with the reason, and rewrites the results table in
benchmarks/README.md between its two marker comments.

A step that fails is reported and the others still run; the exit status
is then 1. A MISS is a result, not a failure.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys

from teardown import KVM_DESTROY
from common import (BUILD_VMM, EARLY_CONSOLE_CMDLINE, KVM_HLT, MAKE_BASELINE, MAX_FIRST_INSTRUCTION_MS,
                    MAX_VMM_OVERHEAD_KIB, PEAKRSS, ROOT, SPAWNRATE, VMM, firmware, format_target, host_kind,
                    kernel_directory, median, pyplot, require, shown, target, target_value, write_json)

HERE = os.path.join(ROOT, "benchmarks")
RESULTS = os.path.join(HERE, "results")
README = os.path.join(HERE, "README.md")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

PVM_REASON = ("PVM runs a 64-bit kernel that is not PVM-aware only to its first exception "
              "(KVM_EXIT_INTERNAL_ERROR), so no Linux guest reaches init on this host")


class Step:
    """One benchmark command and the JSON it writes into results/."""

    def __init__(self, name, argv, output):
        self.name, self.argv, self.output = name, argv, output
        self.error = None

    def run(self):
        print(f"\n== {self.name}: {' '.join(shown(a) for a in self.argv)}", flush=True)
        result = subprocess.run(self.argv, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode != 0 or not os.path.exists(self.output):
            lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
            # The scripts' own aborts come first (the output follows); vmm's last.
            self.error = lines[0] if lines[0].startswith("ABORT") else lines[-1]
            print(f"FAILED: {self.name}: {self.error}")
        return self

    def data(self):
        if self.error:
            return None
        with open(self.output) as f:
            return json.load(f)


def script(name, *options):
    output = os.path.join(RESULTS, name + ".json")
    return Step(name, [sys.executable, os.path.join(HERE, name + ".py"), *options, "--json", output], output)


def bench(vmm, name, runs, *run_options):
    output = os.path.join(RESULTS, f"bench_{name}.json")
    return Step(f"vmm bench {name}", [vmm, "bench", "--runs", str(runs), "--json", output, *run_options], output)


def emulated_container_bench(vmm, runs):
    """A container's whole start, inside the emulated AMD-V test machine with
    QEMU's deterministic clock (one instruction = one virtual ns): a PVM host
    cannot boot Linux to init, and these times are for proportions only."""
    output = os.path.join(RESULTS, "bench_container_emulated.json")
    machine = [os.path.join(ROOT, "testmachine", "run.sh"), "--icount", "--timeout", "1200", "--share", RESULTS, "--"]
    return Step("vmm bench container (emulated AMD-V)",
                machine + [vmm, "bench", "--runs", str(runs), "--json", output, "--", "/bin/true"], output)


def emulated_note(kernels):
    if kernels and shutil.which("qemu-system-x86_64"):
        return "; measured instead inside the emulated AMD-V test machine (bench_container_emulated, proportions only)"
    return ""


def kernel_available(vmm):
    """Whether `vmm check` finds a guest kernel (a container needs one)."""
    check = subprocess.run([vmm, "check"], capture_output=True, text=True)
    return any(line.split()[:2] == ["ok", "kernel"] for line in check.stdout.splitlines())


def plan(args, kind):
    """The steps to run, and the tiers left out, each with its reason."""
    q = args.quick
    steps = [
        script("firmware_start", "--runs", "10" if q else "40", "--vmm", args.vmm, "--skip-missing"),
        script("exits_and_console", "--runs", "3" if q else "10", "--mib", "8" if q else "32", "--vmm", args.vmm),
        script("parallel", "--runs", "50" if q else "200", "--qemu-runs", "10" if q else "40", "--vmm", args.vmm,
               "--skip-missing", "--plot", os.path.join(RESULTS, "parallel.png")),
        script("memory", "--vms", "4" if q else "8", "--vmm", args.vmm, "--skip-missing"),
        script("teardown", "--runs", "5" if q else "10", "--vmm", args.vmm),
        bench(args.vmm, "hlt", 5 if q else 20, "--firmware", firmware("hlt")),
        bench(args.vmm, "hello", 5 if q else 10, "--firmware", firmware("hello")),
    ]
    skipped = []
    kernels = kernel_directory()
    if kernels:
        for image in ("bzImage", "vmlinux"):
            steps.append(bench(args.vmm, image.lower(), 5 if q else 10, "--kernel",
                               os.path.join(kernels, image), "--stop-at-first-exit", "--cmdline", EARLY_CONSOLE_CMDLINE))
        # A container (the default bundle's root over virtio-fs, vmm's
        # initramfs) up to its kernel's first exit: every host phase of a
        # container start, measurable on any host.
        if kernel_available(args.vmm):
            steps.append(bench(args.vmm, "container_entry", 5 if q else 10, "--stop-at-first-exit",
                               "--cmdline", EARLY_CONSOLE_CMDLINE, "--", "/bin/true"))
            steps.append(script("bind_mounts", "--runs", "5" if q else "20", "--vmm", args.vmm))
    else:
        skipped.append(("first kernel instruction", "no built kernel: run kernel/build.sh"))
    boot = ["kernel boot to init (init_started)", "kernel boot to process exec (process_exec)"]
    if kind == "pvm":
        skipped += [(tier, PVM_REASON + emulated_note(kernels)) for tier in boot]
        if kernels and shutil.which("qemu-system-x86_64"):
            steps.append(emulated_container_bench(args.vmm, 3 if q else 5))
            steps.append(script("exec_latency", "--runs", "5" if q else "10", "--vmm", args.vmm))
            steps.append(script("network_throughput", "--seconds", "3" if q else "5", "--vmm", args.vmm))
    elif kind == "none":
        skipped += [(tier, "no /dev/kvm on this host") for tier in boot]
    elif not kernel_available(args.vmm):
        skipped += [(tier, "`vmm check` finds no kernel: run kernel/build.sh") for tier in boot]
    else:
        steps.append(bench(args.vmm, "container", 10, "--", "/bin/true"))
        steps.append(script("exec_latency", "--runs", "5" if q else "10", "--vmm", args.vmm))
        steps.append(script("network_throughput", "--seconds", "3" if q else "5", "--vmm", args.vmm))
    return steps, skipped


# Rows of the README table: (benchmark, result, baseline / target, verdict).

def target_row(t):
    result = f"{target_value(t)}{t['unit']}" + (f" ({t['detail']})" if t["detail"] else "")
    return (t["name"], result, f"{t['op']} {t['limit']}{t['unit']}", "PASS" if t["pass"] else "MISS")


def ms(ns):
    return f"{ns / 1e6:.2f} ms"


def firmware_start_rows(d):
    c = d["commands"]
    others = ", ".join(f"{n} {ms(r['wall_ns_summary']['median'])}" for n, r in c.items() if n != "vmm")
    vmm = c.get("vmm")
    result = f"vmm {ms(vmm['wall_ns_summary']['median'])}, peak RSS {vmm['peak_rss_kib_summary']['median'] / 1024:.1f} MiB" if vmm else "vmm skipped"
    return [(f"trivial VM start to exit (hlt), median of {d['runs']}", result, others, "")]


def exits_rows(d):
    e, con = d["per_exit_us"], d["console"]
    return [
        ("port-I/O exit round trip", f"vmm {e['vmm']['pio']:.2f} us", f"C {e['C baseline']['pio']:.2f} us", ""),
        ("MMIO exit round trip", f"vmm {e['vmm']['mmio']:.2f} us", f"C {e['C baseline']['mmio']:.2f} us", ""),
        (f"console stdin→stdout, {con['mib']} MiB", f"{con['mb_per_second']:.1f} MB/s, "
         f"{con['us_per_4k_buffer']:.0f} us per 4 KiB buffer", f"boot and exit alone {con['boot_and_exit_ms']:.1f} ms", ""),
    ]


def parallel_rows(d):
    rows = []
    for name, r in d["commands"].items():
        by_k = [r["by_k"][str(k)] for k in d["ks"]]
        rate = " / ".join(f"{row['vms_per_second']:.0f}" for row in by_k)
        latency = " / ".join(f"{row['latency_ns']['median'] / 1e6:.1f}" for row in by_k)
        ks = "/".join(str(k) for k in d["ks"])
        rows.append((f"{name}: K = {ks} at once", f"{rate} VMs/s; median {latency} ms per VM",
                     f"{r['by_k'][str(d['ks'][0])]['runs']} runs per K", ""))
    return rows


def memory_rows(d):
    rows = []
    for name, r in d["commands"].items():
        one, many = r["one"], r["many"]
        rows.append((f"{name} memory outside guest RAM",
                     f"one VM: Rss {one['rss_kib']} KiB, Pss {one['pss_kib']} KiB; {many['vms']} at once, per VM: "
                     f"Pss {many['pss_kib_per_vm']:.0f} KiB, MemAvailable drop at start {many['mem_available_drop_kib_per_vm']:.0f} KiB "
                     f"(rise at stop {many['mem_available_rise_kib_per_vm']:.0f} KiB)",
                     "smaps of the running VM; MemAvailable moves with the whole host", ""))
    return rows


def event_at_us(d, event):
    """Median over the samples of when the event happened, or None."""
    times = [e["at_us"] for s in d["samples"] for e in s["timeline"]["events"] if e["id"] == event]
    return median(times) if times else None


def bench_rows(d):
    first = event_at_us(d, "first_vcpu_entry")
    entry = f"; first vCPU entry at {first / 1000:.2f} ms" if first is not None else ""
    argv = d["argv"][1:] if d["argv"][:1] == ["run"] else d["argv"]
    return [(f"`vmm bench {' '.join(os.path.basename(a) for a in argv)}`, {d['runs']} runs",
             f"in vmm {d['total_us']['median'] / 1000:.2f} ms, spawn to reap {d['wall_us']['median'] / 1000:.2f} ms{entry}",
             "medians", "")]


def bench_targets(name, d):
    """Targets judged on `vmm bench` JSON: the bzImage's first instruction, and
    the timeline's own overhead (peak RSS less guest memory) against 5 MiB."""
    found = []
    entry = event_at_us(d, "first_vcpu_entry")
    if name == "bench_bzimage" and entry is not None:
        found.append(target("bzImage: first kernel instruction", entry / 1000, "<", MAX_FIRST_INSTRUCTION_MS, " ms",
                            f"median of {d['runs']}"))
    if name == "bench_hlt" and "vmm_overhead_kib" in d:
        kib = d["vmm_overhead_kib"]["median"]
        found.append(target("vmm overhead, peak (timeline: VmHWM − guest resident)", round(kib / 1024, 2), "<",
                            MAX_VMM_OVERHEAD_KIB // 1024, " MiB", f"{kib} KiB, median of {d['runs']}"))
    return found


def container_rows(d):
    rows = []
    for event in ("init_started", "process_exec"):
        at = event_at_us(d, event)
        rows.append((f"container: {event}", f"{at / 1000:.2f} ms" if at is not None else "not reached",
                     "median since vmm started", ""))
    return rows


def proportion_rows(d):
    """Where an emulated container start goes: each phase's share of the
    median total (emulated times say nothing absolute, shares do)."""
    total = sum(p["median_us"] for p in d["phases"])
    shares = sorted(((p["median_us"] / total, p["name"]) for p in d["phases"] if total and p["median_us"] > 0), reverse=True)
    return [("emulated container start: phase shares", ", ".join(f"{name} {share:.0%}" for share, name in shares[:5]),
             "share of the median total; icount clock, proportions only", "")]


def teardown_rows(d):
    kernel = d["kernel_destroy_us"]
    return [(f"teardown phase: {name}", f"{ms:.2f} ms",
             "kernel alone destroys an empty VM: " + ", ".join(
                 f"{config} {kernel[config]['median_us'] / 1000:.2f} ms" for config in ("no irqchip", "irqchip", "irqchip + PIT")), "")
            for name, ms in d["vmm_teardown_ms"].items()]


def bind_mount_rows(d):
    results = d["results"]
    return [("container host side with 0 / 1 / 8 bind mounts (to the first exit)",
             " / ".join(f"{results[k]['host_side_ms']:.2f}" for k in ("0", "1", "8")) + " ms",
             "medians; set-up to the first guest instruction plus exit to teardown done", "")]


def exec_latency_rows(d):
    where = "emulated AMD-V: " if d["emulated"] else ""
    return [(f"{where}vmm exec /bin/true into a running container, against crun exec", f"{d['vmm_over_crun']:.2f}x",
             f"medians: vmm {d['ms']['vmm']['median']:.1f} ms, crun {d['ms']['crun']['median']:.1f} ms", "")]


def network_rows(d):
    where = "emulated AMD-V: " if d["emulated"] else ""
    vmm, crun = d["results"]["vmm"], d["results"]["crun"]
    cpu = "" if vmm["monitor_cpu_s"] is None else f"; vmm's own CPU {vmm['monitor_cpu_s']:.2f} s over the transfer"
    return [(f"{where}TCP container → host (iperf3), vmm against crun", f"{d['vmm_over_crun_throughput']:.2f}x",
             f"vmm {vmm['mbit_per_s']:.0f} Mbit/s, crun {crun['mbit_per_s']:.0f} Mbit/s{cpu}", ""),
            (f"{where}ping round trip container → host, vmm against crun", f"{d['vmm_over_crun_ping']:.2f}x",
             f"vmm {vmm['ping_ms']:.3f} ms, crun {crun['ping_ms']:.3f} ms", "")]


ROWS = {"firmware_start": firmware_start_rows, "exec_latency": exec_latency_rows, "network_throughput": network_rows, "exits_and_console": exits_rows,
        "parallel": parallel_rows, "memory": memory_rows, "teardown": teardown_rows, "bind_mounts": bind_mount_rows}


def collect(steps):
    """Table rows and targets from every step's JSON; a failed step as a row."""
    rows, targets = [], []
    for step in steps:
        name = os.path.basename(step.output)[:-len(".json")]
        d = step.data()
        if d is None:
            rows.append((step.name, f"failed: {step.error}", "", "FAILED"))
            continue
        if name in ROWS:
            found = d["targets"]
            rows += ROWS[name](d)
        else:
            found = bench_targets(name, d)
            if name == "bench_container_emulated":
                rows += [("emulated AMD-V (icount): " + row[0], *row[1:]) for row in bench_rows(d) + container_rows(d)]
                rows += proportion_rows(d)
            else:
                rows += bench_rows(d) + (container_rows(d) if name == "bench_container" else [])
        rows += [target_row(t) for t in found]
        targets += found
    return rows, targets


def plot_phases(steps, path):
    """One horizontal bar per `vmm bench` JSON, one segment per phase (median
    phase_us), each bench on its own time scale; one color per phase id."""
    benches = [(s.name.removeprefix("vmm bench "), s.data()) for s in steps if s.name.startswith("vmm bench")]
    benches = [(n, d) for n, d in benches if d]
    plt = pyplot() if benches else None
    if not plt:
        return
    ids = []
    for _, d in benches:
        ids += [p["id"] for p in d["phases"] if p["id"] not in ids and p["median_us"] > 0]
    colors = {i: plt.get_cmap("tab20")(n % 20) for n, i in enumerate(ids)}
    names = {p["id"]: p["name"] for _, d in benches for p in d["phases"]}
    figure, axes = plt.subplots(len(benches), 1, figsize=(11, 1.1 * len(benches) + 2.2), squeeze=False)
    for ax, (name, d) in zip(axes[:, 0], benches):
        left, entry = 0, None
        for p in d["phases"]:
            if p["median_us"] > 0:
                ax.barh(0, p["median_us"] / 1000, left=left, color=colors[p["id"]], edgecolor="white", linewidth=0.5)
                left += p["median_us"] / 1000
            if p["id"] == "first_vcpu_entry":
                entry = left
        # A guest's own work can dwarf vmm's phases (a kernel emulated on
        # PVM): then the axis stops at twice the first entry, and says so.
        end = left
        if entry and left > 20 * entry:
            end = 2 * entry
            ax.text(end, 0, f"bar continues to {left:.0f} ms  ", ha="right", va="center", fontsize=8, color="white")
        ax.set_yticks([0], [name])
        ax.set_xlim(0, end * 1.02)
        ax.set_xlabel(f"ms since vmm started (median per phase, {d['runs']} runs; total median "
                      f"{d['total_us']['median'] / 1000:.2f} ms)", fontsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[i]) for i in ids]
    figure.legend(handles, [names[i] for i in ids], loc="lower center", ncol=4, fontsize=8)
    figure.suptitle("vmm boot timeline: phase breakdown")
    figure.tight_layout(rect=(0, 0.06 + 0.02 * (len(ids) // 4), 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    print(f"wrote {shown(path)}")


def commit():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    # The report's own outputs do not make the measured tree dirty.
    status = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!benchmarks/results", ":!benchmarks/README.md"],
                            cwd=ROOT, capture_output=True, text=True).stdout
    return (head or "unknown") + ("+dirty" if status.strip() else "")


def host_info(kind, quick):
    """What the numbers were measured on, for the table and summary.json."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    kinds = {"pvm": "PVM (kvm_pvm)", "hardware": "hardware virtualization", "none": "no KVM"}
    return {"date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", "host": kinds[kind],
            "cpus": f"{os.cpu_count()} ({cpu})", "commit": commit(), "linux": os.uname().release,
            "load average at start": f"{os.getloadavg()[0]:.2f}", "runs": "--quick" if quick else "full"}


def markdown(info, rows, skipped, pngs):
    escape = lambda text: str(text).replace("|", "\\|")
    table = lambda cells: "| " + " | ".join(escape(cell) for cell in cells) + " |"
    lines = [BEGIN, "", "Generated by `python3 benchmarks/report.py` (see above); PVM: see docs/architecture.md.", "",
             table(info), table(["---"] * len(info)), table(info.values()), "",
             table(["benchmark", "result", "baseline / target", "verdict"]), table(["---"] * 4)]
    lines += [table(row) for row in rows]
    lines += [table([tier, "not measured", reason, "n/a"]) for tier, reason in skipped]
    if pngs:
        lines += [""] + [f"![{name}](results/{name})" for name in pngs]
    return "\n".join(lines + ["", END])


def rewrite_readme(text):
    with open(README) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit(f"{shown(README)} has no {BEGIN} … {END} markers to write the table between")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    with open(README, "w") as f:
        f.write(readme[:start] + text + readme[end:])
    print(f"rewrote the results table in {shown(README)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer runs everywhere (for a quick look; the README table wants a full run)")
    p.add_argument("--vmm", default=VMM, help="vmm binary (default .build/release/vmm)")
    args = p.parse_args()
    args.vmm = os.path.abspath(args.vmm)
    require(args.vmm, BUILD_VMM)
    for path in (KVM_HLT, PEAKRSS, SPAWNRATE, KVM_DESTROY):
        require(path, MAKE_BASELINE)
    for name in ("hlt", "hello", "spin", "roundtrip", "virtio_console"):
        require(firmware(name), "make -C firmware")

    kind = host_kind()
    info = host_info(kind, args.quick)
    os.makedirs(RESULTS, exist_ok=True)
    for stale in os.listdir(RESULTS):
        if stale.endswith((".json", ".png")):
            os.remove(os.path.join(RESULTS, stale))

    steps, skipped = plan(args, kind)
    for step in steps:
        step.run()
    rows, targets = collect(steps)
    plot_phases(steps, os.path.join(RESULTS, "phase_breakdown.png"))
    pngs = [name for name in ("phase_breakdown.png", "parallel.png") if os.path.exists(os.path.join(RESULTS, name))]

    failed = [s for s in steps if s.error]
    write_json(os.path.join(RESULTS, "summary.json"), {
        **info, "host_kind": kind, "targets": targets,
        "not_measured": [{"tier": t, "reason": r} for t, r in skipped],
        "failed": [{"step": s.name, "error": s.error} for s in failed]})
    rewrite_readme(markdown(info, rows, skipped, pngs))

    print("\n== " + ", ".join(f"{key} {value}" for key, value in info.items()) + "\n")
    for t in targets:
        print(format_target(t))
    for tier, reason in skipped:
        print(f"not measured: {tier}: {reason}")
    for s in failed:
        print(f"FAILED: {s.name}: {s.error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
