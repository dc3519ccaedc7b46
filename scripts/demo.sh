#!/usr/bin/env bash
# The main job: a real container in a VM (the default busybox bundle, our
# kernel, the process over virtio-fs), its output and its exit status.
# Natively where the host has VT-x/AMD-V; on a host without (PVM here), the
# same vmm runs inside the emulated AMD-V test machine (testmachine/run.sh),
# followed by the firmware guests that drive vmm's devices under real KVM.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/host.sh
vmm=.build/release/vmm
container=(sh -c 'echo "hello from $(uname -sr) in a VM, hostname $(cat /etc/hostname)"; echo "to stderr" >&2; exit 3')

"$vmm" check || true
echo
native=false
host_boots_linux "$vmm" && native=true
if $native; then
  echo "demo: a container in a VM (the default busybox bundle), natively:"
  machine=()
else
  echo "demo: this host has no VT-x/AMD-V, so the container runs in a VM inside the emulated AMD-V test machine (QEMU's software CPU; times there are emulated):"
  machine=(testmachine/run.sh --timeout 600 --)
fi
status=0
"${machine[@]}" "$vmm" run --timeline -- "${container[@]}" || status=$?
echo "(the container's exit status: $status)"
((status == 3)) || { echo "demo: FAILED: the container should have exited 3" >&2; exit 1; }
! $native || exit 0

echo
echo "demo: and firmware guests over vmm's devices under this host's own KVM:"
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
