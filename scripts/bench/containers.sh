#!/bin/bash
# Container start, side by side on one busybox rootfs: Min's runtime, `crun
# run`, `runc run` and `podman run --rootfs`, each running /bin/true in a new
# sandbox, measured the same way (hyperfine, one process per start,
# interleaved in rounds so that a busy machine weighs on all alike); then
# Min's pod start, exec and memory (Go benchmarks of ./containers).
# Prints the medians. Needs root; slow (installs packages): not part of CI.
#
#   scripts/bench/containers.sh [runs]     (default 50)
set -euo pipefail
runs=${1:-50}
rounds=5
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != 0 ]; then
	echo "containers.sh: needs root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq busybox-static crun runc podman hyperfine >/dev/null

work=$(mktemp -d /tmp/min-bench.XXXXXX)
cleanup() {
	runc delete -f min-bench-runc >/dev/null 2>&1 || true
	crun delete -f min-bench-crun >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# The shared rootfs, and an OCI bundle for crun and runc.
bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys" "$work/state"
cp /bin/busybox "$bundle/rootfs/bin/"
for a in sh true; do ln -s busybox "$bundle/rootfs/bin/$a"; done
(cd "$bundle" && runc spec)
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(p, "w"), indent=1)
PY

echo "== start: $(uptime)"
# Min's side: min-run, Min's `crun run` (one small static binary, one
# process per start): by default it runs the container from its own process
# as crun does (RunForeground: no shim); with -shim it gives the pod a shim
# as every pod of the engine has, here the small static min-shim (RunPod,
# WaitPod, RemovePod). The engine's test binary sits beside min-shim, so
# that its engine uses it (as minish does when min-shim is installed beside
# it).
CGO_ENABLED=0 go build -ldflags=-s -o "$work/min-run" ./containers/cmd/min-run # static, as minish and min-shim are built
CGO_ENABLED=0 go test -c -o "$work/daemon.test" ./engine/daemon/
CGO_ENABLED=0 go build -ldflags=-s -o "$work/min-shim" ./containers/cmd/min-shim
min="$work/min-run -state $work/state -cgroup-parent min-bench-run -rootfs $bundle/rootfs /bin/true"
minshim="$work/min-run -state $work/state -cgroup-parent min-bench-run -shim $work/min-shim -rootfs $bundle/rootfs /bin/true"

runc="runc run --bundle $bundle min-bench-runc"
crun="crun run --bundle $bundle min-bench-crun"
# Global flags first: after --rootfs PATH everything is the command.
podman="podman --runtime runc --cgroup-manager cgroupfs --events-backend file run --rm --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --rootfs $bundle/rootfs /bin/true"

# crun refuses hybrid cgroups while the unified tree has controllers. In a
# private mount namespace, binding the hugetlb controller to a v1 hierarchy
# empties it; the hierarchy is released when that namespace ends (crun
# removes its cgroups after each run). So every round runs in such a
# namespace, for all runtimes alike; it mounts each time because a released
# hierarchy returns hugetlb to the unified tree asynchronously.
mkdir -p "$work/hugetlb"
cat >"$work/round.sh" <<EOS
#!/bin/bash
set -eu
mount -t cgroup -o hugetlb min-bench-hugetlb "$work/hugetlb"
hyperfine -N --warmup 2 --runs "\$2" --export-json "$work/round\$1.json" \\
	-n min "$min" -n min-shim "$minshim" -n crun "$crun" -n runc "$runc" >/dev/null
hyperfine -N --warmup 1 --runs "\$(((\$2 + 4) / 5))" --export-json "$work/podman\$1.json" -n podman "$podman" >/dev/null
EOS
chmod +x "$work/round.sh"

per=$(((runs + rounds - 1) / rounds))
for round in $(seq "$rounds"); do
	echo "== round $round/$rounds ($per runs each, podman fewer; load $(cut -d' ' -f1-3 /proc/loadavg))"
	unshare -m --propagation private "$work/round.sh" "$round" "$per"
