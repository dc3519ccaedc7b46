#!/usr/bin/env python3
"""Tier-4 check of guest/init: boots the vmm kernel under QEMU's TCG with an
initramfs of init + a process description + busybox, and plays the host side
of guest/PROTOCOL.md over the virtio-console ports (QEMU only stands in for
the CPU and the devices; it is never part of the product).

Each case: QEMU connects its port chardevs to Unix sockets this script
listens on; the script answers READY with START, collects stdout and stderr
separately, and checks the control messages, the output, and that QEMU
exits by itself (init reboots, reboot=k, -no-reboot).

Usage: guest/tests/qemu_check.py [-v] [-k CASE] [KERNEL_DIR]
  KERNEL_DIR defaults to `kernel/build.sh --print-path`.
  QEMU_CHECK_APPEND replaces "quiet" on the kernel command line (e.g. loglevel=7).
  QEMU_CHECK_BUILD builds and boots init from another directory than guest/build.
Needs: qemu-system-x86_64, busybox (static), cpio, make, gcc; virtiofsd for
the root-filesystem case (skipped without it). Last line: "N passed, M failed".
"""
import argparse
import os
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.dirname(HERE)
REPO = os.path.dirname(GUEST)
# QEMU_CHECK_BUILD: another build directory for init (leaves guest/build alone while tests use it).
BUILD = os.environ.get("QEMU_CHECK_BUILD", os.path.join(GUEST, "build"))
INIT = os.path.join(BUILD, "init")
MKPROCESS = os.path.join(GUEST, "tools", "mkprocess.py")
MKINITRAMFS = os.path.join(GUEST, "tools", "mkinitramfs.sh")
VIRTIOFSD = shutil.which("virtiofsd") or "/usr/lib/qemu/virtiofsd"
BUSYBOX_APPLETS = ["sh", "cat", "printf", "echo", "sleep", "id", "hostname", "pwd", "stty", "tty", "ls",
                   "mount", "grep", "touch", "true", "ps", "kill", "stat", "readlink", "head", "wc", "tr"]
TIMEOUT = 90  # seconds per boot; TCG emulates every instruction

READY, STARTED, EXITED, ERROR = 1, 2, 3, 4
EXEC_STARTED, EXEC_OUTPUT, EXEC_EXITED, EXEC_ERROR = 5, 6, 7, 8
START, SIGNAL, WINSIZE = 0x81, 0x82, 0x83
EXEC, EXEC_INPUT, EXEC_SIGNAL, EXEC_WINSIZE = 0x84, 0x85, 0x86, 0x87
NAMES = {READY: "READY", STARTED: "STARTED", EXITED: "EXITED", ERROR: "ERROR", EXEC_STARTED: "EXEC_STARTED",
         EXEC_OUTPUT: "EXEC_OUTPUT", EXEC_EXITED: "EXEC_EXITED", EXEC_ERROR: "EXEC_ERROR"}


def message(mtype, payload=b""):
    return struct.pack("<IH", 2 + len(payload), mtype) + payload


class Run:
    """What one boot produced."""

    def __init__(self):
        self.messages = []  # (type, payload) in arrival order
        self.sends_after_end = 0  # host messages the guest was gone for
        self.stdout = b""
        self.stderr = b""
        self.console = b""
        self.qemu_rc = None
        self.ready_at = None  # seconds from QEMU start to READY
        self.exited_at = None  # seconds from QEMU start to EXITED
        self.ended_at = None  # seconds from QEMU start to QEMU exit
        self.qemu_output = b""

    def types(self):
        return [NAMES.get(t, hex(t)) for t, _ in self.messages]

    def exited(self):
        for t, p in self.messages:
            if t == EXITED and len(p) == 8:
                return struct.unpack("<ii", p)
        return None

    def error(self):
        for t, p in self.messages:
            if t == ERROR:
                return p.decode("utf-8", "replace")
        return None


def description(process_args):
    """A process description's bytes, from mkprocess's arguments (for EXEC)."""
    return subprocess.run([sys.executable, MKPROCESS] + process_args, check=True, capture_output=True).stdout


