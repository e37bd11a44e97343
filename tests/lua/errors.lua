-- Errors raised by Min's functions start with the user's file:line and carry
-- a reason and a message.
local err = assert.fails(function() pod.create{name="web", image="busybox", imgae="x"} end,
  'unknown field "imgae" %(did you mean "image"%?%)')
assert.eq(err.reason, "BadRequest")
assert.contains(tostring(err), "errors.lua:3:")

-- strict decoding of a manifest table: field path with 1-based indices
local e2 = assert.fails(function()
  pod.create{apiVersion="v1", kind="Pod", metadata={name="x"},
    spec={containers={{name="a", image="busybox"}, {name="b", imgae="busybox"}}}}
end)
assert.contains(e2.message, 'spec.containers[2]: unknown field "imgae" (did you mean "image"?)')
assert.contains(e2.message, "errors.lua:10:")

-- API errors keep Kubernetes' reason and text
pod.create{name="dup", image="busybox"}
local e3 = assert.fails(function() pod.create{name="dup", image="busybox"} end)
assert.eq(e3.reason, "AlreadyExists")
assert.contains(e3.message, 'pods "dup" already exists')

local e4 = assert.fails(function() pod.delete("ghost") end)
assert.eq(e4.reason, "NotFound")

local e5 = assert.fails(function() pod.create{name="Bad_Name", image="busybox"} end)
assert.eq(e5.reason, "Invalid")
assert.contains(e5.message, 'Pod "Bad_Name" is invalid')

-- pcall catches them, and the value survives rethrowing
local ok, e6 = pcall(pod.delete, "ghost")
assert.is_false(ok)
assert.eq(e6.reason, "NotFound")
local ok2, e7 = pcall(function() error(e6) end)
assert.is_true(rawequal(e7, e6))

-- unknown options get a did-you-mean too
assert.fails(function() pod.list{selectr="a=b"} end, 'unknown option "selectr" %(did you mean "selector"%?%)')

-- a counter kept in an upvalue survives a caught error (gopher-lua#448)
local count = 0
for i = 1, 3 do
  count = count + 1
  pcall(pod.delete, "ghost")
end
assert.eq(count, 3)
