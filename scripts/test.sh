#!/usr/bin/env bash
# Runs every test tier this host supports (run scripts/setup.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
swift build --build-tests
swift test --skip-build