def boot(kernel, workdir, process_args, stdin=b"", on_started=None, before_start=None, rootfs=None,
         timeout=TIMEOUT, raw_process=None, on_message=None):
    """Boots one VM running the described process and plays the host. Returns a Run."""
    process = os.path.join(workdir, "process")
    if raw_process is not None:
        with open(process, "wb") as f:
            f.write(raw_process)
    else:
        subprocess.run([sys.executable, MKPROCESS, "-o", process] + process_args, check=True)
    bindir = os.path.join(workdir, "bin")
    os.makedirs(bindir, exist_ok=True)
    shutil.copy2(shutil.which("busybox"), os.path.join(bindir, "busybox"))
    for applet in BUSYBOX_APPLETS:
        os.symlink("busybox", os.path.join(bindir, applet))
    initrd = os.path.join(workdir, "initramfs.cpio")
    subprocess.run([MKINITRAMFS, "-o", initrd, INIT, process, f"{bindir}:/bin"], check=True)

    listeners = {}
    for name in ("stdin", "stdout", "stderr", "control"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(workdir, name + ".sock"))
        s.listen(1)
        listeners[name] = s

    console_log = os.path.join(workdir, "console.log")
    cmd = [
        "qemu-system-x86_64", "-M", "microvm,accel=tcg,acpi=off", "-cpu", "max", "-m", "256",
        "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        # The VMM answers reboot=k's i8042 reset at once; microvm has no i8042 unless asked, and the
        # kernel would spend ~1.3 s polling for one before falling back to a triple fault.
        "-device", "i8042",
        "-global", "virtio-mmio.force-legacy=false",
        "-kernel", os.path.join(kernel, "vmlinux"), "-initrd", initrd,
        "-append", "console=hvc0 reboot=k panic=-1 " + os.environ.get("QEMU_CHECK_APPEND", "quiet"),
        "-device", "virtio-serial-device,max_ports=8",
        "-chardev", f"file,id=con,path={console_log}", "-device", "virtconsole,chardev=con",
    ]
    for name in ("stdin", "stdout", "stderr", "control"):
        cmd += ["-chardev", f"socket,id={name},path={os.path.join(workdir, name + '.sock')}",
                "-device", f"virtserialport,chardev={name},name=vmm.{name}"]
    virtiofsd = None
    if rootfs is not None:
        tag, source = rootfs
        vsock = os.path.join(workdir, "virtiofs.sock")
        virtiofsd = subprocess.Popen([VIRTIOFSD, f"--socket-path={vsock}", "-o", f"source={source}",
                                      "-o", "sandbox=chroot", "-o", "cache=none"],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "virtiofsd.log"), "wb"))
        for _ in range(100):
            if os.path.exists(vsock):
                break
            time.sleep(0.05)
        cmd += ["-object", "memory-backend-memfd,id=mem,size=256M,share=on", "-numa", "node,memdev=mem",
                "-chardev", f"socket,id=vfs,path={vsock}",
                "-device", f"vhost-user-fs-device,chardev=vfs,tag={tag}"]

    run = Run()
    started = time.monotonic()
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        conns = {}
        for name, s in listeners.items():
            s.settimeout(15)
            conns[name], _ = s.accept()
            s.close()
        _play_host(run, qemu, conns, stdin, on_started, before_start, started, timeout, on_message)
    finally:
        if qemu.poll() is None:
            qemu.kill()
        out, _ = qemu.communicate()
        run.qemu_output = out
        if virtiofsd is not None:
            virtiofsd.kill()
            virtiofsd.wait()
        if os.path.exists(console_log):
            with open(console_log, "rb") as f:
                run.console = f.read()
    return run


