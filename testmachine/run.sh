#!/usr/bin/env bash
# Runs one command as root inside the emulated AMD-V test machine: QEMU's
# software CPU (-accel tcg -cpu max, which emulates SVM with nested paging)
# booting Debian's stock kernel, which loads kvm-amd, over this host's root
# filesystem (read-only 9p under a tmpfs overlay: writes vanish with the
# machine unless they go to a --share). The command's output (stdout and
# stderr together) streams to stdout; its exit status is ours.
#
# QEMU here is a test instrument, the CPU of a test machine; never part of
# the product. Times inside are emulated: use them for proportions only.
#
# Usage: testmachine/run.sh [OPTIONS] [--] COMMAND [ARG...]
#   --timeout SECONDS   whole-machine limit, boot included (default 900)
#   --memory MIB        guest RAM (default 6144; tmpfs upper layer included)
#   --cpus N            virtual CPUs (default 1: with 2, QEMU 7.2's multi-threaded
#                       TCG and nested SVM were seen to freeze the machine)
#   --icount            deterministic clock: one instruction = one virtual
#                       ns, idle time skipped (forces one CPU)
#   --share DIR         DIR is writable inside and writes reach the host
#                       (repeatable); the current directory is the cwd (a
#                       share itself when it lies under /tmp, /run or
#                       another place the machine mounts afresh)
#   --env NAME          pass NAME from our environment (repeatable); PATH,
#                       HOME, LANG, CI and VMM_* always pass
#
# Exit status: the command's; 125 when the machine itself failed (one line
# "testmachine: FAILED <what>: <why>" says what: package download, module
# load, boot, timeout); 64 for a usage mistake.
set -uo pipefail

readonly prog=testmachine/run.sh
readonly here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { echo "$prog: $*" >&2; echo "usage: $prog [--timeout S] [--memory MIB] [--cpus N] [--icount] [--share DIR]... [--env NAME]... [--] COMMAND [ARG...]" >&2; exit 64; }
failed() {
    # The machine's own kernel log first, for whoever reads CI's log.
    if [[ -s ${control-}/console.log ]]; then
        echo "testmachine: the machine's kernel log ends:" >&2
        grep -av 'testmachine: heartbeat' "$control/console.log" | tail -n 25 | tr -d '\r' | sed 's/^/  | /' >&2
        grep -a 'testmachine: heartbeat' "$control/console.log" | tail -n 1 | tr -d '\r' | sed 's/^/  last /' >&2
    fi
    [[ -s ${control-}/freeze ]] && cat "$control/freeze" >&2
    echo "testmachine: FAILED $*" >&2
    exit 125
}

timeout_s=900
memory=6144
cpus=1
icount=false
shares=()
names=()
while (($#)); do
    case $1 in
        --timeout) [[ ${2-} =~ ^[1-9][0-9]*$ ]] || usage "--timeout needs a positive number of seconds"; timeout_s=$2; shift 2 ;;
        --memory) [[ ${2-} =~ ^[1-9][0-9]*$ ]] || usage "--memory needs a size in MiB"; memory=$2; shift 2 ;;
        --cpus) [[ ${2-} =~ ^[1-9][0-9]?$ ]] || usage "--cpus needs a count"; cpus=$2; shift 2 ;;
        --icount) icount=true; shift ;;
        --share) [[ -d ${2-} ]] || usage "--share needs an existing directory, not '${2-}'"; shares+=("$(cd "$2" && pwd)"); shift 2 ;;
        --env) [[ ${2-} =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || usage "--env needs a variable name"; names+=("$2"); shift 2 ;;
        --) shift; break ;;
        -*) usage "unknown option $1" ;;
        *) break ;;
    esac
