#!/usr/bin/env python3
"""TCP throughput container → host (iperf3) and ping round trip, vmm
against crun on the same kind of network in the same run, as ratios; and
vmm's own CPU time during the transfer (with vhost-net, the packets move
in the host kernel's vhost worker, not in vmm's threads).

    python3 benchmarks/network_throughput.py [--seconds S] [--json FILE]

Each runtime's container gets a network namespace made as a manager's
CNI plugin would (a veth, an address, a default route to the host side),
and the default rootfs with Debian's iperf3 and its libraries copied in,
under `crun spec`'s config.json naming that namespace. The host side runs
`iperf3 -s`. On a PVM host the script runs itself inside the emulated
AMD-V test machine, where only the ratios mean something.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from common import ROOT, VMM, rerun_in_test_machine, host_kind, require, write_json

CRUN = shutil.which("crun") or "/usr/bin/crun"
IPERF = shutil.which("iperf3") or "/usr/bin/iperf3"


def sh(command, check=True):
    return subprocess.run(["sh", "-c", command], check=check, capture_output=True, text=True)


def add_iperf(rootfs):
    """iperf3 and the shared libraries ldd names, at the same paths."""
    paths = [IPERF] + re.findall(r"(/\S+\.so[^\s]*)", sh(f"ldd {IPERF}").stdout)
    for path in paths:
        target = rootfs + os.path.realpath(path) if path != IPERF else rootfs + "/usr/bin/iperf3"
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.realpath(path), target)
        if path != IPERF and os.path.realpath(path) != path:  # the name ld.so looks for
            link = rootfs + path
            os.makedirs(os.path.dirname(link), exist_ok=True)
            if not os.path.exists(link):
                os.symlink(os.path.realpath(path), link)


def network(name, index):
    """A namespace with eth0 (10.200.N.2/24) and a host side (10.200.N.1)."""
    host = f"vbh{index}"
    sh(f"ip netns add {name} && ip link add {host} type veth peer name eth0 netns {name} && "
       f"ip addr add 10.200.{index}.1/24 dev {host} && ip link set {host} up && "
       f"ip -n {name} addr add 10.200.{index}.2/24 dev eth0 && ip -n {name} link set eth0 up && ip -n {name} link set lo up && "
       f"ip -n {name} route add default via 10.200.{index}.1")
    return f"10.200.{index}.1"


def bundle(directory, namespace, script):
    subprocess.run(["bash", os.path.join(ROOT, "scripts/make-default-bundle.sh"), directory], check=True, stdout=subprocess.DEVNULL)
    add_iperf(os.path.join(directory, "rootfs"))
    os.unlink(os.path.join(directory, "config.json"))
    subprocess.run([CRUN, "spec"], cwd=directory, check=True)
    path = os.path.join(directory, "config.json")
    with open(path) as f:
        config = json.load(f)
    config["process"]["args"] = ["sh", "-c", script]
    config["process"]["terminal"] = False
    # ping needs a raw socket; iperf3 writes a temporary file.
    for kind in ("bounding", "effective", "permitted"):
        config["process"]["capabilities"][kind].append("CAP_NET_RAW")
    config["root"]["readonly"] = False
    config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "network"]
    config["linux"]["namespaces"].append({"type": "network", "path": f"/run/netns/{namespace}"})
    with open(path, "w") as f:
        json.dump(config, f)


def cpu_seconds(pid):
    """CPU seconds of the process's threads other than its vCPUs (named
    vmm-vcpuN): what vmm itself spends, the guest's own work left out."""
    total = 0.0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
            if text[text.index("(") + 1:text.rindex(")")].startswith("vmm-vcpu"):
                continue
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    return total