def _play_host(run, qemu, conns, stdin, on_started, before_start, started, timeout, on_message=None):
    def send(payload_message):
        # A guest that already powered off (a case killed it while the host
        # still had messages queued) resets the connection: the conversation
        # is over, and the case's expectations judge what arrived before.
        try:
            conns["control"].sendall(payload_message)
        except (ConnectionResetError, BrokenPipeError):
            run.sends_after_end += 1

    sel = selectors.DefaultSelector()
    for name in ("stdout", "stderr", "control"):
        conns[name].setblocking(False)
        sel.register(conns[name], selectors.EVENT_READ, name)
    # stdin: everything, then EOF. shutdown, not close: a closed peer is a hang-up, on which QEMU drops
    # the port at once with the data unread; after shutdown QEMU reads the data, then EOF, then
    # closes the port (PORT_OPEN 0), and the guest's reads return 0 once the data is consumed.
    conns["stdin"].sendall(stdin)
    conns["stdin"].shutdown(socket.SHUT_WR)

    control = b""
    open_streams = {"stdout", "stderr", "control"}
    deadline = started + timeout
    while open_streams and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            name = key.data
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                # QEMU exited with data of ours unread (the guest powered off
                # mid-conversation): that stream has ended, as on EOF.
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                open_streams.discard(name)
                continue
            if name == "stdout":
                run.stdout += data
            elif name == "stderr":
                run.stderr += data
            else:
                control += data
                while len(control) >= 4 and len(control) >= 4 + struct.unpack_from("<I", control)[0]:
                    length = struct.unpack_from("<I", control)[0]
                    mtype = struct.unpack_from("<H", control, 4)[0]
                    payload = control[6:4 + length]
                    control = control[4 + length:]
                    run.messages.append((mtype, payload))
                    if mtype == READY:
                        run.ready_at = time.monotonic() - started
                        if before_start:
                            before_start(send)
                        send(message(START))
                    elif mtype == STARTED and on_started:
                        on_started(send)
                    elif mtype == EXITED and run.exited_at is None:
                        run.exited_at = time.monotonic() - started
                    if on_message:
                        on_message(send, mtype, payload)
        if qemu.poll() is not None and not sel.get_map():
            break
    try:
        qemu.wait(timeout=max(0.1, deadline - time.monotonic()))
        run.ended_at = time.monotonic() - started
        run.qemu_rc = qemu.returncode
    except subprocess.TimeoutExpired:
        run.qemu_rc = None


# ---------------------------------------------------------------- cases

def expect(problems, cond, what):
    if not cond:
        problems.append(what)


def expect_exit(problems, run, code, signal=0, qemu_by_itself=True):
    expect(problems, run.types()[:1] == ["READY"], f"first message READY, got {run.types()}")
    expect(problems, "STARTED" in run.types() and run.types().index("STARTED") < run.types().index("EXITED")
           if "EXITED" in run.types() else False, f"STARTED then EXITED, got {run.types()}")
    expect(problems, run.exited() == (code, signal), f"EXITED {(code, signal)}, got {run.exited()}")
    if qemu_by_itself:
        expect(problems, run.qemu_rc == 0, f"QEMU exits by itself with 0, got {run.qemu_rc}")


def case_basic(kernel, tmp):
    run = boot(kernel, tmp, ["--", "sh", "-c", "echo out; echo err >&2; exit 3"])
    problems = []
    expect(problems, run.stdout == b"out\n", f"stdout 'out\\n', got {run.stdout!r}")
    expect(problems, run.stderr == b"err\n", f"stderr 'err\\n', got {run.stderr!r}")
    expect_exit(problems, run, 3)
    return run, problems


ARGS = ["a b", "c=d.e", '"q"', "it's", "two\nlines", "", "tab\there", " lead", "é ü 😀", "$HOME", "*"]


def case_args(kernel, tmp):
    run = boot(kernel, tmp, ["--", "printf", "%s\\n"] + ARGS)
    problems = []
    want = b"".join(a.encode() + b"\n" for a in ARGS)
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r}")
    expect(problems, run.stderr == b"", f"no stderr, got {run.stderr!r}")
    expect_exit(problems, run, 0)
    return run, problems


def case_signal(kernel, tmp):
    """The process is PID 1 of its own PID namespace: a signal it has no handler
    for is ignored (SIGTERM to a bare sleep), SIGKILL still ends it, and the
    EXITED message names the signal."""
    def term_then_kill(send):
        send(message(SIGNAL, struct.pack("<i", 15)))
        time.sleep(0.3)
        send(message(SIGNAL, struct.pack("<i", 9)))
    run = boot(kernel, tmp, ["--", "sleep", "100"], on_started=term_then_kill)
    problems = []
    expect_exit(problems, run, -1, 9)
    return run, problems


def case_signal_handled(kernel, tmp):
    """A signal the process handles reaches its handler."""
    script = 'trap "echo got-term; exit 5" TERM; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'
    def term_once_the_trap_is_set(send):
        time.sleep(1.0)  # a TERM before the trap is set is ignored (PID 1, no handler)
        send(message(SIGNAL, struct.pack("<i", 15)))
    run = boot(kernel, tmp, ["--", "sh", "-c", script], on_started=term_once_the_trap_is_set)
    problems = []
    expect(problems, run.stdout == b"got-term\n", f"stdout 'got-term\\n', got {run.stdout!r}")
    expect_exit(problems, run, 5)
    return run, problems


