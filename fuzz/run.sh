#!/usr/bin/env bash
# Builds the fuzzers (vmm-fuzz with libFuzzer and ASan, init's parsers with
# clang) and runs each target for a while from the committed corpus:
#   fuzz/run.sh [--seconds N] [TARGET...]     (default: 12 s each, every target)
# Prints executions, speed, new inputs and crashes per target; a crash's
# input lands in fuzz/crashes/TARGET/ (commit it: FuzzTests replays it) and
# the script exits 1. New inputs stay in a scratch corpus: the committed one
# changes only by hand (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=12
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    *) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

swift_targets=(virtqueue virtio-mmio console-control vhost-user-replies config-json kernel-image)
init_targets=(init-process-description init-control init-network-config)
targets=("$@")
((${#targets[@]})) || targets=("${swift_targets[@]}" "${init_targets[@]}")

# ld.gold fails on ASan's Swift objects; lld links them.
swift build -c release --product vmm-fuzz --build-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xcc -DVMM_LIBFUZZER >/dev/null
make -s -C guest fuzz FUZZ_CC=clang >/dev/null

scratch=$(mktemp -d /tmp/vmm-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=0
printf '%-26s %12s %10s %6s %s\n' target executions exec/s new result
for target in "${targets[@]}"; do
  case $target in
    init-*) binary=(guest/build/fuzz-$(echo "${target#init-}" | tr - _)) ;;
    *) binary=(.build/fuzz/release/vmm-fuzz "$target") ;;
  esac
  mkdir -p "$scratch/$target" "fuzz/crashes/$target"
  log=$scratch/$target.log
  status=0
  "${binary[@]}" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="fuzz/crashes/$target/" "$scratch/$target" "fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
  if ((status == 0)); then
    result=ok
  else
    result="CRASH (status $status): $(ls -t "fuzz/crashes/$target" | head -1); log: fuzz/crashes/$target/last.log"
    cp "$log" "fuzz/crashes/$target/last.log"
    failed=1
  fi
  printf '%-26s %12s %10s %6s %s\n' "$target" "${runs:--}" "${speed:--}" "${added:--}" "$result"
  rmdir "fuzz/crashes/$target" 2>/dev/null || true
done
exit "$failed"
