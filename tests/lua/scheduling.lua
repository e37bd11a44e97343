-- The scheduler on simulated nodes: nodeSelector, resources, taints and
-- tolerations, node affinity, cordon and drain, and Kubernetes' exact
-- texts for a pod that fits nowhere (reference §8).

local SIM = "min.minspace.io/node-type"

-- eventually polls cond until it holds (about 20 s at most).
local function eventually(cond)
  for _ = 1, 400 do
    if cond() then return true end
    sleep(0.05)
  end
  return cond()
end

-- condition returns the pod's condition of that type, or nil.
local function condition(p, typ)
  for _, c in ipairs(p.status.conditions or {}) do
    if c.type == typ then return c end
  end
end

-- unschedulable waits for the scheduler's verdict on a pod (with want,
-- for that message: a first verdict may predate nodes the scheduler had
-- not heard of yet) and returns its PodScheduled condition.
local function unschedulable(name, want)
  local c
  eventually(function()
    c = condition(pod.get(name), "PodScheduled")
    return c ~= nil and c.status == "False" and (want == nil or c.message == want)
  end)
  return c or {}
end

-- expectUnschedulable checks that the pod stays Pending with reason
-- Unschedulable and message want.
local function expectUnschedulable(name, want)
  local c = unschedulable(name, want)
  assert.eq(c.reason, "Unschedulable", name)
  assert.eq(c.message, want, name)
end

-- landed waits for the pod to run and returns the node it runs on.
local function landed(name)
  local p = pod.wait(name, {phase = "Running", timeout = 20})
  return p.spec.nodeName
end

-- a manifest for a pod with the given extra spec fields.
local function podWith(name, spec)
  spec.containers = {{name = "app", image = "busybox"}}
  return {apiVersion = "v1", kind = "Pod", metadata = {name = name}, spec = spec}
end

local function simNode(name, labels, spec, capacity)
  return node.create{metadata = {name = name, labels = labels, annotations = {[SIM] = "simulated"}},
    spec = spec, status = capacity and {capacity = capacity} or nil}
end

------------------------------------------------------------------------
-- No node at all.
pod.create{name = "alone", image = "busybox"}
expectUnschedulable("alone", "no nodes available to schedule pods")
pod.delete("alone")

------------------------------------------------------------------------
-- A capacity that leaves out pods gets kubelet's default of 110, in
-- capacity and in allocatable (the scheduler counts allocatable).
local partial = node.create{name = "partial", simulated = true, capacity = {cpu = "1"}}
assert.eq(partial.status.capacity.pods, "110")
assert.eq(partial.status.allocatable.pods, "110")
assert.eq(partial.status.allocatable.cpu, "1")
node.delete("partial")

-- Three nodes; the mixed message of reference §8.3.
node.create{name = "n1", simulated = true, labels = {disk = "ssd"}, capacity = {cpu = "1", memory = "1Gi", pods = "110"}}
node.create{name = "n2", simulated = true}
node.create{name = "n3", simulated = true}

pod.create{name = "big", image = "busybox", nodeSelector = {disk = "ssd"},
  resources = {requests = {cpu = "2"}}}
