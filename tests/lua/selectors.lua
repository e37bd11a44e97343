-- selector module on Kubernetes' grammar, and selection in list/delete.
local s = selector.parse("env in (prod,devel), app")
assert.eq(tostring(s), "app,env in (devel,prod)")
assert.is_true(s:matches{app="x", env="prod"})
assert.is_false(s:matches{env="prod"})
assert.is_true(selector.match("!env", {app="x"}))
assert.is_false(selector.match("env!=prod", {env="prod"}))
assert.fails(function() selector.parse("x in (a") end, "unable to parse requirement")

pod.create{name="a", image="busybox", labels={app="pc", rel="beta"}}
pod.create{name="b", image="busybox", labels={app="pc", rel="stable"}}
pod.create{name="c", image="busybox"}

local function names(list)
  local out = {}
  for i, o in ipairs(list) do out[i] = o.metadata.name end
  return out
end
assert.eq(names(pod.list{selector="app=pc,rel=beta"}), {"a"})
assert.eq(names(pod.list{selector={app="pc"}}), {"a", "b"})
assert.eq(names(pod.list{selector=s}), {})
assert.eq(names(pod.list{selector="!app"}), {"c"})
assert.eq(names(pod.list{fields="metadata.name=b"}), {"b"})
assert.is_true(selector.match("app=pc", pod.get("a")))

-- delete by selector returns the deleted names; delete everything needs all=true
assert.eq(pod.delete{selector="rel"}, {"a", "b"})
assert.fails(function() pod.delete{} end, "all=true")
assert.eq(pod.delete{all=true}, {"c"})
assert.eq(#pod.list(), 0)
