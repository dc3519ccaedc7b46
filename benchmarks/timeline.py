"""Runs `vmm run … --timeline` and reads the phases it prints (shared by
the benchmark scripts)."""
import subprocess
import sys


def run_timeline(command, env=None, expected_status=0):
    """Phase name → milliseconds since vmm started; aborts on a wrong exit status."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    if result.returncode != expected_status:
        sys.exit(f"ABORT: {' '.join(command)} exited {result.returncode}\n{result.stderr}")
    phases = {}
    for line in result.stderr.splitlines():
        if line.startswith("timeline: "):
            _, milliseconds, _, name = line.split(" ", 3)
            phases[name] = float(milliseconds)
    return phases