def case_signal_before_start(kernel, tmp):
    """A SIGNAL that would end a process, before START, ends the container without running it."""
    run = boot(kernel, tmp, ["--", "sh", "-c", "echo should not run"],
               before_start=lambda send: send(message(SIGNAL, struct.pack("<i", 9))))
    problems = []
    expect(problems, run.types() == ["READY", "EXITED"], f"READY then EXITED, got {run.types()}")
    expect(problems, run.exited() == (-1, 9), f"EXITED (-1, 9), got {run.exited()}")
    expect(problems, run.stdout == b"", f"no output, got {run.stdout!r}")
    expect(problems, run.qemu_rc == 0, f"QEMU exits by itself with 0, got {run.qemu_rc}")
    return run, problems


def case_forward(kernel, tmp):
    """A signal sent to init (PID 1) reaches the process."""
    script = 'trap "echo got-usr1; exit 7" USR1; kill -USR1 1; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'
    run = boot(kernel, tmp, ["--", "sh", "-c", script])
    problems = []
    expect(problems, run.stdout == b"got-usr1\n", f"stdout 'got-usr1\\n', got {run.stdout!r}")
    expect_exit(problems, run, 7)
    return run, problems


def case_reap(kernel, tmp):
    """Orphans are reparented to init and reaped: no zombies."""
    script = ('sh -c "sleep 0.2 & sleep 0.1 &"; sleep 1; out=$(ps -o stat,pid,args); '
              'case "$out" in *PID*) ;; *) echo ps-failed ;; esac; echo "$out" | grep "^Z" || echo no-zombies')
    run = boot(kernel, tmp, ["--", "sh", "-c", script])
    problems = []
    expect(problems, run.stdout == b"no-zombies\n", f"stdout 'no-zombies\\n', got {run.stdout!r}")
    expect_exit(problems, run, 0)
    return run, problems


def case_stdin(kernel, tmp):
    data = bytes(range(256)) * 1024 + b"\nend\n"  # 256 KiB: more than the queues hold
    run = boot(kernel, tmp, ["--", "cat"], stdin=data)
    problems = []
    expect(problems, run.stdout == data, f"stdout = the {len(data)} stdin bytes, got {len(run.stdout)} bytes")
    expect_exit(problems, run, 0)
    return run, problems


def case_identity(kernel, tmp):
    script = 'echo "$FOO"; pwd; id -u; id -g; id -G; hostname; umask; echo "$PATH"; ulimit -n; ulimit -Hn; cat /sys/class/net/lo/flags'
    run = boot(kernel, tmp, ["--env", "FOO=bar baz", "--env", "PATH=/bin", "--cwd", "/tmp", "--uid", "1000",
                             "--gid", "1001", "--groups", "5,7", "--hostname", "vmtest", "--umask", "027",
                             "--rlimit", "nofile=123:456", "--", "sh", "-c", script])
    problems = []
    want = b"bar baz\n/tmp\n1000\n1001\n1001 5 7\nvmtest\n0027\n/bin\n123\n456\n0x9\n"  # 0x9: lo up
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r}")
    expect_exit(problems, run, 0)
    return run, problems


STATUS_PRIVILEGES = "grep -E '^(Cap|NoNewPrivs)' /proc/self/status; cat /proc/self/oom_score_adj /proc/sys/kernel/msgmax"


def case_privileges(kernel, tmp):
    """CAPS as podman gives a user with one added capability (CAP_NET_BIND_SERVICE, 10, ambient too),
    NO_NEW_PRIVS, OOM_SCORE_ADJ and a SYSCTL of the IPC namespace."""
    run = boot(kernel, tmp, ["--uid", "1000", "--gid", "1000",
                             "--caps", "bounding=5,10;effective=10;permitted=10;inheritable=10;ambient=10",
                             "--no-new-privs", "--oom-score-adj", "-500", "--sysctl", "kernel.msgmax=12345",
                             "--", "sh", "-c", STATUS_PRIVILEGES])
    problems = []
    want = (b"CapInh:\t0000000000000400\nCapPrm:\t0000000000000400\nCapEff:\t0000000000000400\n"
            b"CapBnd:\t0000000000000420\nCapAmb:\t0000000000000400\nNoNewPrivs:\t1\n-500\n12345\n")
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r} (stderr {run.stderr!r}, error {run.error()!r})")
    expect_exit(problems, run, 0)
    return run, problems


