-- ReplicationControllers on simulated nodes (reference §9): generated
-- names and ownerReferences, replacement, release, adoption, scaling with
-- Kubernetes' deletion order, cascading and orphaning deletes, status.

-- eventually polls cond until it holds (about 20 s at most).
local function eventually(cond)
  for _ = 1, 400 do
    if cond() then return true end
    sleep(0.05)
  end
  return cond()
end

local function names(list)
  local out = {}
  for _, o in ipairs(list) do out[#out + 1] = o.metadata.name end
  table.sort(out)
  return out
end

local function pods(selector)
  return pod.list{selector = selector or "app=kubia"}
end

local function running(selector)
  return #pod.list{selector = selector or "app=kubia", fields = "status.phase=Running"}
end

-- settled waits until the RC's status says want pods, all ready, for the
-- current generation, and exactly want matching pods exist.
local function settled(r, want)
  return eventually(function()
    r:refresh()
    local st = r.status or {}
    return st.observedGeneration == r.metadata.generation and (st.replicas or 0) == want
      and (st.readyReplicas or 0) == want and #pods() == want and running() == want
  end)
end

node.create{name = "sim1", simulated = true}
node.create{name = "sim2", simulated = true}

------------------------------------------------------------------------
-- Validation texts.
local e = assert.fails(function()
  rc.create{apiVersion = "v1", kind = "ReplicationController", metadata = {name = "bad"},
    spec = {replicas = 1, selector = {app = "kubia-y"},
      template = {metadata = {labels = {app = "kubia-x"}}, spec = {containers = {{name = "c", image = "busybox"}}}}}}
end)
assert.eq(e.reason, "Invalid")
assert.contains(e.message, 'spec.template.metadata.labels: Invalid value: {"app":"kubia-x"}: `selector` does not match template `labels`')
e = assert.fails(function() rc.create{name = "neg", image = "busybox", replicas = -1} end)
assert.contains(e.message, "spec.replicas: Invalid value: -1: must be greater than or equal to 0")

------------------------------------------------------------------------
-- Created pods: generateName "<rc>-", template labels, a controller
-- ownerReference that blocks the owner's deletion.
local kubia = rc.create{name = "kubia", image = "luksa/kubia", replicas = 3}
assert.eq(kubia.metadata.generation, 1)
assert.is_true(settled(kubia, 3), "3 replicas ready")
assert.eq(kubia.status.availableReplicas, 3)
assert.eq(kubia.status.fullyLabeledReplicas, 3)
assert.eq(kubia.status.observedGeneration, 1)
for _, p in ipairs(pods()) do
  assert.eq(p.metadata.generateName, "kubia-")
  assert.is_true(p.metadata.name:match("^kubia%-[a-z0-9]+$") ~= nil, p.metadata.name)
  assert.eq(p.metadata.labels, {app = "kubia"})
  local refs = p.metadata.ownerReferences
  assert.eq(#refs, 1)
  assert.eq(refs[1].apiVersion, "v1")
  assert.eq(refs[1].kind, "ReplicationController")
  assert.eq(refs[1].name, "kubia")
  assert.eq(refs[1].uid, kubia.metadata.uid)
  assert.eq(refs[1].controller, true)
  assert.eq(refs[1].blockOwnerDeletion, true)
end

------------------------------------------------------------------------
-- Deleting a pod makes a replacement (new name, new uid).
local victim = pods()[1]
local before = names(pods())
victim:delete()
assert.is_true(settled(kubia, 3), "a replacement is created")
local after = names(pods())
assert.eq(#after, 3)
assert.is_false(after[1] == victim.metadata.name or after[2] == victim.metadata.name or after[3] == victim.metadata.name)
local replacement
for _, n in ipairs(after) do
  local old = false
  for _, b in ipairs(before) do old = old or b == n end
  if not old then replacement = n end
end
assert.is_true(replacement ~= nil, "one new name")
assert.ne(pod.get(replacement).metadata.uid, victim.metadata.uid)

------------------------------------------------------------------------
-- Relabelling a pod out of the selector releases it (ownerReference
-- removed, the pod keeps running) and a replacement is created.
sleep(1.1) -- so that the replacement is the newest pod (times have second precision)
local released = pods()[1]
local kept = names(pods())
released:label({app = "foo"}, {overwrite = true})
assert.is_true(eventually(function()
  return pod.get(released.metadata.name).metadata.ownerReferences == nil
end), "the relabelled pod is released")
assert.is_true(settled(kubia, 3), "a replacement for the released pod")
local freed = pod.get(released.metadata.name)
assert.eq(freed.metadata.uid, released.metadata.uid)
assert.eq(freed.metadata.labels.app, "foo")
assert.eq(freed.status.phase, "Running")
assert.eq(#pods("app=foo"), 1)
local newest
for _, p in ipairs(pods()) do
  if p.metadata.name ~= kept[1] and p.metadata.name ~= kept[2] and p.metadata.name ~= kept[3] then
    newest = p.metadata.name
  end
end
assert.is_true(newest ~= nil, "the replacement has a new name")

-- Relabelling it back: the RC adopts it and deletes one surplus pod, the
-- one ready for the least time (the replacement).
freed:label({app = "kubia"}, {overwrite = true})
assert.is_true(eventually(function() return pod.get(newest) == nil end), "the surplus replacement is deleted")
assert.is_true(settled(kubia, 3), "back to 3")
assert.eq(names(pods()), kept)
local refs = pod.get(freed.metadata.name).metadata.ownerReferences
assert.eq(refs[1].uid, kubia.metadata.uid)
assert.eq(refs[1].controller, true)

------------------------------------------------------------------------
-- A matching orphan is adopted: a hand-made pod exists before its RC.
pod.create{name = "orphan", image = "busybox", labels = {app = "web"}}
pod.wait("orphan", {phase = "Running", timeout = 20})
local web = rc.create{name = "web", image = "busybox", replicas = 2}
assert.is_true(eventually(function()
  local refs = pod.get("orphan").metadata.ownerReferences
  return refs ~= nil and refs[1].uid == web.metadata.uid
end), "the orphan is adopted")
refs = pod.get("orphan").metadata.ownerReferences
assert.eq(refs[1].kind, "ReplicationController")
assert.eq(refs[1].name, "web")
assert.eq(refs[1].controller, true)
assert.eq(refs[1].blockOwnerDeletion, true)
assert.is_true(eventually(function() return running("app=web") == 2 end), "one more pod for web")

------------------------------------------------------------------------
-- Scaling up and down; spec changes bump generation and the status
-- follows (observedGeneration).
kubia:scale(5)
assert.eq(kubia.spec.replicas, 5)
assert.eq(kubia.metadata.generation, 2)
assert.is_true(settled(kubia, 5), "scaled to 5")
assert.eq(kubia.status.observedGeneration, 2)
assert.eq(kubia.status.availableReplicas, 5)
rc.scale("kubia", 2)
assert.is_true(settled(kubia, 2), "scaled to 2")
assert.eq(kubia.metadata.generation, 3)
assert.eq(kubia.status.observedGeneration, 3)
-- scaling to 0 keeps the RC with no pods.
kubia:scale(0)
assert.is_true(settled(kubia, 0), "scaled to 0")
assert.eq(kubia.status.replicas, 0)
assert.eq(kubia.status.readyReplicas, nil) -- omitted when zero, as in Kubernetes

------------------------------------------------------------------------
-- Surplus deletion order (controller.ActivePods): unscheduled before
-- scheduled, Pending before Running, then the newer pod first.
-- Node "small" takes two pods; the RC's pods must go there.
node.create{name = "small", simulated = true, labels = {pool = "small"}, capacity = {pods = "2", cpu = "32", memory = "256Gi"}}
local order = rc.create{apiVersion = "v1", kind = "ReplicationController", metadata = {name = "order"},
  spec = {replicas = 1, selector = {app = "order"},
    template = {metadata = {labels = {app = "order"}},
      spec = {nodeSelector = {pool = "small"}, containers = {{name = "c", image = "busybox"}}}}}}
assert.is_true(eventually(function() return running("app=order") == 1 end), "first order pod")
local oldest = pods("app=order")[1].metadata.name
sleep(1.1) -- creation and ready times have second precision
order:scale(3) -- the second pod fits on small, the third does not
assert.is_true(eventually(function()
  return running("app=order") == 2 and #pods("app=order") == 3
end), "two running, one unschedulable")
local unscheduled, newer
for _, p in ipairs(pods("app=order")) do
  if p.spec.nodeName == nil then unscheduled = p.metadata.name
  elseif p.metadata.name ~= oldest then newer = p.metadata.name end
end
assert.is_true(unscheduled ~= nil and newer ~= nil, "an unscheduled and a newer pod")

-- a hand-made pod bound to a node with no kubelet: scheduled, Pending.
pod.create{apiVersion = "v1", kind = "Pod", metadata = {name = "stuck", labels = {app = "order", hand = "made"}},
  spec = {nodeName = "nowhere", containers = {{name = "c", image = "busybox"}}}}
assert.is_true(eventually(function()
  local p = pod.get("stuck")
  return p ~= nil and p.metadata.ownerReferences ~= nil
end), "stuck is adopted")
-- four pods for three replicas: the unscheduled one goes first.
assert.is_true(eventually(function() return pod.get(unscheduled) == nil end), "the unscheduled pod is deleted first")
assert.is_true(pod.get("stuck") ~= nil and pod.get(newer) ~= nil and pod.get(oldest) ~= nil)
-- down to 2: the Pending pod goes before the Running ones.
order:scale(2)
assert.is_true(eventually(function() return pod.get("stuck") == nil end), "the Pending pod is deleted next")
assert.is_true(pod.get(newer) ~= nil and pod.get(oldest) ~= nil)
-- down to 1: of two running, ready pods, the newer one goes.
order:scale(1)
assert.is_true(eventually(function() return #pods("app=order") == 1 end))
assert.eq(names(pods("app=order")), {oldest})
order:delete()
assert.is_true(eventually(function() return #pods("app=order") == 0 end), "order's pod is deleted")

------------------------------------------------------------------------
-- Two rules of Kubernetes' ranking (ActivePodsWithRanks, since 1.22)
-- come before ready time and age: a lower controller.kubernetes.io/
-- pod-deletion-cost first, then pods doubled up on a node with more of
-- the RC's pods first.
local function rcOn(name, pool, replicas)
  return rc.create{apiVersion = "v1", kind = "ReplicationController", metadata = {name = name},
    spec = {replicas = replicas, selector = {app = name},
      template = {metadata = {labels = {app = name}},
        spec = {nodeSelector = {pool = pool}, containers = {{name = "c", image = "busybox"}}}}}}
end

-- deletion cost: the older pod costs less, so it goes before the newer.
node.create{name = "cost1", simulated = true, labels = {pool = "cost"}}
local cost = rcOn("cost", "cost", 1)
assert.is_true(eventually(function() return running("app=cost") == 1 end))
local cheap = pods("app=cost")[1]
sleep(1.1)
cost:scale(2)
assert.is_true(eventually(function() return running("app=cost") == 2 end))
cheap:annotate{["controller.kubernetes.io/pod-deletion-cost"] = "-100"}
sleep(0.5) -- the replication manager's pod cache learns of the annotation
cost:scale(1)
assert.is_true(eventually(function() return #pods("app=cost") == 1 end))
assert.eq(pod.get(cheap.metadata.name) == nil, true) -- the pod that costs less went first
cost:delete()

-- doubled up: two pods on rank1, then a newer one alone on rank2; the
-- surplus is one of the two on rank1.
node.create{name = "rank1", simulated = true, labels = {pool = "rank"}}
local rank = rcOn("rank", "rank", 2)
assert.is_true(eventually(function() return running("app=rank") == 2 end))
sleep(1.1)
node.cordon("rank1")
node.create{name = "rank2", simulated = true, labels = {pool = "rank"}}
rank:scale(3)
assert.is_true(eventually(function() return running("app=rank") == 3 end))
assert.eq(#pod.list{selector = "app=rank", fields = "spec.nodeName=rank2"}, 1)
rank:scale(2)
assert.is_true(eventually(function() return #pods("app=rank") == 2 end))
-- the surplus came from the node running more of the RC's pods
assert.eq(#pod.list{selector = "app=rank", fields = "spec.nodeName=rank1"}, 1)
rank:delete()

------------------------------------------------------------------------
-- Deleting an RC deletes its pods (and they do not come back)...
kubia:scale(2)
assert.is_true(settled(kubia, 2))
local gone = rc.delete("kubia")
assert.eq(gone, {"kubia"})
assert.eq(rc.get("kubia"), nil)
assert.is_true(eventually(function() return #pods() == 0 end), "its pods are deleted")
sleep(0.3)
assert.eq(#pods(), 0)

-- ...unless orphaning is asked for: the pods stay, unowned and running.
local webPods = names(pods("app=web"))
assert.eq(#webPods, 2)
rc.delete("web", {cascade = "orphan"})
assert.eq(rc.get("web"), nil)
sleep(0.3)
assert.eq(names(pods("app=web")), webPods)
for _, p in ipairs(pods("app=web")) do
  assert.eq(p.metadata.ownerReferences, nil)
  assert.eq(p.status.phase, "Running")
end
-- a new RC with the same selector adopts them instead of creating pods.
local web2 = rc.create{name = "web2", image = "busybox", replicas = 2, selector = {app = "web"}, labels = {app = "web"}}
assert.is_true(eventually(function()
  for _, p in ipairs(pods("app=web")) do
    local r = p.metadata.ownerReferences
    if r == nil or r[1].uid ~= web2.metadata.uid then return false end
  end
  return true
end), "web2 adopts the orphans")
assert.eq(names(pods("app=web")), webPods)
web2:delete()
assert.is_true(eventually(function() return #pods("app=web") == 0 end))

-- a bad cascade value is refused.
e = assert.fails(function() rc.delete("nope", {cascade = "sideways"}) end)
assert.contains(e.message, 'cascade must be "background", "foreground" or "orphan"')
