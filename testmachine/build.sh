#!/usr/bin/env bash
# Prepares the emulated AMD-V test machine: Debian's stock kernel package
# (linux-image-6.1.0-N-amd64-unsigned, fetched with apt-get download and
# unpacked, never installed) and the small initramfs that boots it into this
# host's root filesystem. Both are cached outside the repository in
#   ${VMM_TESTMACHINE_CACHE:-/var/cache/vmm/testmachine}/
#     kernel-<package version>/   the unpacked package, depmod run over it
#     initrd-<key>.img            keyed by package version, init and this script
#
# Usage: testmachine/build.sh   prepare if needed; print three lines:
#                               vmlinuz path, initrd path, module tree root
#
# Everything but the three result lines goes to stderr. A failure prints one
# line naming what broke (package lookup, download, unpack, initramfs).
set -euo pipefail
exec 3>&1 1>&2

readonly prog=testmachine/build.sh
readonly here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly cache_root=${VMM_TESTMACHINE_CACHE:-/var/cache/vmm/testmachine}
# Loaded by the initramfs, in dependency order: 9p for the host's root,
# overlay for a writable view of it, kvm-amd for the emulated AMD-V.
readonly initramfs_modules=(9p 9pnet_virtio virtio_pci overlay kvm-amd)

die() { echo "$prog: $*" >&2; exit 1; }
log() { echo "$prog: $*" >&2; }

for tool in apt-cache:apt apt-get:apt dpkg-deb:dpkg depmod:kmod modprobe:kmod cpio:cpio flock:util-linux; do
    command -v "${tool%%:*}" >/dev/null || die "${tool%%:*} not found (apt-get install ${tool#*:})"
done
busybox=/bin/busybox
{ ldd "$busybox" 2>&1 || true; } | grep -q "not a dynamic" || die "$busybox is missing or not static (apt-get install busybox-static)"

# The package linux-image-amd64 points at today: newest ABI, newest build.
candidate_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1-unsigned/p' | head -n1
}
package=$(candidate_package)
if [[ -z $package ]]; then
    log "apt has no linux-image-amd64 candidate; running apt-get update"
    apt-get update -qq || true
    package=$(candidate_package)
fi
version=
[[ -z $package ]] || version=$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [[ -z $package || -z $version || $version == "(none)" ]]; then
    # Offline, or the archive moved on: any kernel unpacked before will do.
    cached=$(ls -d "$cache_root"/kernel-*/ 2>/dev/null | sort -V | tail -n1)
    [[ -n $cached ]] || die "package lookup failed: no linux-image-6.1.0-*-amd64-unsigned in apt's lists and none cached in $cache_root"
    version=${cached%/}; version=${version##*/kernel-}
    log "package lookup failed; using the cached kernel $version"
fi
readonly kernel_dir=$cache_root/kernel-$version

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9

if [[ ! -f $kernel_dir/.complete ]]; then
    stage=$(mktemp -d "$cache_root/.stage-XXXXXX")
    trap 'rm -rf -- "$stage"' EXIT
    log "downloading $package $version"
    (cd "$stage" && apt-get download -q "$package=$version" >/dev/null 2>"$stage/apt.log") ||
        { cat "$stage/apt.log" >&2; die "package download failed: $package $version (see above)"; }
    log "unpacking $package"
    dpkg-deb -x "$stage"/*.deb "$stage/root" || die "unpack failed: $package $version"
    rm -f "$stage"/*.deb
    release=$(ls "$stage/root/lib/modules")
    [[ -f $stage/root/boot/vmlinuz-$release ]] || die "unpack failed: $package has no boot/vmlinuz-$release"
    depmod -b "$stage/root" "$release" || die "depmod failed over $package's modules"
    echo "$release" >"$stage/root/release"
    touch "$stage/root/.complete"
    rm -rf -- "$kernel_dir"
    mv -T -- "$stage/root" "$kernel_dir"
    rm -rf -- "$stage"
    trap - EXIT
fi
release=$(<"$kernel_dir/release")

key=$(
    {
        printf '%s\n' "$version"
        sha256sum "$here/init" "$here/build.sh" | cut -d' ' -f1
        sha256sum "$busybox" | cut -d' ' -f1
    } | sha256sum | cut -c1-16
)
readonly initrd=$cache_root/initrd-$key.img

if [[ ! -f $initrd ]]; then
    log "building the initramfs ($initrd)"
    stage=$(mktemp -d "$cache_root/.stage-XXXXXX")
    trap 'rm -rf -- "$stage"' EXIT
    tree=$stage/tree
    mkdir -p "$tree"/{bin,dev,proc,sys,modules,lower,upper,newroot}
    cp "$busybox" "$tree/bin/busybox"
    cp "$here/init" "$tree/init"
    chmod 0755 "$tree/init"
    for module in "${initramfs_modules[@]}"; do
        modprobe -d "$kernel_dir" -S "$release" --show-depends "$module" ||
            die "initramfs failed: module $module is not in $package"
    done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$stage/paths"
    while IFS= read -r path; do
        cp "$path" "$tree/modules/"
        basename "$path" >>"$tree/modules/order"
    done <"$stage/paths"
    (cd "$tree" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$stage/initrd.img" ||
        die "initramfs failed: cpio"
    mv -- "$stage/initrd.img" "$initrd"
    rm -rf -- "$stage"
    trap - EXIT
fi

printf '%s\n' "$kernel_dir/boot/vmlinuz-$release" "$initrd" "$kernel_dir" >&3