def run_container(runtime, root, bundle_dir, cid):
    """create, start, wait; returns its stdout and the monitor's CPU seconds (vmm only)."""
    base = [runtime, "--root", root]
    out = tempfile.TemporaryFile()
    subprocess.run(base + ["create", "--bundle", bundle_dir, cid], check=True, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
    state = json.loads(subprocess.run(base + ["state", cid], capture_output=True, text=True).stdout)
    pid = state.get("pid")
    before = cpu_seconds(pid) if runtime != CRUN else None
    subprocess.run(base + ["start", cid], check=True)
    after = before
    for _ in range(1200):
        current = cpu_seconds(pid) if before is not None else None
        if current is not None:
            after = current
        if json.loads(subprocess.run(base + ["state", cid], capture_output=True, text=True).stdout or "{}").get("status") == "stopped":
            break
        time.sleep(0.25)
    subprocess.run(base + ["delete", "--force", cid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out.seek(0)
    return out.read().decode(errors="replace"), (None if before is None else after - before)


def measure(args):
    for path, fix in [(args.vmm, "swift build -c release --product vmm"), (CRUN, "apt-get install crun"), (IPERF, "apt-get install iperf3")]:
        require(path, fix)
    results = {}
    server = subprocess.Popen([IPERF, "-s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for index, runtime in enumerate([args.vmm, CRUN], start=1):
                name = "vmm" if runtime == args.vmm else "crun"
                namespace = f"bench-{name}-{os.getpid()}"
                try:
                    host = network(namespace, index)
                    script = f"ping -c 10 -i 0.2 {host} | tail -1; iperf3 -c {host} -t {args.seconds} -J"
                    b = os.path.join(scratch, name)
                    bundle(b, namespace, script)
                    output, cpu = run_container(runtime, os.path.join(scratch, name + "-root"), b, f"net-{name}-{os.getpid()}")
                finally:
                    sh(f"ip netns del {namespace}; ip link del vbh{index}", check=False)
                ping = re.search(r"= [\d.]+/([\d.]+)/", output)
                start = output.find("{")
                if ping is None or start < 0:
                    sys.exit(f"network_throughput: {name} gave no ping or iperf3 result:\n{output[-2000:]}")
                report = json.loads(output[start:])
                bits = report["end"]["sum_received"]["bits_per_second"]
                results[name] = {"mbit_per_s": bits / 1e6, "ping_ms": float(ping.group(1)),
                                 "monitor_cpu_s": cpu, "seconds": report["end"]["sum_received"]["seconds"]}
    finally:
        server.terminate()
        server.wait()
    emulated = args.inside or host_kind() != "hardware"
    vmm, crun = results["vmm"], results["crun"]
    print(f"container → host over a veth, iperf3 {args.seconds} s and ping ×10" + (" (emulated AMD-V: proportions only)" if emulated else ""))
    for name, r in results.items():
        cpu = "" if r["monitor_cpu_s"] is None else f"   vmm's threads (vCPUs left out) {r['monitor_cpu_s']:.2f} s CPU"
        print(f"  {name:5} {r['mbit_per_s']:10.1f} Mbit/s   ping {r['ping_ms']:8.3f} ms{cpu}")
    throughput = vmm["mbit_per_s"] / crun["mbit_per_s"]
    ping = vmm["ping_ms"] / crun["ping_ms"]
    print(f"  vmm / crun: throughput {throughput:.2f}x, ping round trip {ping:.2f}x")
    if vmm["monitor_cpu_s"] is not None:
        vhost = "vhost-net" if os.path.exists("/dev/vhost-net") else "no vhost-net: frames through vmm"
        print(f"  vmm's own threads (not the vCPUs) used {vmm['monitor_cpu_s']:.2f} s of CPU over {vmm['seconds']:.1f} s of transfer ({vhost})")
    if args.json:
        write_json(args.json, {"benchmark": "network_throughput", "seconds": args.seconds, "emulated": emulated, "results": results,
                               "vmm_over_crun_throughput": throughput, "vmm_over_crun_ping": ping, "targets": []})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--vmm", default=VMM)
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if host_kind() == "hardware" or args.inside:
        measure(args)
        return
    rerun_in_test_machine("network_throughput", __file__, ["--seconds", str(args.seconds), "--vmm", args.vmm], args.json)


if __name__ == "__main__":
    main()
