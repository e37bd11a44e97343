-- manifest: load/create/apply/dump on files (relative to the script's
-- folder), strings and tables.
local objs = manifest.load("manifests/multi.yaml")
assert.eq(#objs, 3)
assert.eq(tostring(objs[1]), "namespace/shop")
assert.eq(objs[3].metadata.name, "back")
assert.eq(objs[2].spec.containers[1].image, "busybox")

local created = manifest.create("manifests/multi.yaml")
assert.eq(#created, 3)
assert.eq(#pod.list{namespace = "shop"}, 2)

-- creating again: every object fails, one error lists them all
local e = assert.fails(function() manifest.create("manifests/multi.yaml") end)
assert.eq(e.reason, "AlreadyExists")
assert.contains(e.message, 'error when creating "manifests/multi.yaml": namespaces "shop" already exists')
assert.contains(e.message, 'pods "back" already exists')

-- strict decoding of files: 1-based indices for Lua
local e2 = assert.fails(function() manifest.load("manifests/typo.yaml") end)
assert.contains(e2.message, 'spec.containers[1]: unknown field "imagee" (did you mean "image"?)')
assert.contains(e2.message, "manifest.lua:20:")

-- apply: create or update
local front = pod.get("front", {namespace = "shop"})
front.metadata.labels.tier = "web"
local applied = manifest.apply(front)
assert.eq(applied[1].metadata.labels.tier, "web")
assert.eq(pod.get("front", {namespace = "shop"}).metadata.labels.tier, "web")
manifest.apply({{apiVersion = "v1", kind = "Pod", metadata = {name = "new", namespace = "shop"},
  spec = {containers = {{name = "c", image = "busybox"}}}}})
assert.is_true(pod.get("new", {namespace = "shop"}) ~= nil)

-- a manifest string
local fromString = manifest.load([[
apiVersion: v1
kind: Pod
metadata: {name: inline}
spec: {containers: [{name: c, image: busybox}]}
]])
assert.eq(fromString[1].metadata.name, "inline")
local fromJSON = manifest.load('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "j"}}')
assert.eq(fromJSON[1].kind, "Namespace")

-- dump as yaml or json, decode back
local y = manifest.dump(front)
assert.contains(y, "tier: web")
assert.eq(yaml.decode(y).metadata.name, "front")
assert.eq(json.decode(manifest.dump(front, "json")).metadata.labels.tier, "web")
assert.fails(function() manifest.dump(front, "xml") end, 'format must be "yaml" or "json"')

-- codecs on plain values
assert.eq(json.encode({b = 1, a = {true, "x"}}), '{"a":[true,"x"],"b":1}')
assert.eq(json.decode('[1, 2.5, null, "s"]')[2], 2.5)
assert.eq(yaml.encode({a = 1}), "a: 1\n")
assert.fails(function() json.encode({1, 2, x = 3}) end, "mixes list items and named fields")
assert.fails(function() json.decode("{") end, "json.decode")

-- namespace deletion waits for its content
namespace.delete("shop")
assert.eq(#pod.list{namespace = "shop"}, 0)
