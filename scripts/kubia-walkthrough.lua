#!/usr/bin/env minish
-- The seed notes' walk through pods, labels, selectors, annotations and
-- namespaces (Kubernetes in Action, chapter 3), as a Min script. Each step
-- names the kubectl command it stands for. Run it: minish kubia-walkthrough.lua
--
-- It needs no containers: it works on the objects, and checks what it does.

local function step(text) print("== " .. text) end

-- The walkthrough has a node to label and schedule onto (the book's GKE
-- node); on a machine where Min registered the host it is one more node.
step("kubectl label node gke-kubia-85f6-node-orrx gpu=true")
local node_name = "gke-kubia-85f6-node-orrx"
if not node.get(node_name) then
  node.create{name = node_name, simulated = true}
end
node.label(node_name, {gpu = "true"})
local gpu_nodes = node.list{selector = "gpu=true"}
assert(#gpu_nodes == 1 and gpu_nodes[1].metadata.name == node_name)

-- 2.3 kubectl create -f kubia-manual.yaml
step("kubectl create -f kubia-manual.yaml")
local created = manifest.create("kubia/kubia-manual.yaml")
print(created[1].kind:lower() .. "/" .. created[1].metadata.name .. " created")
local p = pod.get("kubia-manual")
assert(p.spec.containers[1].ports[1].containerPort == 8080)

-- kubectl get po kubia-manual -o yaml / -o json
step("kubectl get po kubia-manual -o yaml")
local y = p:yaml()
assert(y:find("name: kubia%-manual"))
assert(json.decode(p:json()).spec.containers[1].image == "luksa/kubia")

-- 3.2 a pod created with labels
step("kubectl create -f kubia-manual-with-labels.yaml")
manifest.create("kubia/kubia-manual-with-labels.yaml")
for _, q in ipairs(pod.list()) do
  print(q.metadata.name, json.encode(q.metadata.labels or {}))
end

-- 3.3 kubectl label po kubia-manual creation_method=manual
step("kubectl label po kubia-manual creation_method=manual")
label.set("kubia-manual", {creation_method = "manual"})
-- kubectl label po kubia-manual-v2 env=debug --overwrite
step("kubectl label po kubia-manual-v2 env=debug --overwrite")
local ok, err = pcall(label.set, "kubia-manual-v2", {env = "debug"})
assert(not ok and err.message:find("'env' already has a value %(prod%), and %-%-overwrite is false"))
label.set("kubia-manual-v2", {env = "debug"}, {overwrite = true})
assert(label.get("kubia-manual-v2").env == "debug")

-- 3.4 listing subsets with label selectors
local function names(sel)
  local out = {}
  for _, q in ipairs(pod.list{selector = sel}) do out[#out + 1] = q.metadata.name end
  return table.concat(out, ",")
end
step("kubectl get po -l ...")
for _, sel in ipairs{"creation_method=manual", "env", "!env", "creation_method!=manual",
                      "env in (prod,devel)", "env notin (prod,devel)"} do
  print(string.format("%-26s %s", sel, names(sel)))
end
assert(names("creation_method=manual") == "kubia-manual,kubia-manual-v2")
assert(names("env") == "kubia-manual-v2")
assert(names("!env") == "kubia-manual")

-- 3.5 scheduling with a node selector
step("kubectl create -f kubia-gpu.yaml")
local gpu = manifest.create("kubia/kubia-gpu.yaml")[1]
assert(gpu.spec.nodeSelector.gpu == "true")

-- 3.6 annotations
step('kubectl annotate pod kubia-manual mycompany.com/someannotation="foo bar"')
annotation.set("kubia-manual", {["mycompany.com/someannotation"] = "foo bar"})
assert(annotation.get("kubia-manual")["mycompany.com/someannotation"] == "foo bar")

-- 3.7 namespaces
step("kubectl get ns")
for _, ns in ipairs(namespace.list()) do print(tostring(ns)) end
step("kubectl create -f custom-namespace.yaml")
manifest.create("kubia/custom-namespace.yaml")
step("kubectl create -f kubia-manual.yaml -n custom-namespace")
manifest.create("kubia/kubia-manual.yaml", {namespace = "custom-namespace"})
assert(#pod.list{all_namespaces = true, fields = "metadata.name=kubia-manual"} == 2)
assert(pod.get("kubia-manual", {namespace = "custom-namespace"}))

-- 3.8 deleting pods
step("kubectl delete po kubia-gpu")
print(table.concat(pod.delete("kubia-gpu"), ", ") .. " deleted")
step("kubectl delete po -l creation_method=manual")
print(table.concat(pod.delete{selector = "creation_method=manual"}, ", ") .. " deleted")
assert(#pod.list() == 0)
step("kubectl delete ns custom-namespace")
namespace.delete("custom-namespace")
assert(namespace.get("custom-namespace") == nil)
step("kubectl delete po --all")
pod.create{name = "kubia-zxzij", image = "luksa/kubia"}
print(table.concat(pod.delete{all = true}, ", ") .. " deleted")
assert(#pod.list() == 0)
print("walkthrough done")
