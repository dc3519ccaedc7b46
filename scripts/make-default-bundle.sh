#!/usr/bin/env bash
# Builds the default OCI bundle `vmm run` uses when given none: a busybox
# root filesystem (from Debian's busybox-static) and a runtime-spec
# config.json running sh. Usage: make-default-bundle.sh [DIR]
set -euo pipefail
bundle=${1:-${VMM_DEFAULT_BUNDLE:-/var/lib/vmm/bundles/busybox}}
busybox=/bin/busybox
[[ -x $busybox ]] || { echo "make-default-bundle: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
{ ldd "$busybox" 2>&1 || true; } | grep -q "not a dynamic" ||
    { echo "make-default-bundle: $busybox is not static: apt-get install busybox-static" >&2; exit 1; }

stage=$(mktemp -d "${bundle%/*}/.stage-XXXXXX" 2>/dev/null || { mkdir -p "${bundle%/*}" && mktemp -d "${bundle%/*}/.stage-XXXXXX"; })
trap 'rm -rf "$stage"' EXIT
root=$stage/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,run,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo vmm >"$root/etc/hostname"

cat >"$stage/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=xterm"],
    "cwd": "/",
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }]
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "vmm",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"] },
    { "destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=755"] }
  ]
}
JSON
rm -rf "$bundle"
mv -T "$stage" "$bundle"
trap - EXIT
echo "$bundle"
