#!/usr/bin/env bash
# Runs every test tier this host supports (run scripts/setup.sh first):
# unit, firmware guests on KVM, Linux early console on PVM, and full boot
# (the *FullBootTests suites): natively where the host has VT-x/AMD-V, else
# inside the emulated AMD-V test machine (testmachine/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/host.sh
if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
swift build --build-tests
# Where the host boots Linux, this run holds the full-boot tier too.
status=0
swift test --skip-build || status=$?
# A bounded fuzzing pass (fuzz/README.md): every target from its committed
# corpus for a few seconds, under libFuzzer and ASan; a crash fails the run.
fuzz/run.sh --seconds "${VMM_FUZZ_SECONDS:-12}" || status=$?

if host_boots_linux; then
  echo "full boot: native (VT-x/AMD-V): the *FullBootTests suites ran above"
elif ! command -v qemu-system-x86_64 >/dev/null; then
  echo "full boot: SKIPPED: no hardware virtualization and no qemu-system-x86_64 for the emulated AMD-V test machine (apt-get install qemu-system-x86)"
else
  echo "full boot: emulated AMD-V (testmachine/run.sh): the *FullBootTests suites, inside"
  inner=0
  # The managers' suites (podman, Docker, containerd) get a machine of
  # their own: after the in-process and parallel VMs of the other suites,
  # podman's first container was twice seen to freeze the whole 1-CPU
  # machine (no kernel log after; cause open, see testmachine/README.md);
  # alone it passed 4 runs and 40 containers.
  managers=ManagersFullBootTests
  # Each machine's limit: a slower CI host took 1200-1500 s for each half
  # (the CI host on record about 1000 s); 2100 s keeps both under 90 minutes.
  limit=${VMM_FULL_BOOT_TIMEOUT:-2100}
  testmachine/run.sh --timeout "$limit" -- \
    swift test --skip-build --filter FullBootTests --skip "$managers" || inner=$?
  testmachine/run.sh --timeout "$limit" -- \
    swift test --skip-build --filter "$managers" || inner=$((inner ? inner : $?))
  if ((inner == 0)); then
    echo "full boot: emulated AMD-V: passed"
  else
    echo "full boot: emulated AMD-V: FAILED (status $inner)"
    status=$inner
  fi
fi
exit "$status"
