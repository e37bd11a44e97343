#!/bin/bash
# Issue 9: do 20 parallel kubectl processes slow the engine's other
# clients by more than 2x? The latency of a kept-alive client (curl over
# the unix socket, 300 gets of one pod on one connection) alone, then while
# 20 kubectl loops run `get pods` (1,000 pods on a simulated node) against
# the HTTPS listener. Needs minish (or $MINISH), kubectl and curl.
# KUBECTL_NICE=19 runs the kubectl processes at that niceness, so that
# their own start-up (about 150 ms of CPU each) does not take the CPU
# from the other client and only the engine's serving of them is measured.
# KUBECTL_LOAD=curl runs, instead of kubectl, curl loops sending what one
# `kubectl get pods` sends (the dispatcher's /version and the Table list,
# each on a new TLS connection): the same work for the engine at a few ms
# of client CPU, so that a loaded machine does not starve the load.
# KUBECTL_LOAD=client runs `kubectl version --client` loops instead: the
# same kubectl processes on the CPU, none of them asking the engine
# anything; what the other client loses then is the machine's share, not
# the engine's.
# It also prints the engine's CPU time per kubectl command (from
# /proc/PID/stat, less the engine's idle rate): over 20 commands in a row
# first, and over the loaded phase (less the other client's share
# measured alone): the part of the cost Min controls.
set -u
M=${MINISH:-minish}
export MIN_HOME=$(mktemp -d /tmp/min-par.XXXXXX)/home MIN_NO_HOST_NODE=1
KC=$($M kubeconfig) || KC=$($M kubeconfig) # a loaded machine can outrun the first engine start
$M -e 'node.create{name="n1", simulated=true, capacity={pods="2000"}}; for i=1,1000 do pod.create{name="p"..i, image="busybox"} end' >/dev/null
sleep 2
PID=$(cat $MIN_HOME/engine.pid)
TICK=$(getconf CLK_TCK)
# cpu_ms is the engine's user+system CPU time so far, in ms.
cpu_ms() { awk -v t=$TICK '{sub(/^.*\) /, ""); print ($12+$13)*1000/t}' /proc/$PID/stat; }
urls=$(for i in $(seq 300); do printf -- '-o /dev/null http://x/api/v1/namespaces/default/pods/p1 '; done)
measure() {
	curl -s --unix-socket $MIN_HOME/min.sock -w '%{time_total}\n' $urls | sort -n | awk '{a[NR]=$1} END {printf "median %.3f ms  p90 %.3f ms  (n=%d)\n", a[int(NR/2)]*1000, a[int(NR*0.9)]*1000, NR}'
}
# Warm kubectl's discovery cache, as any user's second command finds it.
kubectl --kubeconfig "$KC" get pods >/dev/null
now() { date +%s.%N; }
c0=$(cpu_ms); t0=$(now); sleep 3; idle=$(echo "($(cpu_ms) - $c0) / ($(now) - $t0)" | bc -l)
c0=$(cpu_ms); t0=$(now)
for i in $(seq 20); do kubectl --kubeconfig "$KC" get pods >/dev/null; done
echo "20 kubectl get pods in a row: engine CPU $(echo "($(cpu_ms) - $c0 - $idle * ($(now) - $t0)) / 20" | bc -l | xargs printf '%.2f') ms per command (idle rate $(printf '%.1f' $idle) ms/s taken off)"
echo "alone:"
c0=$(cpu_ms); t0=$(now); measure; measure; alone=$(echo "$(cpu_ms) - $c0 - $idle * ($(now) - $t0)" | bc -l)
count=$(mktemp /tmp/min-par-count.XXXXXX)
pids=()
PORT=$(sed -n 's/.*server: https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$KC")
TOKEN=$(cat $MIN_HOME/token)
TABLE='Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
# one_command is what one `kubectl get pods` costs the engine.
one_command() {
	if [ "${KUBECTL_LOAD:-}" = client ]; then
		kubectl version --client >/dev/null 2>&1
	elif [ "${KUBECTL_LOAD:-}" = curl ]; then
		curl -sf --cacert $MIN_HOME/ca.crt -H "Authorization: Bearer $TOKEN" -o /dev/null https://127.0.0.1:$PORT/version?timeout=5s &&
			curl -sf --http2 --cacert $MIN_HOME/ca.crt -H "Authorization: Bearer $TOKEN" -H "$TABLE" -o /dev/null "https://127.0.0.1:$PORT/api/v1/namespaces/default/pods?limit=500"
	else
		${KUBECTL_NICE:+nice -n $KUBECTL_NICE} kubectl --kubeconfig "$KC" get pods >/dev/null 2>&1
	fi
}
for i in $(seq 20); do (while true; do one_command && echo >>$count; done) & pids+=($!); done
sleep 5
n0=$(wc -l <$count); c0=$(cpu_ms); t0=$(now)
case ${KUBECTL_LOAD:-kubectl} in
client) echo "with 20 kubectl version --client loops (no request to the engine):" ;;
*) echo "with 20 ${KUBECTL_LOAD:-kubectl} get pods loops:" ;;
esac; measure; measure
c1=$(cpu_ms); n1=$(wc -l <$count); t1=$(now)
for p in "${pids[@]}"; do kill $p; done
wait 2>/dev/null
echo "$n0 $n1 $c0 $c1 $alone $t0 $t1 $idle" | awk '{n=$2-$1; d=$7-$6; printf "kubectl commands: %d in %.1f s; engine CPU %.0f ms, %.2f ms per kubectl command (other client'"'"'s %.0f ms and idle %.0f ms taken off)\n", n, d, $4-$3, ($4-$3-$5-$8*d)/(n?n:1), $5, $8*d}'
uptime
$M engine stop
rm -rf "$(dirname "$MIN_HOME")" $count
