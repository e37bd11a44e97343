-- label and annotation follow kubectl's overwrite rules and texts.
local p = pod.create{name="web", image="busybox", labels={env="prod"}}

local e = assert.fails(function() label.set(p, {env="debug"}) end,
  "'env' already has a value %(prod%), and %-%-overwrite is false")
assert.eq(e.reason, "Invalid")

-- same value: no error, nothing changes
label.set(p, {env="prod"})

label.set(p, {env="debug"}, {overwrite=true})
assert.eq(p.metadata.labels.env, "debug")  -- the table passed in is refreshed

p:label{creation_method="manual"}
assert.eq(label.get("web"), {env="debug", creation_method="manual"})

label.remove("web", "env", "missing")
assert.eq(label.get("web"), {creation_method="manual"})

annotation.set("web", {["mycompany.com/someannotation"]="foo bar"})
assert.eq(annotation.get("web")["mycompany.com/someannotation"], "foo bar")
assert.fails(function() p:annotate{["mycompany.com/someannotation"]="x"} end,
  "%-%-overwrite is false but found the following declared annotation%(s%): 'mycompany.com/someannotation' already has a value %(foo bar%)")
annotation.remove(p, "mycompany.com/someannotation")
assert.eq(annotation.get(p), {})

-- invalid label values are refused by the engine with Kubernetes' text
assert.fails(function() label.set(p, {bad="not valid!"}) end, "Invalid value")
