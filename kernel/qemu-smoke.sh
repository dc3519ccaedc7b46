#!/usr/bin/env bash
# Tier-4 smoke test of the guest kernel (see docs/architecture.md "Test
# tiers"): boots the built kernel on QEMU's microvm machine under TCG (QEMU
# only stands in for the CPU; it is never part of the product) with a tiny
# static /init that exercises the syscalls and filesystems the fragment
# enables, prints a marker and calls reboot(RB_AUTOBOOT). Passes if the
# banner carries "-vmm", the marker shows up and QEMU exits by itself:
# reboot=k resets through the i8042 (added with -device i8042, as microvm has
# none; our VMM ends the VM on that reset), and -no-reboot turns the reset
# into an exit. Boots vmlinux (PVH entry) with an uncompressed and with a
# gzip initramfs, and bzImage (LZ4) with the gzip one.
#
# Usage: kernel/qemu-smoke.sh [KERNEL_DIR]   (default: kernel/build.sh --print-path)
# Needs: qemu-system-x86, gcc with static libc (libc6-dev), cpio, gzip.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kdir=${1:-$("$here/build.sh" --print-path)} || {
    echo "qemu-smoke: kernel not built; run kernel/build.sh first" >&2
    exit 1
}
for tool in qemu-system-x86_64 gcc cpio gzip timeout; do
    command -v "$tool" >/dev/null || { echo "qemu-smoke: $tool not found" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
marker=VMM-SMOKE-OK

cat >"$tmp/init.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <signal.h>
#include <unistd.h>

static int failures;

static void check(const char *what, int ok) {
    printf("smoke: %-28s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) failures++;
}

int main(void) {
    /* No /dev/console in the archive: mount devtmpfs and take the console. */
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int con = open("/dev/console", O_RDWR);
    if (con >= 0) { dup2(con, 0); dup2(con, 1); dup2(con, 2); }
    setvbuf(stdout, NULL, _IONBF, 0);

    check("mount proc", mount("proc", "/proc", "proc", 0, NULL) == 0);
    check("mount sysfs", mount("sysfs", "/sys", "sysfs", 0, NULL) == 0);
    check("mount tmpfs", mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0);
    mkdir("/dev/pts", 0755);
    check("mount devpts", mount("devpts", "/dev/pts", "devpts", 0, NULL) == 0);
    check("open /dev/ptmx", open("/dev/ptmx", O_RDWR | O_NOCTTY) >= 0);
    char fs[1024] = {0};
    int fsfd = open("/proc/filesystems", O_RDONLY);
    if (fsfd >= 0) read(fsfd, fs, sizeof fs - 1);
    check("virtiofs registered", strstr(fs, "\tvirtiofs\n") != NULL);
    int sv[2];
    check("AF_UNIX socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    check("AF_INET socket", socket(AF_INET, SOCK_DGRAM, 0) >= 0);
    check("epoll_create1", epoll_create1(0) >= 0);
    check("eventfd", eventfd(0, 0) >= 0);
    sigset_t set; sigemptyset(&set); sigaddset(&set, SIGUSR1);
    check("signalfd", signalfd(-1, &set, 0) >= 0);
    check("timerfd_create", timerfd_create(CLOCK_MONOTONIC, 0) >= 0);
    check("memfd_create", memfd_create("x", 0) >= 0);
    check("flock-able tmp file", open("/tmp/f", O_CREAT | O_RDWR, 0600) >= 0);
    printf("smoke: online cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));

    char buf[256] = {0};
    int fd = open("/proc/version", O_RDONLY);
    if (fd >= 0 && read(fd, buf, sizeof buf - 1) > 0) printf("smoke: %s", buf);
    if (failures == 0) printf("%s\n", "VMM-SMOKE-OK");
    sync();
    reboot(RB_AUTOBOOT);
    return 1;
}
EOF
gcc -static -Os -o "$tmp/init" "$tmp/init.c"

mkdir -p "$tmp/root"/{dev,proc,sys,tmp}
cp "$tmp/init" "$tmp/root/init"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet) >"$tmp/initramfs.cpio"
gzip -9 -k "$tmp/initramfs.cpio"

status=0
for boot in vmlinux:initramfs.cpio vmlinux:initramfs.cpio.gz bzImage:initramfs.cpio.gz; do
    image=${boot%%:*} initrd=${boot#*:}
    log=$tmp/$image-$initrd.log
    started=$(date +%s.%N)
    rc=0
    timeout 120 qemu-system-x86_64 \
        -M microvm,accel=tcg,acpi=off -cpu max -smp 2 -m 256 \
        -nodefaults -no-user-config -display none -serial stdio -no-reboot \
        -device i8042 -kernel "$kdir/$image" -initrd "$tmp/$initrd" \
        -append "console=ttyS0 earlyprintk=serial,ttyS0 reboot=k panic=-1" \
        </dev/null >"$log" 2>&1 || rc=$?
    elapsed=$(printf '%.2f' "$(echo "$(date +%s.%N) - $started" | bc)")
    problems=()
    grep -q 'Linux version [^ ]*-vmm ' "$log" || problems+=("no -vmm banner")
    grep -q "^$marker" "$log" || problems+=("no $marker marker")
    grep -q '^smoke: online cpus 2' "$log" || problems+=("second CPU not up (MP table)")
    [[ $rc -eq 0 ]] || problems+=("qemu exit status $rc (124: did not exit by itself)")
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "qemu-smoke: $image + $initrd: ok (QEMU exited by itself after ${elapsed}s)"
    else
        echo "qemu-smoke: $image + $initrd: FAILED: ${problems[*]}; last lines:" >&2
        tail -n 20 "$log" >&2
        status=1
    fi
    [[ -z ${VERBOSE-} ]] || cat "$log"
done
exit $status
