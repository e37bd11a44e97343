-- Objects are plain tables in Kubernetes shape with per-kind methods.
local p = pod.create{name="web", image="busybox", labels={app="web"}, ports={8080}}
assert.eq(p.metadata.name, "web")
assert.eq(p.metadata.namespace, "default")
assert.eq(p.metadata.labels.app, "web")
assert.eq(p.spec.containers[1].image, "busybox")
assert.eq(p.spec.containers[1].ports[1].containerPort, 8080)
assert.eq(p.kind, "Pod")
assert.eq(p.apiVersion, "v1")
assert.eq(tostring(p), "pod/default/web (Pending)")
assert.is_true(p.metadata.uid ~= nil and #p.metadata.uid > 0)

-- __eq compares identity; a re-read pod equals the original.
local again = pod.get("web")
assert.is_true(again == p)
assert.is_true(again ~= pod.create{name="other", image="busybox"})

-- get of a missing object: nil and a message, no error.
local none, msg = pod.get("nope")
assert.eq(none, nil)
assert.eq(msg, 'pods "nope" not found')

-- targets: object, name, "kind/name".
assert.eq(label.get("web").app, "web")
assert.eq(label.get("pod/web").app, "web")
assert.eq(label.get(p).app, "web")

-- refresh updates in place.
label.set("web", {tier="front"})
assert.eq(p.metadata.labels.tier, nil)
p:refresh()
assert.eq(p.metadata.labels.tier, "front")

-- yaml and json round trip through the codecs.
local doc = yaml.decode(p:yaml())
assert.eq(doc.metadata.name, "web")
assert.eq(json.decode(p:json()).spec.containers[1].name, "web")
assert.eq(manifest.dump(p, "json"), p:json())

-- require gives the same module tables as the globals.
assert.is_true(require("min.pod") == pod)
assert.is_true(require("min.selector") == selector)
