"""What the benchmark scripts share: where the binaries are (and the command
that builds each), the three ways of running a trivial VM, nearest-rank
statistics, targets with their verdicts, JSON output, the host's kind of
virtualization and the optional plotting library. One place, so that every
script measures the same commands and judges them the same way."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUILD_VMM = "swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product vmm"
MAKE_BASELINE = "make -C benchmarks/baseline"

VMM = os.path.join(ROOT, ".build/release/vmm")
KVM_HLT = os.path.join(ROOT, "benchmarks/baseline/build/kvm_hlt")
PEAKRSS = os.path.join(ROOT, "benchmarks/baseline/build/peakrss")
SPAWNRATE = os.path.join(ROOT, "benchmarks/baseline/build/spawnrate")

# For Linux runs that stop at the first exit: with earlyprintk the kernel
# writes to the serial port early (first exit ~0.6 s in on PVM); without it
# a bzImage decompresses silently to its first exit (~24 s of emulation).
EARLY_CONSOLE_CMDLINE = "console=ttyS0 noxsave earlyprintk=serial,ttyS0"

# Targets judged by more than one script.
MAX_VMM_OVERHEAD_KIB = 5 * 1024  # issue 6: VMM overhead RSS, Firecracker's bound
MAX_FIRST_INSTRUCTION_MS = 5.0   # "Boot Linux directly": to the kernel's first instruction, bzImage included

# reset.bin writes 42 to isa-debug-exit; QEMU exits with (42 << 1) | 1.
QEMU_STATUS = (42 << 1) | 1
# How smaps names each command's guest memory (vmm's memfd, kvm_hlt's,
# QEMU's memory-backend-memfd); everything else the process maps is the VMM.
GUEST_RAM = {"vmm": "/memfd:vmm-guest-ram", "C baseline": "/memfd:guest",
             "QEMU microvm": "/memfd:memory-backend-memfd"}


def firmware(name):
    return os.path.join(ROOT, "firmware/build", name + ".bin")


def qemu_payload(name):
    return os.path.join(ROOT, "benchmarks/qemu/build", name + ".bin")


def shown(path):
    """path relative to the repository when it is inside it."""
    relative = os.path.relpath(path, ROOT)
    return path if relative.startswith("..") else relative


def require(path, fix):
    """Exits with one line, saying how to build it, when path is missing."""
    if not os.path.exists(path):
        sys.exit(f"missing {shown(path)}: run {fix}")
    return path


class Command:
    """One way of running a trivial VM: its argv, the exit status a good run
    ends with (None: it runs until signalled) and the files it needs, each
    with the command that makes it."""

    def __init__(self, name, argv, status, needs):
        self.name, self.argv, self.status, self.needs = name, argv, status, needs
        self.guest_ram = GUEST_RAM[name]

    def missing(self):
        """'PATH (run FIX)' for each absent file it needs."""
        return [f"{shown(p)} (run {fix})" for p, fix in self.needs if not os.path.exists(p)]


# Guest RAM for the trivial VMs, the same for all three: the C baseline's
# fixed size. KVM's cost to register and free a memory slot grows with it
# (vmm's default of 128 MiB costs ~0.1 ms more per start here).
GUEST_MIB = 16


def vm_commands(vmm=VMM, baseline=KVM_HLT, forever=False):
    """vmm, the C baseline and QEMU microvm on the same trivial guest: one
    that stops at once (`hlt`; QEMU's reset.bin), or with forever=True one
    that spins until signalled (`spin`; QEMU's spin.bin, its RAM in a named
    memfd so that smaps can tell it apart)."""
    image = firmware("spin" if forever else "hlt")
    qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
    bios = qemu_payload("spin" if forever else "reset")
    machine = ["-M", "microvm,accel=kvm", "-m", f"{GUEST_MIB}M"]
    if forever:
        machine = ["-M", "microvm,accel=kvm,memory-backend=ram", "-m", f"{GUEST_MIB}M",
                   "-object", f"memory-backend-memfd,id=ram,size={GUEST_MIB}M"]
    qemu_argv = [qemu] + machine + ["-bios", bios, "-device", "isa-debug-exit,iobase=0x501,iosize=1",
                                    "-nodefaults", "-no-user-config", "-display", "none"]
    status = None if forever else 0
    return [
        Command("vmm", [vmm, "run", "--memory", str(GUEST_MIB), "--firmware", image], status,
                [(vmm, BUILD_VMM), (image, "make -C firmware")]),
        Command("C baseline", [baseline, image], status,
                [(baseline, MAKE_BASELINE), (image, "make -C firmware")]),
        Command("QEMU microvm", qemu_argv, None if forever else QEMU_STATUS,
                [(qemu, "apt-get install qemu-system-x86"), (bios, "make -C benchmarks/qemu")]),
    ]


def usable(commands, skip_missing):
    """The commands whose files exist. A missing one ends the script with one
    line, or with skip_missing is left out, saying so."""
    kept = []
    for c in commands:
        missing = c.missing()
        if not missing:
            kept.append(c)
        elif skip_missing:
            print(f"skipping {c.name}: missing {', '.join(missing)}")
        else:
            sys.exit(f"{c.name}: missing {', '.join(missing)} (or pass --skip-missing)")
    if not kept:
        sys.exit("nothing to run")
    return kept


def peakrss(argv, expected):
    """(wall ns, peak RSS KiB) of one run, launched through baseline/peakrss
    (a child forked from Python would inherit Python's resident memory into
    its peak). A wrong exit status ends the script with the run's output."""
    require(PEAKRSS, MAKE_BASELINE)
    with tempfile.TemporaryDirectory() as scratch:
        result = os.path.join(scratch, "result")
        run = subprocess.run([PEAKRSS, result] + argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if run.returncode != expected:
            sys.exit(f"ABORT: {' '.join(argv)} exited {run.returncode}, expected {expected}\n"
                     f"{run.stdout.decode(errors='replace')}")
        with open(result) as f:
            wall_ns, rss_kib = (int(x) for x in f.read().split())
    return wall_ns, rss_kib


def nearest_rank(values, fraction):
    """The ⌈fraction·N⌉-th smallest value, as `vmm bench` computes it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def median(values):
    return nearest_rank(values, 0.5)


def summary(values):
    return {"min": min(values), "median": median(values),
            "p90": nearest_rank(values, 0.9), "max": max(values)}


def target(name, value, op, limit, unit, detail=""):
    """One of the issue's targets, judged: value op limit ("<=", "<", ">=")."""
    ok = {"<=": value <= limit, "<": value < limit, ">=": value >= limit, ">": value > limit}[op]
    return {"name": name, "value": value, "op": op, "limit": limit, "unit": unit,
            "detail": detail, "pass": ok}


def verdict(ok):
    return "PASS" if ok else "MISS"


def target_value(t):
    return f"{t['value']:.2f}" if isinstance(t["value"], float) else str(t["value"])


def format_target(t):
    line = f"{t['name']} = {target_value(t)}{t['unit']}   target {t['op']} {t['limit']}{t['unit']}   {verdict(t['pass'])}"
    return line + (f"   ({t['detail']})" if t["detail"] else "")


def write_json(path, data):
    """Writes data as indented JSON, making the directory if needed."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def kernel_directory():
    """The directory kernel/build.sh built the guest kernel into (bzImage,
    vmlinux), or None when it has not built one."""
    result = subprocess.run(["bash", os.path.join(ROOT, "kernel/build.sh"), "--print-path"],
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def host_kind():
    """"pvm", "hardware" or "none", the way `vmm check` tells them apart:
    the kvm_pvm module means pagetable-based virtualization (emulated real and
    32-bit mode, no 64-bit non-PVM kernel)."""
    if not os.path.exists("/dev/kvm"):
        return "none"
    return "pvm" if os.path.exists("/sys/module/kvm_pvm") else "hardware"


def pyplot():
    """matplotlib.pyplot drawing to files, or None after one line saying how
    to install it (plots are optional; every number is still printed)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        hint = "apt-get install -y --no-install-recommends python3-matplotlib"
        if os.path.isdir("/usr/lib/python3/dist-packages/matplotlib") and sys.executable != "/usr/bin/python3":
            hint = f"Debian's python3-matplotlib is for /usr/bin/python3, not {sys.executable}: run with /usr/bin/python3"
        print(f"no plots: matplotlib is missing ({hint})")
        return None


def rerun_in_test_machine(name, script, arguments, json_path):
    """No Linux guest boots on this host: runs `script --inside ARGUMENTS`
    inside the emulated AMD-V test machine, its JSON into results/; exits
    with its status."""
    print(f"{name}: no hardware virtualization here: measuring inside the emulated AMD-V test machine")
    results = os.path.join(ROOT, "benchmarks/results")
    os.makedirs(results, exist_ok=True)
    inner = [sys.executable, os.path.abspath(script), "--inside"] + arguments
    if json_path:
        inner += ["--json", os.path.join(results, os.path.basename(json_path))]
    machine = [os.path.join(ROOT, "testmachine/run.sh"), "--timeout", "1200", "--share", results, "--"]
    sys.exit(subprocess.run(machine + inner).returncode)