done
(($#)) || usage "no command given"
$icount && cpus=1
# stage2.sh mounts fresh file systems over these, as a host's boot would:
# a current directory below one (a CI clone in /tmp) comes in as a share.
for hidden in /tmp /var/tmp /run /dev /var/lib/containers /var/lib/docker /var/lib/containerd; do
    if [[ $PWD == "$hidden" || $PWD == "$hidden"/* ]]; then
        shares+=("$PWD")
        break
    fi
done

qemu=$(command -v qemu-system-x86_64) || failed "boot: qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

paths=$("$here/build.sh") || failed "preparing the machine: testmachine/build.sh failed (its last line above says why)"
{ read -r vmlinuz; read -r initrd; read -r modules; } <<<"$paths"

control=$(mktemp -d /tmp/vmm-testmachine-XXXXXX) || failed "boot: no temporary directory"
qemu_pid=
cleanup() {
    if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill -TERM "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    rm -rf -- "$control"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cp "$here/stage2.sh" "$control/stage2.sh"
printf '%s\0' "$@" >"$control/argv"
{
    for name in PATH HOME LANG CI "${names[@]}" $(compgen -e | grep '^VMM_'); do
        [[ -v $name ]] && printf '%s=%s\0' "$name" "${!name}"
    done
    printf 'TERM=dumb\0VMM_TESTMACHINE=1\0'
} >"$control/env"
pwd >"$control/cwd"
printf '%s\n' "$modules" >"$control/modules"
: >"$control/shares"
virtfs=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
        -virtfs "local,path=$control,mount_tag=control,security_model=none,multidevs=remap")
for i in "${!shares[@]}"; do
    printf 'share%d %s\n' "$i" "${shares[$i]}" >>"$control/shares"
    virtfs+=(-virtfs "local,path=${shares[$i]},mount_tag=share$i,security_model=none,multidevs=remap")
done

if $icount; then
    cpu=(-accel tcg,thread=single -icount shift=0,sleep=off -smp 1)
else
    cpu=(-accel tcg,thread=multi -smp "$cpus")
fi
# -no-reboot: the guest ends the machine with a reset (sysrq b).
"$qemu" -nodefaults -no-user-config -machine pc "${cpu[@]}" -cpu max -m "$memory" \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init" \
    -no-reboot -display none -monitor "unix:$control/monitor.sock,server=on,wait=off" \
    -chardev "file,id=log,path=$control/console.log" -serial chardev:log \
    -device virtio-serial-pci,id=serial -chardev stdio,id=out,signal=off -device virtconsole,bus=serial.0,chardev=out \
    "${virtfs[@]}" </dev/null 2>"$control/qemu.log" &
qemu_pid=$!
# The limit, on our side. Past it, QEMU's monitor says where each vCPU is
# (freeze_report.py), then QEMU is ended: TERM, then KILL.
timed_out=false
if ! timeout "$timeout_s" tail -s 0.2 --pid="$qemu_pid" -f /dev/null; then
    timed_out=true
    timeout 30 python3 "$here/freeze_report.py" "$control/monitor.sock" "$control/kallsyms" >"$control/freeze" 2>&1
    kill -TERM "$qemu_pid" 2>/dev/null
    timeout 5 tail -s 0.2 --pid="$qemu_pid" -f /dev/null || kill -KILL "$qemu_pid" 2>/dev/null
fi
wait "$qemu_pid"
qemu_status=$?
qemu_pid=

if [[ -f $control/status ]]; then
    exit "$(<"$control/status")"
fi
if [[ -f $control/failure ]]; then
    failed "$(<"$control/failure")"
fi
last=$(grep -a 'testmachine: ' "$control/console.log" | grep -av 'testmachine: heartbeat' | tail -n1 | tr -d '\r')
if [[ $last == *"FAILED "* ]]; then
    failed "${last#*FAILED }"
fi
if $timed_out; then
    failed "timeout: the machine ran past ${timeout_s} s (last word from it: ${last:-none})"
fi
if [[ -s $control/qemu.log ]]; then
    failed "boot: QEMU exited with status $qemu_status: $(tr '\n' ' ' <"$control/qemu.log")"
fi
if [[ -z $last ]]; then
    failed "boot: the kernel never reached the initramfs (QEMU status $qemu_status; console: $(tail -c 300 "$control/console.log" | tr -d '\r' | tr '\n' ' '))"
fi
failed "the command: the machine ended without its exit status (last word from it: $last)"
