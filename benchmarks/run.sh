#!/usr/bin/env bash
# The one command that regenerates benchmarks/results/ and the Results
# table in benchmarks/README.md on the machine at hand (as root on Debian):
# sets up what vmm needs, builds the baselines, adds matplotlib for the
# plots, and runs report.py with Debian's python (which sees the package).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  echo "benchmarks: installing python3-matplotlib for the plots" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-matplotlib >&2
fi
make -s -C benchmarks/baseline >&2
make -s -C benchmarks/qemu >&2
exec /usr/bin/python3 benchmarks/report.py "$@"