def case_no_capabilities(kernel, tmp):
    """Empty CAPS for root (--cap-drop ALL): nothing effective after the exec, an empty bounding set."""
    run = boot(kernel, tmp, ["--caps", "", "--", "sh", "-c", STATUS_PRIVILEGES])
    problems = []
    want = b"".join(f"{name}:\t0000000000000000\n".encode() for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"))
    want += b"NoNewPrivs:\t0\n0\n"
    expect(problems, run.stdout.startswith(want), f"stdout starts {want!r}, got {run.stdout!r} (error {run.error()!r})")
    expect_exit(problems, run, 0)
    return run, problems


OWN_DEV = ["--mount", "tmpfs:tmpfs:/dev:nosuid:mode=755",
           "--mount", "devpts:devpts:/dev/pts:nosuid,noexec:newinstance,ptmxmode=0666,mode=0620,gid=5"]


def case_own_dev(kernel, tmp):
    """A tmpfs on /dev is the container's own /dev, with runc's nodes and links, the DEVICE records'
    nodes, and none of the guest's devices (its console and ports)."""
    script = ("ls /dev | tr '\\n' ' '; echo; stat -c '%F %t:%T %a %g' /dev/fuse; stat -c '%F %a' /dev/net/fifo; "
              "readlink /dev/ptmx; echo x > /dev/null && echo null-ok; head -c 3 /dev/zero | wc -c; "
              "test -e /dev/hvc0 || echo no-hvc0; grep -c ' /dev' /proc/mounts")
    run = boot(kernel, tmp, OWN_DEV + ["--device", "c:10:229:/dev/fuse:0640:0:5", "--device", "p:0:0:/dev/net/fifo:0600",
                                       "--", "sh", "-c", script])
    problems = []
    want = (b"fd full fuse net null ptmx pts random shm stderr stdin stdout tty urandom zero \n"
            b"character special file a:e5 640 5\nfifo 600\npts/ptmx\nnull-ok\n3\nno-hvc0\n2\n")  # 2: /dev and /dev/pts
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r} (stderr {run.stderr!r}, error {run.error()!r})")
    expect_exit(problems, run, 0)
    return run, problems


def case_terminal_own_dev(kernel, tmp):
    """With its own /dev, a terminal process finds its terminal at /dev/console, as under runc."""
    run = boot(kernel, tmp, ["--terminal"] + OWN_DEV + ["--", "sh", "-c", "tty; test -e /dev/hvc0 || echo no-hvc0; exit 6"])
    problems = []
    expect(problems, b"/dev/console" in run.console, f"console shows tty /dev/console: {run.console[-300:]!r}")
    expect(problems, b"no-hvc0" in run.console, f"console shows no-hvc0: {run.console[-300:]!r}")
    expect_exit(problems, run, 6)
    return run, problems


def case_cgroup(kernel, tmp):
    """A cgroup2 MOUNT and a CGROUP file: the process is in its own cgroup (the root of its cgroup
    namespace), pids.max holds: the third fork fails (sh, two sleeps), which ends busybox sh with 2."""
    script = ("cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max; grep -c cgroup2 /proc/mounts; "
              "sleep 5 & sleep 5 & sleep 5 & echo not-reached")
    run = boot(kernel, tmp, ["--mount", "cgroup2:cgroup2:/sys/fs/cgroup:nosuid,nodev,noexec", "--cgroup", "pids.max=3",
                             "--", "sh", "-c", script])
    problems = []
    want = b"0::/\n3\n1\n"
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r} (stderr {run.stderr!r}, error {run.error()!r})")
    expect(problems, b"can't fork" in run.stderr, f"the third fork is refused: stderr {run.stderr!r}")
    expect_exit(problems, run, 2)
    return run, problems


