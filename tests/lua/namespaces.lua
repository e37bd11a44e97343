-- namespaces: create, use/current, same names in different namespaces,
-- delete waits until the namespace and its pods are gone.
assert.eq(namespace.current(), "default")
local ns = namespace.create("custom-namespace")
assert.eq(tostring(ns), "namespace/custom-namespace (Active)")

local names = {}
for _, n in ipairs(namespace.list()) do names[#names + 1] = n.metadata.name end
assert.contains(names, "kube-system")
assert.contains(names, "custom-namespace")

pod.create{name="kubia-manual", image="luksa/kubia"}
namespace.use("custom-namespace")
assert.eq(namespace.current(), "custom-namespace")
local p = pod.create{name="kubia-manual", image="luksa/kubia"}
assert.eq(p.metadata.namespace, "custom-namespace")
assert.eq(#pod.list{all_namespaces=true}, 2)
assert.eq(pod.get("kubia-manual", {namespace="default"}).metadata.namespace, "default")

assert.fails(function() namespace.use("Bad.NS") end, "invalid namespace")
assert.fails(function() namespace.delete("default") end, "this namespace may not be deleted")

namespace.use("default")
namespace.delete("custom-namespace")
assert.eq(namespace.get("custom-namespace"), nil)
assert.eq(#pod.list{all_namespaces=true}, 1)
