#!/bin/bash
# Stage 2 of the test machine, PID 1 on the host's root (a tmpfs overlay
# over this host's / shared read-only by 9p). Makes it look like a normal
# host — what udev and systemd would have mounted — then runs the one
# command testmachine/run.sh asked for, as root, and records its status.
#
# The control share (/testmachine) holds: argv and env (NUL-separated),
# cwd, shares ("TAG PATH" lines, writable 9p shares to mount at PATH),
# modules (the unpacked kernel package). We write: status, or failure.
set -u
readonly control=/testmachine
out=/dev/console  # until the virtio console (hvc0, our stdout on the host) is up
# Markers go to the log too: run.sh names the last one when the machine dies.
say() {
    echo "testmachine: $*" >"$out"
    [[ $out == /dev/console ]] || echo "testmachine: $*" >/dev/console
}
finish() {
    sync
    /bin/busybox reboot -f  # with -no-reboot, a reset ends QEMU
    sleep 10
}
fail() {
    say "FAILED $*"
    printf '%s\n' "$*" >"$control/failure"
    finish
}
must() { "$@" || fail "boot: $*"; }

must mount -t proc proc /proc
must mount -t sysfs sysfs /sys
must mount -t cgroup2 cgroup2 /sys/fs/cgroup
must mkdir -p /dev/pts /dev/shm /dev/mqueue
must mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
ln -sfn pts/ptmx /dev/ptmx
must mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null || true
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
# Fresh, writable, and not overlayfs: what containers and their state use.
must mount -t tmpfs -o mode=0755,nosuid,nodev run /run
must mkdir -p /run/lock /run/user
must mount -t tmpfs -o mode=1777 tmp /tmp
must mount -t tmpfs -o mode=1777 vartmp /var/tmp
for dir in /var/lib/containers /var/lib/docker /var/lib/containerd; do
    must mkdir -p "$dir"
    must mount -t tmpfs -o mode=0700 storage "$dir"
done

# The kernel package's module tree where modprobe looks for it.
modules=$(<"$control/modules")
release=$(<"$modules/release")
must mkdir -p "/lib/modules/$release"
must mount --bind "$modules/lib/modules/$release" "/lib/modules/$release"

# What vmm's network cards use, loaded up front: nothing runs udev or
# kmod's static nodes here, so /dev/net/tun and /dev/vhost-net appear only
# once their modules are in (the tc and netfilter ones load on demand).
for module in tun vhost_net veth bridge sch_ingress act_mirred cls_u32 dummy; do
    modprobe "$module" 2>/dev/null || echo "testmachine: module $module did not load" >/dev/console
done
echo 6 >/proc/sys/kernel/printk  # to the log (ttyS0): lockups and oopses show there
hostname testmachine
ip link set lo up 2>/dev/null || true

while read -r tag path; do
    [[ -n $tag ]] || continue
    must mkdir -p "$path"
    must mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$tag" "$path"
done <"$control/shares"

[[ -c /dev/kvm ]] || fail "module load: kvm-amd loaded but /dev/kvm is missing"
# The command's output goes to hvc0, the kernel's messages to ttyS0 (a log).
modprobe virtio_console || fail "module load: virtio_console"
for _ in $(seq 100); do [[ -c /dev/hvc0 ]] && break; sleep 0.05; done
[[ -c /dev/hvc0 ]] || fail "boot: no /dev/hvc0 after loading virtio_console"
# hvc resets its modes at the last close: hold it open, then make it raw
# (no \n to \r\n: the host gets the bytes the command wrote).
exec 3<>/dev/hvc0
stty raw -echo <&3 2>/dev/null || true
out=/dev/hvc0

# For a freeze report (run.sh's freeze_report.py): the kernel's code
# symbols at their real, randomised addresses, modules' included.
nice -n 19 grep -a ' [tTwW] ' /proc/kallsyms >"$control/kallsyms" 2>/dev/null &
# A heartbeat on the kernel log: if the machine freezes, the last one says
# when, and that user space still ran until then.
while sleep 30; do
    echo "testmachine: heartbeat at $(cut -d' ' -f1 /proc/uptime) s, load $(cut -d' ' -f1-3 /proc/loadavg)" >/dev/console
done &

mapfile -d '' -t argv <"$control/argv"
mapfile -d '' -t environment <"$control/env"
cwd=$(<"$control/cwd")
cd "$cwd" || fail "the command: no directory $cwd inside the test machine"
say "ready after $(cut -d' ' -f1 /proc/uptime) s (emulated AMD-V, $(nproc) CPUs, kernel $release): running ${argv[0]}"

# fd 3 stays ours: the command gets only stdin, stdout and stderr.
env -i "${environment[@]}" "${argv[@]}" </dev/null >"$out" 2>&1 3>&- &
wait $!
status=$?
kill -KILL -1 2>/dev/null
printf '%s\n' "$status" >"$control/status"
finish
