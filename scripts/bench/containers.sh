#!/bin/bash
# Container start, side by side on one busybox rootfs: Min's runtime (Go
# benchmarks of ./containers), `crun run`, `runc run` and `podman run
# --rootfs`, each running /bin/true in a new sandbox; plus Min's shim memory.
# Prints the medians. Needs root; slow (installs packages): not part of CI.
#
#   scripts/bench/containers.sh [runs]     (default 50)
set -euo pipefail
runs=${1:-50}
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != 0 ]; then
	echo "containers.sh: needs root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq busybox-static crun runc podman hyperfine >/dev/null

work=$(mktemp -d /tmp/min-bench.XXXXXX)
hugetlb="$work/hugetlb"
cleanup() {
	runc delete -f min-bench-runc >/dev/null 2>&1 || true
	crun delete -f min-bench-crun >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# The shared rootfs and an OCI bundle for crun and runc.
touch "$work/min.txt"
bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys"
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

echo "== Min (go test -bench, $runs runs; shims re-execute the test binary)"
export MIN_BENCH_PODS=100 # for BenchmarkShimRSS
[ -n "${SKIP_MIN:-}" ] || go test -timeout 30m -run '^$' -bench 'ContainerStart|PodStartToRunning|Exec|ShimRSS' -benchtime "${runs}x" ./containers/ |
	tee "$work/min.txt" | grep '^Benchmark'

echo "== Min with the small static shim binary (containers/cmd/min-shim)"
CGO_ENABLED=0 go build -ldflags=-s -o "$work/min-shim" ./containers/cmd/min-shim
[ -n "${SKIP_MIN:-}" ] || MIN_BENCH_SHIM="$work/min-shim" go test -timeout 30m -run '^$' -bench 'ContainerStart|ShimRSS' \
	-benchtime "${runs}x" ./containers/ | sed 's/^Benchmark/MinShimBenchmark/' | tee -a "$work/min.txt" | grep 'Benchmark'

hf() { # name command...
	local name=$1
	shift
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$name.json" "$@" >/dev/null
}

echo "== runc run"
hf runc "runc run --bundle $bundle min-bench-runc"

echo "== crun run"
# crun refuses hybrid cgroups while the unified tree has controllers: in a
# private mount namespace, binding the hugetlb controller to a v1 hierarchy
# empties it; the hierarchy is released when that namespace ends (crun
# removes its cgroups after each run).
# Always through the mount: a hierarchy released by an earlier run returns
# hugetlb to the unified tree asynchronously, possibly in mid-benchmark.
mkdir -p "$hugetlb"
unshare -m --propagation private bash -c "
	mount -t cgroup -o hugetlb min-bench-hugetlb '$hugetlb' &&
	hyperfine -N --warmup 3 --runs $runs --export-json '$work/crun.json' 'crun run --bundle $bundle min-bench-crun' >/dev/null"

echo "== podman run --rootfs"
# Global flags first: after --rootfs PATH everything is the command.
hf podman "podman --runtime runc --cgroup-manager cgroupfs --events-backend file run --rm \
--ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --rootfs $bundle/rootfs /bin/true"

echo
echo "== medians (ms), container running /bin/true in a new sandbox, $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk '/^BenchmarkContainerStart/ { for (i = 1; i < NF; i++) if ($(i+1) == "median-ms") printf "min (RunPod+wait+RemovePod)  %8.2f\n", $i }
     /^MinShimBenchmarkContainerStart/ { for (i = 1; i < NF; i++) if ($(i+1) == "median-ms") printf "min, min-shim binary         %8.2f\n", $i }
     /^BenchmarkPodStartToRunning/ { for (i = 1; i < NF; i++) if ($(i+1) == "median-ms") printf "min pod start to running     %8.2f\n", $i }
     /^BenchmarkExec/ { for (i = 1; i < NF; i++) if ($(i+1) == "median-ms") printf "min exec /bin/true           %8.2f\n", $i }' "$work/min.txt"
for name in crun runc podman; do
	python3 -c "import json,sys; print('%-28s %8.2f' % (sys.argv[2] + ' run', json.load(open(sys.argv[1]))['results'][0]['median']*1000))" \
		"$work/$name.json" "$name"
done
echo
echo "== Min memory: per pod (kB) and in total, 100 idle busybox pods (sleep)"
awk '/^BenchmarkShimRSS/ { for (i = 1; i < NF; i++) if ($(i+1) ~ /kB$|MB/) printf "self re-exec  %-24s %8s\n", $(i+1), $i }
     /^MinShimBenchmarkShimRSS/ { for (i = 1; i < NF; i++) if ($(i+1) ~ /kB$|MB/) printf "min-shim      %-24s %8s\n", $(i+1), $i }' "$work/min.txt"