class ExecHost:
    """Plays the host's side of exec: what each exec id received."""

    def __init__(self):
        self.outputs = {}  # id -> {stream: bytes}
        self.ended = {}  # id -> [streams that sent their end]
        self.exited = {}  # id -> (code, signal)
        self.errors = {}  # id -> text
        self.pids = {}

    def record(self, mtype, payload):
        if mtype not in (EXEC_STARTED, EXEC_OUTPUT, EXEC_EXITED, EXEC_ERROR) or len(payload) < 4:
            return None
        xid = struct.unpack_from("<I", payload)[0]
        if mtype == EXEC_STARTED:
            self.pids[xid] = struct.unpack_from("<I", payload, 4)[0]
        elif mtype == EXEC_OUTPUT:
            stream, data = payload[4], payload[5:]
            self.outputs.setdefault(xid, {}).setdefault(stream, b"")
            self.outputs[xid][stream] += data
            if not data:
                self.ended.setdefault(xid, []).append(stream)
        elif mtype == EXEC_EXITED:
            self.exited[xid] = struct.unpack_from("<ii", payload, 4)
        else:
            self.errors[xid] = payload[4:].decode("utf-8", "replace")
        return xid, mtype


def case_exec(kernel, tmp):
    """EXEC into the running container: a process in its namespaces with its own stdin, stdout, stderr
    and exit status; an exec that cannot start is an EXEC_ERROR; a terminal exec gets a pty with the
    size EXEC_WINSIZE gives; then the main process ends the container."""
    host = ExecHost()
    script = ('echo "$$" out; echo err >&2; cat; hostname; tr "\\0" " " < /proc/1/cmdline; echo; exit 3')
    first = description(["--env", "PATH=/bin", "--", "sh", "-c", script])
    terminal = description(["--env", "PATH=/bin", "--terminal", "--", "sh", "-c", "sleep 0.5; tty; stty size; exit 4"])

    def exec_message(mtype, xid, payload=b""):
        return message(mtype, struct.pack("<I", xid) + payload)

    def on_message(send, mtype, payload):
        if mtype == STARTED:
            send(exec_message(EXEC, 1, first))
            send(exec_message(EXEC_INPUT, 1, b"to-exec\n"))
            send(exec_message(EXEC_INPUT, 1))
        got = host.record(mtype, payload)
        if got == (1, EXEC_EXITED):
            send(exec_message(EXEC, 2, description(["--", "/no/such/program"])))
        elif got == (2, EXEC_ERROR):
            send(exec_message(EXEC, 3, terminal))
            send(exec_message(EXEC_WINSIZE, 3, struct.pack("<HH", 33, 101)))
        elif got == (3, EXEC_EXITED):
            send(message(SIGNAL, struct.pack("<i", 9)))

    run = boot(kernel, tmp, ["--hostname", "vmtest", "--", "sleep", "30"], on_message=on_message)
    problems = []
    out = host.outputs.get(1, {})
    lines = out.get(1, b"").split(b"\n")
    expect(problems, len(lines) == 5 and lines[0].endswith(b" out") and lines[0].split()[0] not in (b"1", b"")
           and lines[1:] == [b"to-exec", b"vmtest", b"sleep 30 ", b""],
           f"exec 1 stdout: its pid (not 1), its stdin, the container's hostname and PID 1, got {out.get(1)!r}")
    expect(problems, out.get(2) == b"err\n", f"exec 1 stderr 'err\\n', got {out.get(2)!r}")
    expect(problems, sorted(host.ended.get(1, [])) == [1, 2], f"exec 1: both streams end, got {host.ended.get(1)}")
    expect(problems, host.exited.get(1) == (3, 0), f"exec 1 EXEC_EXITED (3, 0), got {host.exited.get(1)}")
    expect(problems, "/no/such/program" in host.errors.get(2, ""), f"exec 2 EXEC_ERROR names the program: {host.errors}")
    tty = host.outputs.get(3, {}).get(1, b"")
    expect(problems, b"/dev/pts/" in tty and b"33 101" in tty, f"exec 3 on a terminal of 33x101, got {tty!r}")
    expect(problems, host.exited.get(3) == (4, 0), f"exec 3 EXEC_EXITED (4, 0), got {host.exited.get(3)}")
    expect_exit(problems, run, -1, 9)
    return run, problems


