#!/usr/bin/env bash
# Packs a vmm guest initramfs (cpio newc): INIT as /init, PROCESS as
# /vmm/process, the directories init mounts on, and optional extras.
# For tests and manual QEMU runs; the VMM builds the same archive in Swift.
#
# Usage: mkinitramfs.sh -o OUT.cpio INIT PROCESS [SRC:DEST ...]
#   SRC:DEST  copies SRC (a file, symlink or directory, with cp -a) to DEST
#             inside the archive, creating DEST's parent directories.
# Everything is owned by root (cpio -R 0:0), whoever runs this.
set -euo pipefail

usage() { echo "usage: $0 -o OUT.cpio INIT PROCESS [SRC:DEST ...]" >&2; exit 2; }

out=
while getopts o:h opt; do
    case $opt in
        o) out=$OPTARG ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ -n $out && $# -ge 2 ]] || usage
init=$1 process=$2
shift 2
for tool in cpio cp find; do
    command -v "$tool" >/dev/null || { echo "mkinitramfs: $tool not found" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf -- "$stage"' EXIT
mkdir -p "$stage"/{dev,proc,sys,tmp,newroot,vmm}
install -m 0755 "$init" "$stage/init"
install -m 0644 "$process" "$stage/vmm/process"
for extra in "$@"; do
    src=${extra%%:*} dest=${extra#*:}
    [[ $extra == *:* && -n $src && $dest == /* ]] || { echo "mkinitramfs: bad extra '$extra' (want SRC:/DEST)" >&2; exit 2; }
    mkdir -p "$stage$(dirname "$dest")"
    cp -a -- "$src" "$stage$dest"
done
out=$(realpath -m -- "$out")
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out"
