#!/usr/bin/env bash
# Builds the vmm guest kernel from Debian's linux-source-6.1: tinyconfig plus
# kernel/config.fragment, then `vmlinux` and `bzImage`. The result is cached
# outside the repository in
#   ${VMM_KERNEL_CACHE:-/var/cache/vmm/kernel}/<key>/{vmlinux,bzImage,config}
# where <key> hashes the fragment, this script and the linux-source package
# version, so CI and the README command reuse one build.
#
# Usage: kernel/build.sh               build if needed; print the cache dir
#        kernel/build.sh --print-path  print the cache dir; exit 1 if not built
#
# The cache dir path is the last (and only) line on stdout; everything else
# goes to stderr. Installs nothing: see kernel/README.md for the packages.
set -euo pipefail

# stdout is reserved for the result path; send everything else to stderr.
exec 3>&1 1>&2

readonly prog=kernel/build.sh
readonly here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly fragment=$here/config.fragment
readonly self=$here/$(basename "${BASH_SOURCE[0]}")
readonly source_pkg=linux-source-6.1
readonly tarball=/usr/src/linux-source-6.1.tar.xz
readonly cache_root=${VMM_KERNEL_CACHE:-/var/cache/vmm/kernel}
# x86_64, not the host's default x86: tinyconfig would otherwise pick i386.
readonly karch=x86_64

die() { echo "$prog: $*" >&2; exit 1; }
log() { echo "$prog: $*" >&2; }

print_path=false
case "${1-}" in
    "") ;;
    --print-path) print_path=true ;;
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$self" >&3; exit 0 ;;
    *) die "unknown argument '$1' (usage: $prog [--print-path])" ;;
esac
[[ $# -le 1 ]] || die "too many arguments (usage: $prog [--print-path])"

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script expects Debian's $source_pkg package"
source_version=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$source_pkg" 2>/dev/null || true)
[[ $source_version == "installed "* ]] ||
    die "$source_pkg is not installed (apt-get install $source_pkg flex bison bc libelf-dev lz4)"
source_version=${source_version#installed }

# The cache key: anything that changes the kernel we build changes the key.
key=$(
    {
        printf 'config.fragment %s\n' "$(sha256sum <"$fragment" | cut -d' ' -f1)"
        printf 'build.sh %s\n' "$(sha256sum <"$self" | cut -d' ' -f1)"
        printf '%s %s\n' "$source_pkg" "$source_version"
    } | sha256sum | cut -c1-16
)
readonly dest=$cache_root/$key

is_built() { [[ -f $dest/vmlinux && -f $dest/bzImage && -f $dest/config ]]; }
# `current` names the kernel this checkout last built or reused: vmm's default.
point_current() { ln -sfn -- "$key" "$cache_root/current"; }

if $print_path; then
    echo "$dest" >&3
    is_built
    exit
fi
if is_built; then
    log "cached: $dest"
    point_current
    echo "$dest" >&3
    exit 0
fi

# Build dependencies, reported together in one line.
missing=()
[[ -r $tarball ]] || missing+=("$source_pkg($tarball)")
for tool in flex:flex bison:bison bc:bc lz4:lz4 xz:xz-utils make:make gcc:gcc perl:perl flock:util-linux; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
dpkg-query -W -f='${db:Status-Status}\n' libelf-dev 2>/dev/null | grep -qx installed || missing+=(libelf-dev)
[[ ${#missing[@]} -eq 0 ]] ||
    die "missing build dependencies: ${missing[*]} (apt-get install $source_pkg flex bison bc libelf-dev lz4)"

mkdir -p "$cache_root"
# One builder per key; a second caller waits and then finds the result.
exec 9>"$cache_root/.lock-$key"
if ! flock -n 9; then
    log "another build of $key is running; waiting for it"
    flock 9
fi
if is_built; then
    log "cached: $dest"
    point_current
    echo "$dest" >&3
    exit 0
fi

# Variables that would silently change what kbuild does.
unset ARCH CROSS_COMPILE O KBUILD_OUTPUT KCONFIG_CONFIG LOCALVERSION MAKEFLAGS MFLAGS
export KBUILD_BUILD_USER=vmm KBUILD_BUILD_HOST=vmm KBUILD_BUILD_VERSION=1

readonly work=$cache_root/.work-$key
# Sweep what interrupted or failed builds left behind (each is ~1.5 GB),
# skipping any whose builder still holds its lock.
for leftover in "$cache_root"/.work-* "$cache_root"/.stage-*; do
    [[ -d $leftover ]] || continue
    other=${leftover##*/.work-}
    other=${other##*/.stage-}
    other=${other%%.*}
    [[ $other == "$key" ]] && continue
    (exec 8>"$cache_root/.lock-$other" && flock -n 8 && rm -rf -- "$leftover") || true
done
stage=
cleanup() {
    local rc=$?
    [[ -z $stage ]] || rm -rf -- "$stage"
    if [[ $rc -ne 0 && -d $work ]]; then
        log "build failed; work tree kept at $work (removed by the next build)"
    fi
}
trap cleanup EXIT

started=$SECONDS
log "building Linux from $source_pkg $source_version into $dest"
rm -rf -- "$work"
mkdir -p "$work"
log "extracting $tarball"
tar -xJf "$tarball" -C "$work" --strip-components=1

kmake() { make -C "$work" ARCH="$karch" "$@"; }

kmake tinyconfig
(cd "$work" && scripts/kconfig/merge_config.sh -m .config "$fragment")
kmake olddefconfig

# Kconfig drops requests whose dependencies are unmet without failing; we do.
# Prints one line per fragment option that did not end up as requested.
check_config() {
    awk '
        FNR == NR {
            if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
                i = index($0, "=")
                got[substr($0, 1, i - 1)] = substr($0, i + 1)
            }
            next
        }
        /^CONFIG_[A-Za-z0-9_]+=/ {
            i = index($0, "=")
            k = substr($0, 1, i - 1); v = substr($0, i + 1)
            if (!(k in got)) printf "%s: wanted %s, got not set\n", k, v
            else if (got[k] != v) printf "%s: wanted %s, got %s\n", k, v, got[k]
            next
        }
        /^# CONFIG_[A-Za-z0-9_]+ is not set[ \t]*$/ {
            if (($2 in got) && got[$2] != "n") printf "%s: wanted not set, got %s\n", $2, got[$2]
            next
        }
        /^[ \t]*(#.*)?$/ { next }
        { printf "config.fragment line %d: not an option line: %s\n", FNR, $0 }
    ' "$1" "$2"
}
problems=$(check_config "$work/.config" "$fragment")
if [[ -n $problems ]]; then
    while IFS= read -r line; do log "error: $line"; done <<<"$problems"
    die "fragment options did not stick: $(cut -d: -f1 <<<"$problems" | paste -sd' ')"
fi
log "config checked: every fragment option is set as requested"

kmake -j"$(nproc)" vmlinux bzImage

# Publish atomically: stage next to the destination, then rename.
stage=$(mktemp -d "$cache_root/.stage-$key.XXXXXX")
cp "$work/vmlinux" "$stage/vmlinux"
cp "$work/arch/x86/boot/bzImage" "$stage/bzImage"
cp "$work/.config" "$stage/config"
chmod 0755 "$stage"
chmod 0644 "$stage"/*
release=$(kmake -s --no-print-directory kernelrelease)
mv -T -- "$stage" "$dest"
stage=
rm -rf -- "$work"

log "built Linux $release in $((SECONDS - started)) s: $dest"
point_current
echo "$dest" >&3
