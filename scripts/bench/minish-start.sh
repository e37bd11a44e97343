#!/bin/bash
# Issues 3, 6 and 7: whole minish processes, from start to exit, with
# hyperfine, side by side with the references the issues name:
#   minish -e 'return 1'  beside  lua5.1 -e 'return 1'  and  kubectl version --client
#                         and two Go floors (an empty program, and one linking
#                         only the libraries minish must have)
#   minish get pods       (100 pods, through the engine daemon)
#   minish get pods -n big (1,000 pods)
#   minish get pods -A    (100,000 pods on simulated nodes; BIG=1 only, it takes minutes to set up)
# and the same get through the Lua API inside one process, for comparison.
# Builds minish, min-engine and min-shim (static, as README's set-up does)
# into a temporary folder, makes a fresh $MIN_HOME without the host node,
# starts the daemon, and removes everything at the end.
# Needs hyperfine; lua5.1 and kubectl are optional references.
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/min-start.XXXXXX)
export MIN_HOME=$work/home MIN_NO_HOST_NODE=1 MIN_LUA_CACHE=$work/luacache
floor=
cleanup() { "$work/minish" engine stop >/dev/null 2>&1 || true; rm -rf "$work" ${floor:+"$floor"}; }
trap cleanup EXIT
CGO_ENABLED=0 go build -o "$work/" ./cmd/minish ./cmd/min-engine ./containers/cmd/min-shim
# Two floors for `minish -e`, built the same way: an empty Go program, and
# an empty one that links only the libraries DESIGN.md names for the Lua
# side and the client (gopher-lua, readline, apimachinery's labels,
# validation and Quantity, sigs.k8s.io/yaml) and net/http, which minish
# talks to the daemon with. What they take is the start-up of Go and of
# those packages on this machine, before any of Min's code runs.
floor=$(mktemp -d ./_floor.XXXXXX)
mkdir "$floor/empty" "$floor/libs"
printf 'package main\n\nfunc main() {}\n' >"$floor/empty/main.go"
cat >"$floor/libs/main.go" <<'GO'
package main

import (
	_ "net/http"

	_ "github.com/chzyer/readline"
	_ "github.com/yuin/gopher-lua"
	_ "k8s.io/apimachinery/pkg/api/resource"
	_ "k8s.io/apimachinery/pkg/labels"
	_ "k8s.io/apimachinery/pkg/util/validation"
	_ "sigs.k8s.io/yaml"
)

func main() {}
GO
CGO_ENABLED=0 go build -o "$work/go-empty" "./$floor/empty" && CGO_ENABLED=0 go build -o "$work/go-libs" "./$floor/libs"
rm -rf "$floor"
M=$work/minish
$M engine start >/dev/null
$M -e '
node.create{name="sim-1", simulated=true, capacity={pods="2000", cpu="640", memory="2560Gi"}}
for i = 1, 100 do pod.create{name=string.format("web-%03d", i), image="busybox", labels={app="web"}} end
namespace.create("big")
for i = 1, 1000 do pod.create{name=string.format("pod-%04d", i), image="busybox", namespace="big"} end
pod.wait("web-100", {phase="Running"})
pod.wait("pod-1000", {phase="Running", namespace="big"})'
# settle waits (up to two minutes) until the engine has finished with the
# pods just created (the simulated nodes' status writes): under 50 ms of
# engine CPU in a second.
settle() {
	local pid ticks=$(getconf CLK_TCK) a b
	pid=$(cat "$MIN_HOME/engine.pid")
	for _ in $(seq 120); do
		a=$(awk '{sub(/^.*\) /, ""); print $12+$13}' /proc/$pid/stat)
		sleep 1
		b=$(awk '{sub(/^.*\) /, ""); print $12+$13}' /proc/$pid/stat)
		[ $(( (b - a) * 1000 / ticks )) -lt 50 ] && return
	done
}
settle
echo "load: $(uptime)"
refs=()
command -v lua5.1 >/dev/null && refs+=("lua5.1 -e 'return 1'")
command -v kubectl >/dev/null && refs+=("kubectl version --client")
# medians prints each command's median from hyperfine's JSON export (the
# issues' goals are medians; hyperfine's summary shows means).
medians() {
	grep -o '"command": "[^"]*"\|"median": [0-9.e-]*' "$1" | sed 's/^"command": //; s/^"median": //' |
		paste - - | awk -F'\t' '{printf "median %8.1f ms  %s\n", $2*1000, $1}'
}
hyperfine -N -w 5 -r 50 --export-json "$work/start.json" "$M -e 'return 1'" "${refs[@]}" \
	"$work/go-empty" "$work/go-libs" "$M get pods" "$M get pods -n big"
medians "$work/start.json"
if [ "${BIG:-0}" = 1 ]; then
	$M -e '
for n = 0, 99 do
  node.create{name=string.format("sim-big-%03d", n), simulated=true, capacity={pods="1100", cpu="640", memory="2560Gi"}}
  local ns = string.format("ns-%03d", n)
  namespace.create(ns)
  for i = 1, 1000 do pod.create{name=string.format("pod-%04d", i), image="busybox", namespace=ns, nodeSelector={["kubernetes.io/hostname"]=string.format("sim-big-%03d", n)}} end
end'
	settle
	echo "load: $(uptime)"
	hyperfine -N -w 1 -r 10 --export-json "$work/big.json" "$M get pods -A"
	medians "$work/big.json"
fi
echo "the same get through the Lua API in one process (kubectl.get, 20 times, ms per call):"
$M -e '
local kubectl = require("min.kubectl")
local function per(args)
  kubectl.main(args)
  local t = os.clock()
  for _ = 1, 20 do kubectl.main(args) end
  return (os.clock() - t) * 1000 / 20
end
local small, big = per{"get", "pods"}, per{"get", "pods", "-n", "big"}
print(string.format("RESULT get pods (100): %.1f ms CPU", small))
print(string.format("RESULT get pods -n big (1,000): %.1f ms CPU", big))' | sed -n "s/^RESULT //p"
echo "load: $(uptime)"
