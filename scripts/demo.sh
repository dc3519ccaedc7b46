#!/usr/bin/env bash
# The main job: a container in a VM where the host can boot one; on a PVM
# host (no VT-x/AMD-V), the deepest demo it allows: firmware guests driving
# vmm's devices under real KVM.
set -euo pipefail
cd "$(dirname "$0")/.."
vmm=.build/release/vmm

"$vmm" check || true
echo
if [[ -e /sys/module/kvm_pvm ]] || grep -q '^kvm_pvm ' /proc/modules 2>/dev/null; then
  echo "demo: this host's KVM is PVM, which cannot boot a stock Linux kernel: running firmware guests over vmm's devices instead"
  echo "--- a firmware guest on the serial port:"
  "$vmm" run --timeline --firmware firmware/build/hello.bin
  echo "--- the container channel (virtio-console, guest/PROTOCOL.md): stdin echoed by the guest, its exit code 7:"
  status=0
  echo "stdin reached the guest and came back" | "$vmm" run --firmware firmware/build/virtio_console.bin || status=$?
  echo "(exit status $status)"
  if [[ -e firmware/build/virtio_fs.bin ]]; then
    echo "--- the root filesystem over virtio-fs (virtiofsd): the guest reads hello.txt and writes written.txt:"
    share=$(mktemp -d)
    trap 'rm -rf "$share"' EXIT
    echo "hello from the host" >"$share/hello.txt"
    "$vmm" run --firmware firmware/build/virtio_fs.bin --rootfs "$share"
    echo "host sees: $(cat "$share/written.txt")"
  fi
else
  echo "demo: a container in a VM (the default busybox bundle):"
  "$vmm" run --timeline -- sh -c 'echo "hello from $(uname -sr) in a VM"; cat /etc/hostname'
fi