expectUnschedulable("big", "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
local big = pod.get("big")
assert.eq(big.status.phase, "Pending")
assert.eq(big.spec.nodeName, nil)
assert.eq(tostring(big), "pod/default/big (Pending)")

-- memory too: each insufficient resource is one reason of the node.
pod.create{name = "bigger", image = "busybox", nodeSelector = {disk = "ssd"},
  resources = {requests = {cpu = "2", memory = "2Gi"}}}
expectUnschedulable("bigger",
  "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
pod.delete("bigger")

-- retried when the nodes change: a bigger ssd node appears.
node.create{name = "n4", simulated = true, labels = {disk = "ssd"}, capacity = {cpu = "4", pods = "110"}}
assert.eq(landed("big"), "n4")
assert.eq(condition(pod.get("big"), "PodScheduled").status, "True")
pod.delete("big")
node.delete("n4")

------------------------------------------------------------------------
-- The gpu example of the Kubernetes docs (kubia-gpu.yaml).
manifest.create(manifest.load([[
apiVersion: v1
kind: Pod
metadata:
  name: kubia-gpu
spec:
  nodeSelector:
    gpu: "true"
  containers:
  - image: luksa/kubia
    name: kubia
]]))
expectUnschedulable("kubia-gpu", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
assert.eq(pod.get("kubia-gpu").status.phase, "Pending")
node.label("n2", {gpu = "true"})
assert.eq(landed("kubia-gpu"), "n2")
pod.delete("kubia-gpu")

-- a pod that fits nowhere is also retried when pods go away: n1 takes
-- one cpu-hungry pod at a time.
pod.create{name = "cpu1", image = "busybox", nodeSelector = {disk = "ssd"}, resources = {requests = {cpu = "600m"}}}
assert.eq(landed("cpu1"), "n1")
pod.create{name = "cpu2", image = "busybox", nodeSelector = {disk = "ssd"}, resources = {requests = {cpu = "600m"}}}
expectUnschedulable("cpu2",
  "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
pod.delete("cpu1")
assert.eq(landed("cpu2"), "n1")
pod.delete("cpu2")

-- spec.nodeName set by the user bypasses the scheduler's filters.
pod.create(podWith("pinned", {nodeName = "n3", nodeSelector = {disk = "ssd"}}))
assert.eq(landed("pinned"), "n3")
pod.delete("pinned")

------------------------------------------------------------------------
-- Taints and tolerations (n1..n3 all tainted below; only NoSchedule and
-- NoExecute repel, PreferNoSchedule does not).
simNode("t1", {pool = "taint"}, {taints = {{key = "dedicated", value = "gpu", effect = "NoSchedule"}}})
simNode("t2", {pool = "taint"}, {taints = {{key = "maintenance", effect = "NoExecute"}}})
simNode("t3", {pool = "taint"}, {taints = {{key = "slow", value = "yes", effect = "PreferNoSchedule"}}})

pod.create(podWith("untolerant", {nodeSelector = {pool = "taint"}}))
assert.eq(landed("untolerant"), "t3")

node.cordon("t3")
pod.create(podWith("repelled", {nodeSelector = {pool = "taint"}}))
expectUnschedulable("repelled",
  "0/6 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint(s), " ..
  "3 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")
pod.delete("repelled")

-- Equal toleration of the NoSchedule taint: only t1 fits.
pod.create(podWith("gpu-tolerant", {nodeSelector = {pool = "taint"},
  tolerations = {{key = "dedicated", operator = "Equal", value = "gpu", effect = "NoSchedule"}}}))
assert.eq(landed("gpu-tolerant"), "t1")
-- a toleration with the wrong value tolerates nothing.
pod.create(podWith("wrong-value", {nodeSelector = {pool = "taint"},
  tolerations = {{key = "dedicated", operator = "Equal", value = "cpu", effect = "NoSchedule"}}}))
assert.eq(unschedulable("wrong-value").reason, "Unschedulable")
assert.eq(pod.get("wrong-value").spec.nodeName, nil)
-- Exists on the key, whatever the value and effect: t2.
pod.create(podWith("maint-tolerant", {nodeSelector = {pool = "taint"},
  tolerations = {{key = "maintenance", operator = "Exists"}}}))
assert.eq(landed("maint-tolerant"), "t2")
-- an empty key with Exists tolerates every taint, including the cordon's.
pod.create(podWith("tolerates-all", {nodeSelector = {["kubernetes.io/hostname"] = "t3"},
  tolerations = {{operator = "Exists"}}}))
assert.eq(landed("tolerates-all"), "t3")
node.uncordon("t3")
pod.delete{all = true}
for _, n in ipairs{"t1", "t2", "t3"} do node.delete(n) end

------------------------------------------------------------------------
-- Node affinity (requiredDuringSchedulingIgnoredDuringExecution).
node.label("n1", {zone = "a"}, {overwrite = true})
node.label("n2", {zone = "b"}, {overwrite = true})
-- n3 has no zone label.

local function affinity(name, ...)
  return podWith(name, {affinity = {nodeAffinity = {requiredDuringSchedulingIgnoredDuringExecution =
    {nodeSelectorTerms = {...}}}}})
end
local function expr(key, op, values)
  return {matchExpressions = {{key = key, operator = op, values = values}}}
end

pod.create(affinity("in-b", expr("zone", "In", {"b", "c"})))
assert.eq(landed("in-b"), "n2")
pod.create(affinity("exists", {matchExpressions = {
  {key = "zone", operator = "Exists"}, {key = "zone", operator = "NotIn", values = {"b"}}}}))
assert.eq(landed("exists"), "n1")
pod.create(affinity("no-zone", expr("zone", "DoesNotExist")))
assert.eq(landed("no-zone"), "n3")
-- terms are ORed: the first matches no node, the second n2.
pod.create(affinity("either", expr("zone", "In", {"nope"}), expr("kubernetes.io/hostname", "In", {"n2"})))
assert.eq(landed("either"), "n2")
-- NotIn matches nodes without the label too.
pod.create(affinity("not-ab", {matchExpressions = {
  {key = "zone", operator = "NotIn", values = {"a", "b"}},
  {key = "kubernetes.io/hostname", operator = "In", values = {"n1", "n2", "n3"}}}}))
assert.eq(landed("not-ab"), "n3")
-- nothing matches: the affinity reason, as for a nodeSelector.
pod.create(affinity("nowhere", expr("zone", "In", {"z"})))
expectUnschedulable("nowhere",
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
-- and it lands once a node gets the label.
node.label("n3", {zone = "z"})
assert.eq(landed("nowhere"), "n3")
pod.delete{all = true}

------------------------------------------------------------------------
-- A node deleted and at once created again under the same name: the
-- pods bound to the new node are its own.
node.create{name = "re", simulated = true}
node.delete("re")
node.create{name = "re", simulated = true}
pod.create(podWith("on-re", {nodeName = "re"}))
pcall(pod.wait, "on-re", {phase = "Running", timeout = 5})
sleep(0.5)
assert.eq(pod.get("on-re") ~= nil, true)
pcall(pod.delete, "on-re")
node.delete("re")

------------------------------------------------------------------------
-- Cordon then drain: an RC's pods move to the remaining nodes (three
-- equal nodes, so that least-requested spreads the pods over all).
for _, n in ipairs{"n1", "n2", "n3"} do node.delete(n) end
for _, n in ipairs{"d1", "d2", "d3"} do node.create{name = n, simulated = true} end
-- The scheduler learns of nodes through its informer, which can lag
-- behind the pods': one pinned pod per node makes sure it knows the new
-- nodes before the RC's pods come.
for _, n in ipairs{"d1", "d2", "d3"} do
  pod.create(podWith("probe-" .. n, {nodeSelector = {["kubernetes.io/hostname"] = n}}))
  assert.eq(landed("probe-" .. n), n)
end
pod.delete{all = true}
local rc1 = rc.create{name = "spread", image = "busybox", replicas = 6}
local function running(nodeName)
  local n = 0
  for _, p in ipairs(pod.list{selector = "app=spread", fields = "status.phase=Running"}) do
    if nodeName == nil or p.spec.nodeName == nodeName then n = n + 1 end
  end
  return n
end
assert.is_true(eventually(function() return running() == 6 end), "6 replicas running")
-- least-requested spreading puts pods on every node.
assert.eq(running("d1") .. " " .. running("d2") .. " " .. running("d3"), "2 2 2", "pods spread over d1, d2, d3")

node.cordon("d1")
assert.eq(tostring(node.get("d1")), "node/d1 (Ready,SchedulingDisabled)")
assert.is_true(running("d1") > 0, "cordon leaves running pods alone")
-- nothing new lands on a cordoned node.
pod.create(podWith("on-d1", {nodeSelector = {["kubernetes.io/hostname"] = "d1"}}))
expectUnschedulable("on-d1",
  "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. " ..
  "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
pod.delete("on-d1")

local onD1 = running("d1")
local drained = node.drain("d1")
assert.eq(#drained, onD1)
assert.is_true(eventually(function() return running() == 6 end), "the RC re-creates the drained pods")
assert.eq(running("d1"), 0)
assert.eq(#pod.list{fields = "spec.nodeName=d1"}, 0)
for _, name in ipairs(drained) do
  assert.eq(pod.get(name), nil)
end
node.uncordon("d1")
assert.eq(tostring(node.get("d1")), "node/d1 (Ready)")
rc1:delete()
assert.is_true(eventually(function() return #pod.list{selector = "app=spread"} == 0 end), "the RC's pods go with it")