def case_exec_many(kernel, tmp):
    """Five execs at once, each ended by EXEC_SIGNAL; one writing 192 KiB (many EXEC_OUTPUTs, in order);
    the main process's end kills an exec still running (as under runc) and ends the container."""
    host = ExecHost()
    waiting = description(["--env", "PATH=/bin", "--", "sh", "-c", "echo up; exec sleep 30"])
    bulk = description(["--env", "PATH=/bin", "--", "sh", "-c", "head -c 196608 /dev/zero | tr '\\0' x"])

    def exec_message(mtype, xid, payload=b""):
        return message(mtype, struct.pack("<I", xid) + payload)

    def on_message(send, mtype, payload):
        if mtype == STARTED:
            for xid in range(1, 6):
                send(exec_message(EXEC, xid, waiting))
            send(exec_message(EXEC, 6, bulk))
        got = host.record(mtype, payload)
        if got and got[1] == EXEC_OUTPUT and got[0] <= 5 and host.outputs[got[0]].get(1) == b"up\n":
            send(exec_message(EXEC_SIGNAL, got[0], struct.pack("<i", 9)))
        if len([x for x in host.exited if x <= 5]) == 5 and 6 in host.exited and 7 not in host.pids:
            host.pids[7] = 0
            send(exec_message(EXEC, 7, waiting))
        if got == (7, EXEC_OUTPUT):
            send(message(SIGNAL, struct.pack("<i", 9)))

    run = boot(kernel, tmp, ["--", "sleep", "30"], on_message=on_message)
    problems = []
    expect(problems, all(host.exited.get(x) == (-1, 9) for x in range(1, 6)), f"execs 1-5 killed by 9: {host.exited}")
    bulk_out = host.outputs.get(6, {}).get(1, b"")
    expect(problems, bulk_out == b"x" * 196608, f"exec 6: 196608 x in order, got {len(bulk_out)} bytes")
    expect(problems, host.exited.get(6) == (0, 0), f"exec 6 EXEC_EXITED (0, 0), got {host.exited.get(6)}")
    expect(problems, host.exited.get(7) in (None, (-1, 9)), f"exec 7 is killed with the container, got {host.exited.get(7)}")
    expect_exit(problems, run, -1, 9)
    return run, problems


def case_terminal(kernel, tmp):
    run = boot(kernel, tmp, ["--terminal", "--", "sh", "-c", "tty; stty size; exit 4"],
               before_start=lambda send: send(message(WINSIZE, struct.pack("<HH", 33, 101))))
    problems = []
    expect(problems, b"/dev/hvc0" in run.console, f"console shows tty /dev/hvc0: {run.console[-300:]!r}")
    expect(problems, b"33 101" in run.console, f"console shows stty size 33 101: {run.console[-300:]!r}")
    expect_exit(problems, run, 4)
    return run, problems


def case_exec_error(kernel, tmp):
    run = boot(kernel, tmp, ["--", "/no/such/program", "x"])
    problems = []
    err = run.error() or ""
    expect(problems, run.types() == ["READY", "ERROR"], f"READY then ERROR, got {run.types()}")
    expect(problems, err == 'exec: "/no/such/program": no such file or directory', f"ERROR names the program as runc does: {err!r}")
    expect(problems, run.qemu_rc == 0, f"QEMU exits by itself with 0, got {run.qemu_rc}")
    return run, problems


def case_malformed(kernel, tmp):
    raw = b"VMMPROC1" + struct.pack("<HI", 1, 2) + b"sh" + struct.pack("<HI", 4, 3) + b"\0\0\0"
    run = boot(kernel, tmp, None, raw_process=raw)
    problems = []
    err = run.error() or ""
    expect(problems, run.types() == ["ERROR"], f"only ERROR, got {run.types()}")
    expect(problems, "malformed" in err and "UID" in err, f"ERROR explains: {err!r}")
    expect(problems, b"malformed" in run.console, "the error is also on the console")
    expect(problems, run.qemu_rc == 0, f"QEMU exits by itself with 0, got {run.qemu_rc}")
    return run, problems


