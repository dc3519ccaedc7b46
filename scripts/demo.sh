#!/usr/bin/env bash
# The main job: run the deepest demo this host allows.
set -euo pipefail
cd "$(dirname "$0")/.."
vmm=.build/release/vmm

"$vmm" check || true
echo
if grep -q '^kvm_pvm ' /proc/modules 2>/dev/null; then
  echo "demo: this host's KVM is PVM, which cannot boot a stock Linux kernel: running the firmware guest instead"
else
  echo "demo: containers in a VM are not built yet: running the firmware guest"
fi
"$vmm" run --timeline --firmware firmware/build/hello.bin
