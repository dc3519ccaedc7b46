"""Runs `vmm run … --timeline=json` and reads the events it reports
(shared by the benchmark scripts; the schema is docs/timeline.md)."""
import json
import subprocess
import sys
import tempfile


def run_timeline(command, env=None, expected_status=0):
    """Event id → milliseconds since vmm started; aborts on a wrong exit
    status (expected_status None: any). Stdin is /dev/null.

    `command` is a `vmm run …` command line without --timeline: the timeline
    goes to a file, so the guest's output cannot mix into it."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".json") as out:
        full = command[:2] + ["--timeline=json", "--timeline-output", out.name] + command[2:]
        result = subprocess.run(full, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, env=env)
        if expected_status is not None and result.returncode != expected_status:
            sys.exit(f"ABORT: {' '.join(full)} exited {result.returncode}\n{result.stderr}")
        timeline = json.load(out)
    return {event["id"]: event["at_us"] / 1000 for event in timeline["events"]}
