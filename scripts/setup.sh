#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) for vmm: system packages, the
# firmware guests, the vmm binary, and the guest kernel (cached outside the
# clone, so a second run reuses it). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential           # firmware guests, guest init, kernel, C baseline
  linux-source-6.1 flex bison bc libelf-dev lz4 xz-utils cpio   # the guest kernel
  libfdt-dev                # device trees (CFDT)
  qemu-system-x86 qemu-system-common   # virtiofsd; QEMU as a test-only CPU and benchmark baseline
  busybox-static            # the default container rootfs
  podman conmon             # the OCI runtime's real client
  docker.io containerd      # Docker and containerd as real clients (their runc shim drives vmm)
  python3 hyperfine         # benchmarks
  procps util-linux         # the tests' pgrep and script(1)
  iproute2 passt iperf3     # network cards: ip/tc in the tests, vmm run --network passt, throughput benchmarks
  kmod                      # the emulated AMD-V test machine's initramfs (testmachine/)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if ! command -v swift >/dev/null; then
  [[ -x /opt/swift/usr/bin/swift ]] && export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null || { echo "setup: no Swift toolchain (swift 6.x) on PATH; install one from swift.org" >&2; exit 1; }

echo "setup: building firmware guests" >&2
make -s -C firmware >&2

echo "setup: building vmm (release, fully static: no dynamic loader at start)" >&2
swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product vmm >&2

echo "setup: building the guest init and the default busybox bundle" >&2
make -s -C guest >&2
bash scripts/make-default-bundle.sh >/dev/null

echo "setup: building the guest kernel (cached)" >&2
kernel/build.sh >/dev/null

source scripts/lib/host.sh
if ! host_boots_linux; then
  echo "setup: no VT-x/AMD-V here: preparing the emulated AMD-V test machine for full boot (cached)" >&2
  testmachine/build.sh >/dev/null
fi
