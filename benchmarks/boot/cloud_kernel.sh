#!/usr/bin/env bash
# Fetches Debian's stock cloud kernel (the one linux-image-cloud-amd64
# points at; the kernel a user would pick instead of ours) with
# apt-get download, keeps only its vmlinuz and config, and prints the
# vmlinuz path as the last line of stdout. Cached in
#   ${VMM_CLOUD_KERNEL_CACHE:-/var/cache/vmm/cloud-kernel}/<version>/
# keyed by the package's version; offline, the newest cached one is used.
set -euo pipefail
exec 3>&1 1>&2
readonly prog=benchmarks/boot/cloud_kernel.sh
readonly cache_root=${VMM_CLOUD_KERNEL_CACHE:-/var/cache/vmm/cloud-kernel}
die() { echo "$prog: $*" >&2; exit 1; }

package=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-amd64\)$/\1-unsigned/p' | head -n1)
version=
[[ -z $package ]] || version=$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [[ -z $version || $version == "(none)" ]]; then
    cached=$(ls -d "$cache_root"/*/ 2>/dev/null | sort -V | tail -n1)
    [[ -n $cached ]] || die "no linux-image-*-cloud-amd64-unsigned in apt's lists (apt-get update) and none cached in $cache_root"
    echo "${cached%/}/vmlinuz" >&3
    exit 0
fi
dest=$cache_root/$package-$version
if [[ ! -f $dest/vmlinuz ]]; then
    mkdir -p "$cache_root"
    stage=$(mktemp -d "$cache_root/.stage-XXXXXX")
    trap 'rm -rf -- "$stage"' EXIT
    echo "$prog: downloading $package $version"
    (cd "$stage" && apt-get download -q "$package=$version" >/dev/null) || die "download failed: $package $version"
    dpkg-deb --fsys-tarfile "$stage"/*.deb | tar -x -C "$stage" --wildcards './boot/*' ||
        die "unpack failed: $package $version"
    mkdir -p "$stage/out"
    cp "$stage"/boot/vmlinuz-* "$stage/out/vmlinuz"
    cp "$stage"/boot/config-* "$stage/out/config"
    rm -rf -- "$dest"
    mv -T -- "$stage/out" "$dest"
fi
echo "$dest/vmlinuz" >&3