done

echo "== Min: pod start through the engine (create over the socket until phase Running, pod network wired)"
(cd "$work" && ./daemon.test -test.run '^$' -test.bench PodStartToRunning -test.benchtime "${runs}x") |
	sed 's/^Benchmark/EngineBenchmark/' | tee "$work/engine.txt" | grep 'Benchmark'

echo "== Min: pod start, exec and memory (go test -bench; 100 idle pods for memory)"
export MIN_BENCH_PODS=100
go test -timeout 30m -run '^$' -bench 'ContainerStart|PodStartToRunning|Exec|ShimRSS' -benchtime "${runs}x" ./containers/ |
	tee "$work/min.txt" | grep '^Benchmark'
MIN_BENCH_SHIM="$work/min-shim" go test -timeout 30m -run '^$' -bench 'ContainerStart|PodStartToRunning|ShimRSS' \
	-benchtime "${runs}x" ./containers/ | sed 's/^Benchmark/MinShimBenchmark/' | tee -a "$work/min.txt" | grep 'Benchmark'

echo
echo "== medians (ms): a container running /bin/true in a new sandbox, start to removal;"
echo "   cpu: mean user+system ms per run (a loaded machine inflates wall time, not this)"
python3 - "$work" <<'PY'
import glob, json, statistics, sys
times, cpu = {}, {}
for f in sorted(glob.glob(sys.argv[1] + "/round*.json") + glob.glob(sys.argv[1] + "/podman*.json")):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
        cpu.setdefault(r["command"], []).append(r["user"] + r["system"])
names = {"min": "min-run (no shim)", "min-shim": "min-run -shim min-shim"}
for cmd in ["min", "min-shim", "crun", "runc", "podman"]:
    t = times.get(cmd, [])
    if t:
        print("%-28s %8.2f  cpu %7.2f  (%d runs)" % (names.get(cmd, cmd + " run"), statistics.median(t) * 1000,
              statistics.mean(cpu[cmd]) * 1000, len(t)))
PY
echo
echo "== Min's runtime and engine (Go benchmarks): medians and CPU per op (ms)"
awk '/Benchmark/ { for (i = 1; i < NF; i++) if ($(i+1) == "median-ms" || $(i+1) == "cpu-ms/op") printf "%-40s %-10s %8.2f\n", $1, $(i+1), $i }' "$work/min.txt" "$work/engine.txt"
echo
echo "== Min memory: per pod (kB), and in total for 100 idle busybox pods (sleep)"
awk '/ShimRSS/ { for (i = 1; i < NF; i++) if ($(i+1) ~ /kB$|MB/) printf "%-28s %-24s %8s\n", $1, $(i+1), $i }' "$work/min.txt"
echo
echo "== goals (same run): container start vs crun (<= 1x) and runc (>= 2x); pod start < 50 ms and >= 3x podman"
python3 - "$work" <<'PY'
import glob, json, re, statistics, sys
w = sys.argv[1]
times = {}
for f in glob.glob(w + "/round*.json") + glob.glob(w + "/podman*.json"):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
med = {k: statistics.median(v) * 1000 for k, v in times.items()}
def metric(path, bench, unit):
    for line in open(path):
        if line.startswith(bench):
            m = re.search(r"([0-9.]+) " + re.escape(unit), line)
            if m:
                return float(m.group(1))
pod = metric(w + "/engine.txt", "EngineBenchmarkPodStartToRunning", "median-ms")
for name in ["min", "min-shim"]:
    if name in med and "crun" in med and "runc" in med:
        print("%-9s start %.2f ms: %.2fx crun's time, runc takes %.2fx as long" % (name, med[name], med[name] / med["crun"], med["runc"] / med[name]))
if pod and "podman" in med:
    print("pod start (engine, network) %.2f ms: podman run takes %.2fx as long" % (pod, med["podman"] / pod))
PY
echo "== end: $(uptime)"
