-- min.util: small table helpers for scripts, written in Lua on top of
-- nothing but the language. Errors use level 3 (gopher-lua's level 2 blames
-- the helper's own line), see DESIGN.md.
local util = {}

local function check_table(v, fname)
  if type(v) ~= "table" then
    error("bad argument #1 to '" .. fname .. "' (table expected, got " .. type(v) .. ")", 3)
  end
end

-- util.map(list, fn): a new list of fn(item) for each item.
function util.map(list, fn)
  check_table(list, "map")
  local out = {}
  for i, v in ipairs(list) do out[i] = fn(v) end
  return out
end

-- util.filter(list, pred): the items for which pred(item) is true.
function util.filter(list, pred)
  check_table(list, "filter")
  local out = {}
  for _, v in ipairs(list) do
    if pred(v) then out[#out + 1] = v end
  end
  return out
end

-- util.names(objects): the metadata.name of each object.
function util.names(list)
  check_table(list, "names")
  local out = {}
  for i, o in ipairs(list) do out[i] = o.metadata.name end
  return out
end

-- util.keys(t): the sorted keys of a table.
function util.keys(t)
  check_table(t, "keys")
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out, function(a, b) return tostring(a) < tostring(b) end)
  return out
end

-- util.count(t): the number of entries of any table.
function util.count(t)
  check_table(t, "count")
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

return util