def case_rootfs(kernel, tmp):
    """ROOTFS read-only from virtiofsd, MOUNTs (tmpfs on /tmp, a read-only bind of it on /mnt), the
    process from the shared folder."""
    if not os.access(VIRTIOFSD, os.X_OK):
        return None, "virtiofsd not found"
    root = os.path.join(tmp, "rootfs")
    for d in ("bin", "dev", "proc", "sys", "tmp", "etc", "mnt"):
        os.makedirs(os.path.join(root, d))
    shutil.copy2(shutil.which("busybox"), os.path.join(root, "bin", "busybox"))
    for applet in BUSYBOX_APPLETS:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    with open(os.path.join(root, "etc", "marker"), "w") as f:
        f.write("from-virtiofs\n")
    script = ("cat /etc/marker; echo hi > /tmp/f && cat /tmp/f; touch /x 2>/dev/null || echo ro; "
              "test -e /proc/self/stat && echo proc; test -c /dev/null && echo dev; "
              "test -d /sys/class && echo sys; test -e /init || echo pivoted; "
              "cat /mnt/f; touch /mnt/g 2>/dev/null || echo bind-ro")
    run = boot(kernel, tmp, ["--rootfs", "myfs:ro", "--mount", "tmpfs:tmpfs:/tmp:nosuid,nodev:mode=1777",
                             "--mount", ":/tmp:/mnt:bind,ro", "--", "sh", "-c", script], rootfs=("myfs", root))
    problems = []
    want = b"from-virtiofs\nhi\nro\nproc\ndev\nsys\npivoted\nhi\nbind-ro\n"
    expect(problems, run.stdout == want, f"stdout {want!r}, got {run.stdout!r}")
    expect(problems, run.stderr == b"", f"no stderr, got {run.stderr!r}")
    expect_exit(problems, run, 0)
    return run, problems


CASES = [case_basic, case_args, case_signal, case_signal_handled, case_signal_before_start, case_forward, case_reap, case_stdin, case_identity, case_privileges,
         case_no_capabilities, case_own_dev, case_terminal_own_dev, case_cgroup,
         case_exec, case_exec_many, case_terminal, case_exec_error,
         case_malformed, case_rootfs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel_dir", nargs="?")
    ap.add_argument("-v", "--verbose", action="store_true", help="show each run's console")
    ap.add_argument("-k", dest="only", help="run only cases whose name contains this")
    args = ap.parse_args()

    missing = [t for t in ("qemu-system-x86_64", "busybox", "cpio", "make", "gcc") if not shutil.which(t)]
    if missing:
        print(f"qemu_check: skipped: missing {' '.join(missing)}")
        print("0 passed, 0 failed")
        return 0
    kernel = args.kernel_dir
    if not kernel:
        r = subprocess.run([os.path.join(REPO, "kernel", "build.sh"), "--print-path"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print("qemu_check: skipped: the kernel is not built (run kernel/build.sh)")
            print("0 passed, 0 failed")
            return 0
        kernel = r.stdout.strip().splitlines()[-1]
    subprocess.run(["make", "-s", "-C", GUEST, f"BUILD={BUILD}"], check=True)

    passed = failed = 0
    for case in CASES:
        name = case.__name__[len("case_"):]
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix=f"qemu-check-{name}-") as tmp:
            try:
                run, problems = case(kernel, tmp)
            except Exception as e:  # a harness failure is a failed case, not a crash
                run, problems = None, [f"{type(e).__name__}: {e}"]
        if run is None and isinstance(problems, str):
            print(f"qemu_check: {name}: skipped ({problems})")
            continue
        timing = ""
        if run is not None and run.exited_at is not None:
            timing = (f" (READY {run.ready_at or float('nan'):.2f}s, EXITED {run.exited_at:.2f}s, "
                      f"QEMU gone {run.ended_at or float('nan'):.2f}s after QEMU start)")
        if problems:
            failed += 1
            print(f"qemu_check: {name}: FAILED{timing}")
            for p in problems:
                print(f"    - {p}")
            if run is not None:
                shown = [(t, p[:24] + (b"..." if len(p) > 24 else b"")) for t, p in run.messages[:40]]
                print(f"    messages: {run.types()[:40]} {shown}" + (f" (+{len(run.messages) - 40} more)" if len(run.messages) > 40 else ""))
                print("    console (last 1500 bytes):")
                print("      " + run.console[-1500:].decode("utf-8", "replace").replace("\n", "\n      "))
                if run.qemu_output:
                    print("    qemu: " + run.qemu_output.decode("utf-8", "replace").strip())
        else:
            passed += 1
            print(f"qemu_check: {name}: ok{timing}")
        if args.verbose and run is not None:
            print(run.console.decode("utf-8", "replace"))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
