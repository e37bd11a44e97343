-- Waits block in Go on the engine's watch: pods on a simulated node go
-- Running, delete waits until they are gone, RCs scale, nodes drain.
local n = node.create{name = "sim1", simulated = true, labels = {disk = "ssd"}}
assert.eq(n.metadata.annotations["min.minspace.io/node-type"], "simulated")
assert.eq(node.list{selector = "disk=ssd"}[1].metadata.name, "sim1")

local p = pod.create{name = "web", image = "busybox", nodeSelector = {disk = "ssd"}}
p:wait{phase = "Running", timeout = 30}
assert.eq(p.status.phase, "Running")
assert.eq(p.spec.nodeName, "sim1")
assert.eq(tostring(p), "pod/default/web (Running)")
pod.wait("web", {condition = "Ready", timeout = 30})

-- a wait that cannot succeed ends with Timeout
local e = assert.fails(function() pod.wait("web", {phase = "Succeeded", timeout = 0.3}) end)
assert.eq(e.reason, "Timeout")

-- delete waits until the pod is gone
assert.eq(p:delete(), {"web"})
assert.eq(pod.get("web"), nil)

-- a pod that fits nowhere stays Pending
local gpu = pod.create{name = "gpu", image = "busybox", nodeSelector = {gpu = "true"}}
assert.eq(pod.get("gpu").status.phase, "Pending")
node.label("sim1", {gpu = "true"})
pod.wait("gpu", {phase = "Running", timeout = 30})
pod.delete("gpu")

-- replication controllers
local rc1 = rc.create{name = "kubia", image = "luksa/kubia", replicas = 3}
assert.eq(rc1.spec.selector, {app = "kubia"})
local function running()
  return #pod.list{selector = "app=kubia", fields = "status.phase=Running"}
end
local function eventually(cond)
  for _ = 1, 400 do
    if cond() then return true end
    sleep(0.05)
  end
  return cond()
end
assert.is_true(eventually(function() return #pod.list{selector = "app=kubia"} == 3 end))
rc1:scale(1)
assert.eq(rc1.spec.replicas, 1)
assert.is_true(eventually(function() return #pod.list{selector = "app=kubia"} == 1 end))
local kp = pod.list{selector = "app=kubia"}[1]
kp:wait{phase = "Running", timeout = 30}

-- cordon and drain
node.cordon("sim1")
assert.eq(tostring(node.get("sim1")), "node/sim1 (Ready,SchedulingDisabled)")
node.uncordon("sim1")
assert.is_true(not node.get("sim1").spec.unschedulable)

rc.delete("kubia")
assert.eq(rc.get("kubia"), nil)
