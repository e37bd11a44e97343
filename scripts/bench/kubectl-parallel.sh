#!/bin/bash
# Issue 9: do 20 parallel kubectl processes slow the engine's other
# clients by more than 2x? The latency of a kept-alive client (curl over
# the unix socket, 300 gets of one pod on one connection) alone, then while
# 20 kubectl loops run `get pods` (1,000 pods on a simulated node) against
# the HTTPS listener. Needs minish (or $MINISH), kubectl and curl.
# KUBECTL_NICE=19 runs the kubectl processes at that niceness, so that
# their own start-up (about 150 ms of CPU each) does not take the CPU
# from the other client and only the engine's serving of them is measured.
set -u
M=${MINISH:-minish}
export MIN_HOME=$(mktemp -d /tmp/min-par.XXXXXX)/home MIN_NO_HOST_NODE=1
KC=$($M kubeconfig)
$M -e 'node.create{name="n1", simulated=true, capacity={pods="2000"}}; for i=1,1000 do pod.create{name="p"..i, image="busybox"} end' >/dev/null
sleep 2
urls=$(for i in $(seq 300); do printf -- '-o /dev/null http://x/api/v1/namespaces/default/pods/p1 '; done)
measure() {
	curl -s --unix-socket $MIN_HOME/min.sock -w '%{time_total}\n' $urls | sort -n | awk '{a[NR]=$1} END {printf "median %.3f ms  p90 %.3f ms  (n=%d)\n", a[int(NR/2)]*1000, a[int(NR*0.9)]*1000, NR}'
}
echo "alone:"; measure; measure
pids=()
for i in $(seq 20); do (while true; do ${KUBECTL_NICE:+nice -n $KUBECTL_NICE} kubectl --kubeconfig "$KC" get pods >/dev/null 2>&1; done) & pids+=($!); done
sleep 5
echo "with 20 kubectl get pods loops:"; measure; measure
for p in "${pids[@]}"; do kill $p; done
wait 2>/dev/null
uptime
$M engine stop
rm -rf "$(dirname "$MIN_HOME")"
