-- min.kubectl: kubectl's verbs written on top of Min's DSL and the Go
-- printers module (engine/printers, the one implementation of
-- Kubernetes' printing). Every verb is a Lua function taking kubectl's
-- arguments as a table: positional words first, flags by their long name
-- (dashes as underscores) or their short letter:
--
--   local kubectl = require("min.kubectl")
--   kubectl.get{"pods", l = "app=kubia"}
--   kubectl.label{"pod", "kubia", "env=debug", overwrite = true}
--
-- A verb prints what kubectl prints and returns true; a failure raises an
-- error table {reason=, message=, text=} whose text is kubectl's stderr
-- (tostring gives it). kubectl.main(argv) is the command line: it parses
-- flags as kubectl does and returns the exit code.
local P = require("min.printers")
local V = require("min.verbio")

local kubectl = {}

local out, err = P.out, P.err

-- cli is set while kubectl.main runs a verb. Then get --watch and
-- port-forward leave their blocking part in `tail` for main to run
-- outside its pcall, where Ctrl-C can end them with kubectl's exit code
-- (see verbio's detach) instead of ending the run.
local cli, tail = false, nil

---------------------------------------------------------------------------
-- errors

local Failure = {}
Failure.__index = Failure
Failure.__tostring = function(e) return e.text end

-- raise ends a verb with kubectl's stderr text (without its newline).
local function raise(text, code)
  error(setmetatable({text = text, message = text, code = code or 1}, Failure), 0)
end

-- server_text renders an API error table as kubectl's checkErr does;
-- prefix ("error when creating ...: ") goes before non-Invalid messages.
local function server_text(e, prefix)
  if e.reason == "Invalid" then
    if not e.causes or #e.causes < 2 then return "The " .. e.message end
    local lines = {string.format('The %s "%s" is invalid: ', e.kind or "", e.name or "")}
    for _, c in ipairs(e.causes) do
      local f = c.field ~= "" and (c.field .. ": ") or ""
      lines[#lines + 1] = "* " .. f .. c.message
    end
    return table.concat(lines, "\n")
  end
  local msg = (prefix or "") .. e.message
  if e.reason and e.reason ~= "" then
    return "Error from server (" .. e.reason .. "): " .. msg
  end
  if msg:sub(1, 7) == "error: " then return msg end
  return "error: " .. msg
end

-- check returns v, or raises the error table e as kubectl prints it.
local function check(v, e, prefix)
  if v == nil and e ~= nil then
    local f = setmetatable({text = server_text(e, prefix), reason = e.reason, message = e.message, code = 1}, Failure)
    error(f, 0)
  end
  return v
end

-- soft prints an error without ending the verb; the verb fails at the end.
-- The raised error carries the texts (marked printed, so main does not
-- print them twice).
local function soft(state, e, prefix)
  local text = server_text(e, prefix)
  err(text .. "\n")
  state.failed = true
  state.texts = state.texts or {}
  state.texts[#state.texts + 1] = text
end

local function finish(state)
  if state.failed then
    local text = table.concat(state.texts or {}, "\n")
    error(setmetatable({text = text, message = text, code = 1, printed = true}, Failure), 0)
  end
  return true
end

-- blocking runs fn (returning the verb's result, or nil and an error
-- table) now, or as main's tail; interrupted_code is the exit code after
-- Ctrl-C.
local function blocking(fn, interrupted_code)
  if cli then
    tail = {fn = fn, code = interrupted_code}
    return true
  end
  check(fn(false))
  return true
end

---------------------------------------------------------------------------
-- arguments

-- Flag specs: name = {kind, short, default}. kind is "bool", "string",
-- "int" or "list" (repeatable, comma-split).
local common = {
  namespace = {"string", "n"},
  help = {"bool", "h"},
  request_timeout = {"string"},
}

local specs = {
  get = {output = {"string", "o"}, selector = {"string", "l"}, label_columns = {"list", "L"},
    show_labels = {"bool"}, all_namespaces = {"bool", "A"}, field_selector = {"string"},
    watch = {"bool", "w"}, watch_only = {"bool"}, sort_by = {"string"}, no_headers = {"bool"}},
  describe = {selector = {"string", "l"}, all_namespaces = {"bool", "A"}},
  create = {filename = {"list", "f"}},
  apply = {filename = {"list", "f"}},
  delete = {filename = {"list", "f"}, selector = {"string", "l"}, all = {"bool"},
    grace_period = {"int"}, force = {"bool"}, wait = {"bool", nil, true}, ignore_not_found = {"bool"},
    all_namespaces = {"bool", "A"}, timeout = {"string"}},
  label = {overwrite = {"bool"}, selector = {"string", "l"}, all = {"bool"}},
  annotate = {overwrite = {"bool"}, selector = {"string", "l"}, all = {"bool"}},
  logs = {container = {"string", "c"}, follow = {"bool", "f"}, tail = {"int", nil, -1}, since = {"string"},
    timestamps = {"bool"}, previous = {"bool", "p"}, selector = {"string", "l"}},
  exec = {container = {"string", "c"}, stdin = {"bool", "i"}, tty = {"bool", "t"}},
  run = {image = {"string"}, labels = {"string", "l"}, restart = {"string"}, env = {"list"},
    port = {"string"}, command = {"bool"}},
  scale = {replicas = {"int"}},
  explain = {},
  config = {current = {"bool"}},
  edit = {},
  ["port-forward"] = {address = {"list"}},
  cordon = {}, uncordon = {}, drain = {},
  version = {}, help = {},
}
specs.config.namespace = nil

local function spec_of(verb)
  local s = {}
  for k, v in pairs(common) do s[k] = v end
  for k, v in pairs(specs[verb] or {}) do s[k] = v end
  return s
end

local function set_flag(res, name, sp, value)
  local kind = sp[1]
  if kind == "bool" then
    if value == nil or value == "true" then res[name] = true
    elseif value == "false" then res[name] = false
    else raise('error: invalid argument "' .. value .. '" for "--' .. name:gsub("_", "-") .. '" flag: strconv.ParseBool: parsing "' .. value .. '": invalid syntax') end
  elseif kind == "int" then
    local n = tonumber(value)
    if not n or n ~= math.floor(n) then
      raise('error: invalid argument "' .. tostring(value) .. '" for "--' .. name:gsub("_", "-") .. '" flag: strconv.ParseInt: parsing "' .. tostring(value) .. '": invalid syntax')
    end
    res[name] = n
  elseif kind == "list" then
    res[name] = res[name] or {}
    for part in tostring(value):gmatch("[^,]+") do table.insert(res[name], part) end
  else
    res[name] = value
  end
end

local function by_short(spec, letter)
  for name, sp in pairs(spec) do
    if sp[2] == letter then return name, sp end
  end
end

-- parse turns argv (after the verb) into the verb's argument table:
-- positional words, flags by long name, and after "--" the list `rest`.
function kubectl.parse(verb, argv)
  local spec = spec_of(verb)
  local res = {}
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      res.rest = {}
      for j = i + 1, #argv do res.rest[#res.rest + 1] = argv[j] end
      break
    elseif a:sub(1, 2) == "--" then
      local name, value = a:sub(3):match("^([^=]+)=(.*)$")
      name = (name or a:sub(3)):gsub("-", "_")
      local sp = spec[name]
      if not sp then raise("error: unknown flag: --" .. name:gsub("_", "-") .. "\nSee 'minish " .. verb .. " --help' for usage.") end
      if value == nil and sp[1] ~= "bool" then
        i = i + 1
        value = argv[i]
        if value == nil then raise("error: flag needs an argument: --" .. name:gsub("_", "-") .. "\nSee 'minish " .. verb .. " --help' for usage.") end
      end
      set_flag(res, name, sp, value)
    elseif a:sub(1, 1) == "-" and #a > 1 then
      local j = 2
      while j <= #a do
        local letter = a:sub(j, j)
        local name, sp = by_short(spec, letter)
        if not name then raise("error: unknown shorthand flag: '" .. letter .. "' in " .. a .. "\nSee 'minish " .. verb .. " --help' for usage.") end
        if sp[1] == "bool" then
          set_flag(res, name, sp, nil)
          j = j + 1
        else
          local value = a:sub(j + 1)
          if value:sub(1, 1) == "=" then value = value:sub(2) end
          if value == "" then
            i = i + 1
            value = argv[i]
            if value == nil then raise("error: flag needs an argument: '" .. letter .. "' in -" .. letter .. "\nSee 'minish " .. verb .. " --help' for usage.") end
          end
          set_flag(res, name, sp, value)
          break
        end
      end
    else
      res[#res + 1] = a
    end
    i = i + 1
  end
  return res
end

-- normalize accepts short letters and long names in tables that Lua
-- callers pass, and fills defaults.
local function normalize(verb, args)
  local spec = spec_of(verb)
  local res = {}
  for k, v in pairs(args) do
    if type(k) == "number" or k == "rest" then
      res[k] = v
    else
      local name, sp = k, spec[k]
      if not sp then name, sp = by_short(spec, k) end
      if not sp then raise("error: unknown flag: --" .. tostring(k):gsub("_", "-")) end
      if sp[1] == "list" and type(v) ~= "table" then
        set_flag(res, name, sp, tostring(v))
      else
        res[name] = v
      end
    end
  end
  for name, sp in pairs(spec) do
    if res[name] == nil and sp[3] ~= nil then res[name] = sp[3] end
  end
  return res
end

---------------------------------------------------------------------------
-- namespaces and the config file

local CONFIG = "kubectl-context"

local function config_namespace()
  return P.context_namespace()
end

-- namespace_of is -n, else the context's namespace, else the run's.
local function namespace_of(a)
  return a.namespace or config_namespace() or namespace.current()
end

local function resource(word)
  local r = P.resource(word)
  if not r then raise('error: the server doesn\'t have a resource type "' .. word .. '"') end
  return r
end

-- enhance_list_error gives a bad selector kubectl's EnhanceListError text.
local function enhance_list_error(e, r, selector, fields)
  if e and e.reason == "BadRequest" and (selector or fields) then
    e.message = string.format('Unable to find "/v1, Resource=%s" that match label selector "%s", field selector "%s": %s',
      r.resource, selector or "", fields or "", e.message)
  end
  return e
end

-- list is printers.list with kubectl's texts for bad selectors.
local function list_of(r, ns, selector, fields)
  local h, e = P.list(r.resource, ns, selector, fields)
  return check(h, enhance_list_error(e, r, selector, fields))
end

-- table_of is printers.table (a list printed as get's table: the rows
-- come from the engine's server-side Table through the daemon) with
-- kubectl's texts for bad selectors; it returns the text and the count.
local function table_of(r, ns, selector, fields, popts)
  local text, n = P.table(r.resource, ns, selector, fields, popts)
  if text == nil then check(nil, enhance_list_error(n, r, selector, fields)) end
  return text, n
end

-- targets reads "TYPE NAME..." or "TYPE/NAME..." from the positional
-- words starting at `first`; returns a list of {r=, name=} and the next
-- index.
local function targets(a, first, stop_at_pairs)
  local list = {}
  local i = first
  local w = a[i]
  if w == nil then return list, i end
  if w:find("/", 1, true) then
    while a[i] and a[i]:find("/", 1, true) and not (stop_at_pairs and a[i]:find("=", 1, true)) do
      local t, n = a[i]:match("^([^/]+)/(.+)$")
      list[#list + 1] = {r = resource(t), name = n}
      i = i + 1
    end
    return list, i
  end
  local r = resource(w)
  i = i + 1
  list.resource = r
  while a[i] and not (stop_at_pairs and (a[i]:find("=", 1, true) or a[i]:sub(-1) == "-")) do
    list[#list + 1] = {r = r, name = a[i]}
    i = i + 1
  end
  return list, i
end

---------------------------------------------------------------------------
-- get

local function print_opts(a, r, all_ns, with_kind, single)
  return {wide = a.output == "wide", show_labels = a.show_labels, label_columns = a.label_columns,
    all_namespaces = all_ns and r.namespaced, no_headers = a.no_headers, with_kind = with_kind,
    sort_by = a.sort_by, single = single}
end

local function output_of(a)
  if a.output == "wide" then return "" end
  return a.output or ""
end

-- duration reads kubectl's durations ("5s", "1m30s", "2h", bare
-- seconds) as seconds; flag names the flag for the error.
local function duration(s, flag)
  if s == nil then return nil end
  if s:match("^%d+$") then return tonumber(s) end
  local total, rest = 0, s
  while rest ~= "" do
    local n, unit, tail = rest:match("^(%d+%.?%d*)(m?s?h?)(.*)$")
    local mult = ({h = 3600, m = 60, s = 1, ms = 0.001})[unit or ""]
    if not n or not mult then
      raise('error: invalid argument "' .. s .. '" for "--' .. flag .. '" flag: time: invalid duration "' .. s .. '"')
    end
    total, rest = total + tonumber(n) * mult, tail
  end
  return total
end

-- watch is get --watch / --watch-only: the objects, then one row (or
-- object) per change, until --request-timeout or Ctrl-C (kubectl's
-- interrupt handler exits 1 then).
local function watch(a, ns, all_ns)
  local several = "error: watch is only supported on individual resources and resource collections, but a list of resources is found"
  if a[1] == "all" or a[1]:find(",", 1, true) then raise(several) end
  local list = targets(a, 1)
  local r, name = list.resource, nil
  if #list > 0 then
    r, name = list[1].r, list[1].name
    for _, t in ipairs(list) do if t.r.resource ~= r.resource then raise(several) end end
    check(P.fetch(r.resource, r.namespaced and ns or "", name))
  end
  local opts = {namespace = (r.namespaced and not all_ns) and ns or "", selector = a.selector,
    fields = a.field_selector, name = name, watch_only = a.watch_only,
    timeout = duration(a.request_timeout, "request-timeout")}
  if opts.timeout == 0 then opts.timeout = nil end
  local popts = print_opts(a, r, all_ns, false, name ~= nil)
  return blocking(function(detach)
    opts.detach = detach
    local res, e = V.watch(r.resource, output_of(a), popts, opts)
    if not res and e.reason == "BadRequest" and (a.selector or a.field_selector) then
      e.message = string.format('Unable to find "/v1, Resource=%s" that match label selector "%s", field selector "%s": %s',
        r.resource, a.selector or "", a.field_selector or "", e.message)
    end
    return res, e
  end, 1)
end

-- get_names prints the named objects of one resource.
local function get_names(a, list, ns, state)
  local handles = {}
  local r = list[1].r
  for _, t in ipairs(list) do
    local h, e = P.fetch(t.r.resource, t.r.namespaced and ns or "", t.name)
    if h then handles[#handles + 1] = h else soft(state, e) end
  end
  if #handles > 0 then
    local single = #list == 1
    out(check(P.print(r.resource, handles, output_of(a), print_opts(a, r, false, false, single))))
  end
end

local function get_all(a, ns, all_ns, state)
  local printed = false
  for _, res in ipairs({"pods", "replicationcontrollers"}) do
    local r = resource(res)
    local h = list_of(r, all_ns and "" or ns, a.selector, a.field_selector)
    if P.count(h) > 0 then
      local text = check(P.print(r.resource, h, output_of(a), print_opts(a, r, all_ns, true, false)))
      if printed and output_of(a) == "" then out("\n") end
      out(text)
      printed = true
    end
  end
  if not printed then err(P.no_resources(ns, all_ns) .. "\n") end
end

-- kubectl.get{"pods", "name"..., l=, L=, o=, A=, n=, show_labels=,
-- field_selector=, sort_by=, no_headers=}
function kubectl.get(args)
  local a = normalize("get", args)
  local state = {}
  if a[1] == nil then
    raise("You must specify the type of resource to get. Use \"minish api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"minish explain <resource>\" for a detailed description of that resource (e.g. minish explain pods).\nSee 'minish get -h' for help and examples")
  end
  local ns, all_ns = namespace_of(a), a.all_namespaces
  if a.watch or a.watch_only then return watch(a, ns, all_ns) end
  if a[1] == "all" then
    get_all(a, ns, all_ns, state)
    return finish(state)
  end
  if a[1]:find(",", 1, true) and not a[2] then
    local first = true
    for word in a[1]:gmatch("[^,]+") do
      local r = resource(word)
      local h = list_of(r, (r.namespaced and not all_ns) and ns or "", a.selector, a.field_selector)
      if P.count(h) > 0 then
        if not first and output_of(a) == "" then out("\n") end
        out(check(P.print(r.resource, h, output_of(a), print_opts(a, r, all_ns, true, false))))
        first = false
      end
    end
    if first then err(P.no_resources(ns, all_ns) .. "\n") end
    return finish(state)
  end
  local list = targets(a, 1)
  if #list > 0 then
    get_names(a, list, ns, state)
    return finish(state)
  end
  local r = list.resource
  local list_ns = (r.namespaced and not all_ns) and ns or ""
  if output_of(a) == "" and not a.sort_by then
    local text, n = table_of(r, list_ns, a.selector, a.field_selector, print_opts(a, r, all_ns, false, false))
    if n == 0 then
      err(P.no_resources(ns, all_ns or not r.namespaced) .. "\n")
    else
      out(text)
    end
    return finish(state)
  end
  local h = list_of(r, list_ns, a.selector, a.field_selector)
  if P.count(h) == 0 then
    if output_of(a) == "json" or output_of(a) == "yaml" then
      out(check(P.print(r.resource, h, output_of(a), print_opts(a, r, all_ns, false, false))))
    else
      err(P.no_resources(ns, all_ns or not r.namespaced) .. "\n")
    end
    return finish(state)
  end
  out(check(P.print(r.resource, h, output_of(a), print_opts(a, r, all_ns, false, false))))
  return finish(state)
end

---------------------------------------------------------------------------
-- describe

-- kubectl.describe{"pod", "name"..., l=, n=}
function kubectl.describe(args)
  local a = normalize("describe", args)
  local state = {}
  if a[1] == nil then raise("error: You must specify the type of resource to describe. Use \"minish api-resources\" for a complete list of supported resources.") end
  local ns = namespace_of(a)
  local list = targets(a, 1)
  local handles = {}
  if #list > 0 then
    for _, t in ipairs(list) do
      local h, e = P.fetch(t.r.resource, t.r.namespaced and ns or "", t.name)
      if h then handles[#handles + 1] = h else soft(state, e) end
    end
  else
    local r = list.resource
    local h = list_of(r, (r.namespaced and not a.all_namespaces) and ns or "", a.selector)
    if P.count(h) == 0 then
      err(P.no_resources(ns, a.all_namespaces or not r.namespaced) .. "\n")
      return finish(state)
    end
    handles[1] = h
  end
  if #handles > 0 then out(check(P.describe(handles))) end
  return finish(state)
end

---------------------------------------------------------------------------
-- create and apply

local function read_sources(files)
  local sources = {}
  for _, f in ipairs(files) do
    for _, s in ipairs(check(P.read(f))) do sources[#sources + 1] = s end
  end
  return sources
end

local function apply_files(verb, a)
  if not a.filename or #a.filename == 0 then
    raise("error: must specify one of -f and -k")
  end
  local state = {}
  local ns = namespace_of(a)
  for _, src in ipairs(read_sources(a.filename)) do
    local results, e = P.apply(src.data, src.name, ns, verb == "apply")
    local what = (verb == "apply" and "error when applying" or "error when creating") .. ' "' .. src.name .. '": '
    if not results then
      local kind, version = e.message:match('^no matches for kind "(.-)" in version "(.-)"')
      if e.reason ~= "" then
        soft(state, e, what)
      elseif e.message:match("^Object '") then
        soft(state, {message = 'unable to decode "' .. src.name .. '": ' .. e.message})
      elseif kind then
        soft(state, {message = 'resource mapping not found for name: "" namespace: "" from "' .. src.name .. '": ' .. e.message .. "\nensure CRDs are installed first"})
      else
        soft(state, e)
      end
    else
      for _, res in ipairs(results) do
        if res.err then
          soft(state, res.err, what)
        else
          out(res.kind:lower() .. "/" .. res.name .. " " .. res.op .. "\n")
        end
      end
    end
  end
  return finish(state)
end

-- kubectl.create{f={"kubia-manual.yaml"}} or kubectl.create{"namespace", "name"}
function kubectl.create(args)
  local a = normalize("create", args)
  if a[1] == "namespace" or a[1] == "ns" then
    if not a[2] then raise("error: exactly one NAME is required, got 0\nSee 'minish create namespace -h' for help and examples") end
    local ok, e = pcall(namespace.create, a[2])
    if not ok then check(nil, e) end
    out("namespace/" .. a[2] .. " created\n")
    return true
  end
  if a[1] ~= nil then raise('error: unknown command "' .. a[1] .. '" for "minish create"') end
  return apply_files("create", a)
end

-- kubectl.apply{f={"file.yaml"}}
function kubectl.apply(args)
  return apply_files("apply", normalize("apply", args))
end

---------------------------------------------------------------------------
-- delete

local function delete_one(a, r, ns, name, state)
  local opts = {wait = a.wait}
  local grace = a.grace_period
  if grace == 0 and not a.force then grace = 1 end
  if a.force and (grace == nil or grace < 0) then grace = 0 end
  if grace ~= nil and grace >= 0 then opts.grace = grace end
  local objns = r.namespaced and ns or ""
  local ok, e = P.delete(r.resource, objns, name, opts)
  if not ok then
    if a.ignore_not_found and e.reason == "NotFound" then return end
    soft(state, e)
    return
  end
  local verb = (a.force and grace == 0) and "force deleted" or "deleted"
  local line = r.singular .. ' "' .. name .. '" ' .. verb
  if r.namespaced then line = line .. " from " .. ns .. " namespace" end
  out(line .. "\n")
end

local function delete_listed(a, r, ns, state)
  local h = list_of(r, r.namespaced and ns or "", a.selector)
  local names = P.names(h)
  for _, n in ipairs(names) do delete_one(a, r, n.namespace ~= "" and n.namespace or ns, n.name, state) end
  return #names
end

-- kubectl.delete{"pod", "name"...} / {"pods", l=} / {"pods", all=true} /
-- {"all", all=true} / {f={...}}, with grace_period=, force=, wait=
function kubectl.delete(args)
  local a = normalize("delete", args)
  local state = {}
  local ns = namespace_of(a)
  if a.force and a.grace_period == 0 or (a.force and a.grace_period == nil) then
    err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n")
  end
  if a.filename then
    for _, src in ipairs(read_sources(a.filename)) do
      local objs = manifest.load(src.data)
      for _, o in ipairs(objs) do
        local r = resource(o.kind)
        delete_one(a, r, o.metadata.namespace or ns, o.metadata.name, state)
      end
    end
    return finish(state)
  end
  if a[1] == nil then
    raise("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
  end
  if a[1] == "all" then
    if not (a.all or a.selector) then raise("error: resource(s) were provided, but no name was specified") end
    local n = 0
    for _, res in ipairs({"pods", "replicationcontrollers"}) do n = n + delete_listed(a, resource(res), ns, state) end
    if n == 0 then out("No resources found\n") end
    return finish(state)
  end
  local list = targets(a, 1)
  if #list == 0 then
    if not (a.all or a.selector) then raise("error: resource(s) were provided, but no name was specified") end
    if delete_listed(a, list.resource, ns, state) == 0 then out("No resources found\n") end
    return finish(state)
  end
  if a.all or a.selector then raise("error: name cannot be provided when a selector is specified") end
  for _, t in ipairs(list) do delete_one(a, t.r, ns, t.name, state) end
  return finish(state)
end

---------------------------------------------------------------------------
-- label and annotate

local function meta_verb(verb, args)
  local a = normalize(verb, args)
  local state = {}
  local ns = namespace_of(a)
  local list, i = targets(a, 1, true)
  local set, remove, nset = {}, {}, 0
  while a[i] do
    local w = a[i]
    local k, v = w:match("^([^=]+)=(.*)$")
    if k then set[k] = v; nset = nset + 1
    elseif w:sub(-1) == "-" then remove[#remove + 1] = w:sub(1, -2)
    else raise("error: at least one " .. (verb == "label" and "label" or "annotation") .. " update is required") end
    i = i + 1
  end
  if nset == 0 and #remove == 0 then
    raise("error: at least one " .. (verb == "label" and "label" or "annotation") .. " update is required")
  end
  local objs = {}
  if #list > 0 then
    for _, t in ipairs(list) do objs[#objs + 1] = {r = t.r, ns = ns, name = t.name} end
  elseif list.resource and (a.all or a.selector) then
    local r = list.resource
    for _, n in ipairs(P.names(list_of(r, r.namespaced and ns or "", a.selector))) do
      objs[#objs + 1] = {r = r, ns = n.namespace, name = n.name}
    end
  else
    raise("error: resource(s) were provided, but no name was specified")
  end
  for _, o in ipairs(objs) do
    local changed, missing = P.meta(verb, o.r.resource, o.r.namespaced and o.ns or "", o.name, set, remove, a.overwrite)
    if changed == nil then
      local e = missing
      if e.reason == "BadRequest" and e.message:find("--overwrite is false", 1, true) then
        soft(state, {message = e.message})
      else
        soft(state, e)
      end
    else
      for _, k in ipairs(missing) do out(verb == "label" and ('label "' .. k .. '" not found.\n') or "") end
      local msg
      if verb == "annotate" then msg = "annotated"
      elseif not changed then msg = "not labeled"
      elseif #remove > 0 and nset > 0 then msg = "modified"
      elseif #remove > 0 then msg = "unlabeled"
      else msg = "labeled" end
      out(o.r.singular .. "/" .. o.name .. " " .. msg .. "\n")
    end
  end
  return finish(state)
end

-- kubectl.label{"pod", "name", "k=v", "k2-", overwrite=, l=, all=}
function kubectl.label(args) return meta_verb("label", args) end

-- kubectl.annotate{"pod", "name", "k=v", "k2-", overwrite=, l=, all=}
function kubectl.annotate(args) return meta_verb("annotate", args) end

---------------------------------------------------------------------------
-- logs, exec, run, scale, explain

local function pod_or_fail(ns, name, lower)
  local p, msg = pod.get(name, {namespace = ns})
  if not p then
    if lower then raise('error: error from server (NotFound): pods "' .. name .. '" not found in namespace "' .. ns .. '"') end
    raise('Error from server (NotFound): pods "' .. name .. '" not found')
  end
  return p
end

local function container_names(p)
  local names = {}
  for _, c in ipairs(p.spec.containers or {}) do names[#names + 1] = c.name end
  return names
end

-- pick_container is kubectl's defaulting: the annotated default, else the
-- first, saying so when there are several.
local function pick_container(p, wanted)
  local names = container_names(p)
  if wanted then
    for _, n in ipairs(names) do if n == wanted then return wanted end end
    raise("error: container " .. wanted .. " is not valid for pod " .. p.metadata.name .. " out of: " .. table.concat(names, ", "))
  end
  local ann = p.metadata.annotations or {}
  local def = ann["kubectl.kubernetes.io/default-container"] or names[1]
  if #names > 1 then
    err('Defaulted container "' .. def .. '" out of: ' .. table.concat(names, ", ") .. "\n")
  end
  return def
end

local function seconds(s)
  if s == nil then return nil end
  local total, any = 0, false
  for n, unit in s:gmatch("(%d+)([hms])") do
    any = true
    total = total + tonumber(n) * ({h = 3600, m = 60, s = 1})[unit]
  end
  if not any then raise('error: invalid argument "' .. s .. '" for "--since" flag: time: invalid duration "' .. s .. '"') end
  return total
end

-- kubectl.logs{"pod", c=, f=, tail=, since="1h", timestamps=, previous=, l=}
function kubectl.logs(args)
  local a = normalize("logs", args)
  local ns = namespace_of(a)
  local opts = {follow = a.follow, tail = a.tail, since = seconds(a.since), timestamps = a.timestamps, previous = a.previous}
  local pods = {}
  if a.selector then
    for _, n in ipairs(P.names(list_of(resource("pods"), ns, a.selector))) do pods[#pods + 1] = pod.get(n.name, {namespace = ns}) end
    if #pods == 0 then err(P.no_resources(ns, false) .. "\n") return true end
    if a.tail == -1 then opts.tail = 10 end
  else
    if a[1] == nil then raise("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'minish logs -h' for help and examples") end
    local name = a[1]:match("^pods?/(.+)$") or a[1]:match("^po/(.+)$") or a[1]
    pods[1] = pod_or_fail(ns, name, true)
  end
  for _, p in ipairs(pods) do
    opts.container = pick_container(p, a.container or a[2])
    check(P.logs(ns, p.metadata.name, opts))
  end
  return true
end

-- kubectl.exec{"pod", rest={"cmd", ...}, c=, i=, t=}; returns the
-- command's exit code (kubectl exits with it).
function kubectl.exec(args)
  local a = normalize("exec", args)
  local ns = namespace_of(a)
  if a[1] == nil then raise("error: pod, type/name or --filename must be specified") end
  local argv = a.rest or {}
  if #argv == 0 then
    for i = 2, #a do argv[#argv + 1] = a[i] end
  end
  if #argv == 0 then raise("error: you must specify at least one command for the container") end
  local name = a[1]:match("^pods?/(.+)$") or a[1]:match("^po/(.+)$") or a[1]
  local p = pod_or_fail(ns, name, false)
  if p.status.phase == "Succeeded" or p.status.phase == "Failed" then
    raise("error: cannot exec into a container in a completed pod; current phase is " .. tostring(p.status.phase))
  end
  local c = pick_container(p, a.container)
  local code = check(P.exec(ns, name, argv, {container = c, stdin = a.stdin, tty = a.tty}))
  if code ~= 0 then
    err("command terminated with exit code " .. code .. "\n")
    error(setmetatable({text = "", message = "command terminated with exit code " .. code, code = code}, Failure), 0)
  end
  return 0
end

-- kubectl.run{"name", image=, labels="a=b", restart="Never", env={"K=V"},
-- port=, rest={args...}, command=}
function kubectl.run(args)
  local a = normalize("run", args)
  local ns = namespace_of(a)
  if a[1] == nil then raise("error: NAME is required for run\nSee 'minish run -h' for help and examples") end
  if not a.image then raise("error: required flag(s) \"image\" not set") end
  local spec = {name = a[1], image = a.image, namespace = ns}
  spec.labels = {}
  if a.labels then
    for k, v in a.labels:gmatch("([^=,]+)=([^,]*)") do spec.labels[k] = v end
  else
    spec.labels.run = a[1]
  end
  if a.restart then
    if a.restart ~= "Always" and a.restart ~= "OnFailure" and a.restart ~= "Never" then
      raise("error: invalid restart policy: " .. a.restart)
    end
    spec.restartPolicy = a.restart
  end
  if a.env then
    spec.env = {}
    for _, kv in ipairs(a.env) do
      local k, v = kv:match("^([^=]+)=(.*)$")
      spec.env[#spec.env + 1] = {name = k, value = v}
    end
  end
  if a.port then spec.ports = {{containerPort = tonumber(a.port)}} end
  if a.rest and #a.rest > 0 then
    if a.command then spec.command = a.rest else spec.args = a.rest end
  end
  local ok, e = pcall(pod.create, spec)
  if not ok then check(nil, e) end
  out("pod/" .. a[1] .. " created\n")
  return true
end

-- kubectl.scale{"rc", "name", replicas=3}
function kubectl.scale(args)
  local a = normalize("scale", args)
  local ns = namespace_of(a)
  if a.replicas == nil then raise("error: required flag(s) \"replicas\" not set") end
  local list = targets(a, 1)
  if #list == 0 then raise("error: resource(s) were provided, but no name was specified") end
  local state = {}
  for _, t in ipairs(list) do
    if t.r.resource ~= "replicationcontrollers" then
      raise("error: no objects passed to scale " .. t.r.resource .. ' "' .. t.name .. '" (only replicationcontrollers scale in Min)')
    end
    local ok, e = P.scale(ns, t.name, a.replicas)
    if ok then out("replicationcontroller/" .. t.name .. " scaled\n") else soft(state, e) end
  end
  return finish(state)
end

-- kubectl.explain{"pods.spec.containers"}
function kubectl.explain(args)
  local a = normalize("explain", args)
  if a[1] == nil then raise("error: You must specify the type of resource to explain. Use \"minish api-resources\" for a complete list of supported resources.") end
  local text, e = P.explain(a[1])
  if not text then raise("error: " .. e.message) end
  out(text)
  return true
end

-- kubectl.edit{"pod", "name"} / {"pod/name"}: opens the object in
-- $KUBE_EDITOR or $EDITOR (vi) as YAML and updates it with what was saved.
function kubectl.edit(args)
  local a = normalize("edit", args)
  if a[1] == nil then
    raise("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
  end
  local list = targets(a, 1)
  if #list == 0 then raise("error: minish edit needs the object's name: minish edit " .. a[1] .. " NAME") end
  if #list > 1 then raise("error: minish edit edits one object at a time") end
  local t = list[1]
  local ok, e = V.edit(t.r.resource, t.r.namespaced and namespace_of(a) or "", t.name)
  if ok then return true end
  if e == false then error(setmetatable({text = "", message = "edit failed", code = 1}, Failure), 0) end
  return check(nil, e)
end

-- kubectl.port_forward{"pod/name", "8888:8080", ":9090", address=}:
-- forwards local ports (on localhost, or the --address IPs) to the pod
-- until Ctrl-C (then returns true, as kubectl exits 0).
function kubectl.port_forward(args)
  local a = normalize("port-forward", args)
  if a[1] == nil or a[2] == nil then
    raise("error: TYPE/NAME and list of ports are required for port-forward\nSee 'minish port-forward -h' for help and examples")
  end
  local kind, name = a[1]:match("^([^/]+)/(.+)$")
  if kind then
    local r = resource(kind)
    if r.resource ~= "pods" then raise("error: cannot attach to *v1." .. r.kind .. ": selector for " .. r.kind .. " not implemented") end
  else
    name = a[1]
  end
  local ports = {}
  for i = 2, #a do ports[#ports + 1] = a[i] end
  local ns = namespace_of(a)
  return blocking(function(detach)
    return V.port_forward(ns, name, ports, {addresses = a.address, detach = detach})
  end, 0)
end

---------------------------------------------------------------------------
-- nodes

local function node_op(verb, fn, done)
  return function(args)
    local a = normalize(verb, args)
    if a[1] == nil then raise("error: USAGE: " .. verb .. " NODE [flags]\nSee 'minish " .. verb .. " -h' for help and examples") end
    local name = a[1]:match("^nodes?/(.+)$") or a[1]
    local ok, e = pcall(fn, name)
    if not ok then check(nil, e) end
    out("node/" .. name .. " " .. done .. "\n")
    return true
  end
end

kubectl.cordon = node_op("cordon", function(n) return node.cordon(n) end, "cordoned")
kubectl.uncordon = node_op("uncordon", function(n) return node.uncordon(n) end, "uncordoned")
kubectl.drain = node_op("drain", function(n) return node.drain(n) end, "drained")

---------------------------------------------------------------------------
-- config

-- columns aligns rows as kubectl's tabwriter (min width 6, padding 3, the
-- last cell unpadded).
local function columns(rows)
  local widths = {}
  for _, row in ipairs(rows) do
    for i = 1, #row - 1 do widths[i] = math.max(widths[i] or 6, #row[i] + 3) end
  end
  local lines = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for i = 1, #row - 1 do cells[i] = row[i] .. string.rep(" ", widths[i] - #row[i]) end
    cells[#row] = row[#row]
    lines[#lines + 1] = table.concat(cells) .. "\n"
  end
  return table.concat(lines)
end

local CONTEXT = "min"

local config_verbs = {}

function config_verbs.current_context() out(CONTEXT .. "\n") end

function config_verbs.get_contexts()
  out(columns({{"CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"},
    {"*", CONTEXT, CONTEXT, CONTEXT, config_namespace() or ""}}))
end

function config_verbs.set_context(a)
  if not a.current and a[2] ~= CONTEXT then
    if a[2] == nil then raise("error: you must specify a non-empty context name or --current") end
    raise('error: cannot change context "' .. a[2] .. '": minish has the one context "' .. CONTEXT .. '"')
  end
  if a.namespace then check(P.write_state(CONFIG, "namespace=" .. a.namespace .. "\n")) end
  out('Context "' .. CONTEXT .. '" modified.\n')
end

function config_verbs.view()
  local ns = config_namespace()
  out(table.concat({
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    "    server: unix://" .. P.home() .. "/min.sock",
    "  name: " .. CONTEXT,
    "contexts:",
    "- context:",
    "    cluster: " .. CONTEXT,
    ns and ("    namespace: " .. ns) or nil,
    "    user: " .. CONTEXT,
    "  name: " .. CONTEXT,
    "current-context: " .. CONTEXT,
    "kind: Config",
    "preferences: {}",
    "users:",
    "- name: " .. CONTEXT,
    "  user: {}",
  }, "\n"):gsub("\n\n", "\n") .. "\n")
end

-- kubectl.config{"current-context"} / {"get-contexts"} /
-- {"set-context", current=true, namespace="ns"} / {"view"}
function kubectl.config(args)
  local a = normalize("config", args)
  local sub = a[1] and a[1]:gsub("-", "_")
  local fn = sub and config_verbs[sub]
  if not fn then
    raise('error: unknown command "' .. tostring(a[1]) .. '" for "minish config"\nAvailable: current-context, get-contexts, set-context, view')
  end
  fn(a)
  return true
end

---------------------------------------------------------------------------
-- help

local verb_help = {
  {"Basic Commands (Beginner):", {
    {"create", "Create a resource from a file or from stdin"},
    {"run", "Run a particular image on the cluster"},
  }},
  {"Basic Commands (Intermediate):", {
    {"explain", "Get documentation for a resource"},
    {"get", "Display one or many resources"},
    {"edit", "Edit a resource on the server"},
    {"delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector"},
  }},
  {"Deploy Commands:", {
    {"scale", "Set a new size for a replication controller"},
  }},
  {"Cluster Management Commands:", {
    {"cordon", "Mark node as unschedulable"},
    {"uncordon", "Mark node as schedulable"},
    {"drain", "Drain node in preparation for maintenance"},
  }},
  {"Troubleshooting and Debugging Commands:", {
    {"describe", "Show details of a specific resource or group of resources"},
    {"logs", "Print the logs for a container in a pod"},
    {"exec", "Execute a command in a container"},
    {"port-forward", "Forward one or more local ports to a pod"},
  }},
  {"Advanced Commands:", {
    {"apply", "Apply a configuration to a resource by file name or stdin"},
  }},
  {"Settings Commands:", {
    {"label", "Update the labels on a resource"},
    {"annotate", "Update the annotations on a resource"},
  }},
  {"Other Commands:", {
    {"config", "Modify kubeconfig files"},
    {"help", "Help about any command"},
    {"version", "Print the client and server version information"},
  }},
}

local function summary_of(verb)
  for _, group in ipairs(verb_help) do
    for _, v in ipairs(group[2]) do if v[1] == verb then return v[2] end end
  end
end

local usages = {
  get = "minish get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
  edit = "minish edit (RESOURCE/NAME | -f FILENAME)",
  ["port-forward"] = "minish port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
  describe = "minish describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
  create = "minish create -f FILENAME\n  minish create namespace NAME",
  apply = "minish apply (-f FILENAME | -k DIRECTORY)",
  delete = "minish delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])",
  label = "minish label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
  annotate = "minish annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N",
  logs = "minish logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]",
  exec = "minish exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
  run = "minish run NAME --image=image [--env=\"key=value\"] [--port=port] [--labels=\"k=v\"] [--restart=Never] -- [COMMAND] [args...]",
  scale = "minish scale --replicas=COUNT rc NAME",
  explain = "minish explain TYPE[.FIELD...]",
  config = "minish config current-context | get-contexts | set-context --current --namespace=NS | view",
  cordon = "minish cordon NODE", uncordon = "minish uncordon NODE", drain = "minish drain NODE",
  version = "minish version", help = "minish help [command]",
}

local function verb_usage(verb)
  local lines = {(summary_of(verb) or verb) .. ".", "", "Options:"}
  local spec = spec_of(verb)
  local names = {}
  for name in pairs(spec) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local sp = spec[name]
    local flag = "--" .. name:gsub("_", "-")
    if sp[2] then flag = "-" .. sp[2] .. ", " .. flag else flag = "    " .. flag end
    if sp[1] ~= "bool" then flag = flag .. "=" .. (sp[1] == "int" and "0" or "''") end
    lines[#lines + 1] = "    " .. flag
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Usage:"
  lines[#lines + 1] = "  " .. (usages[verb] or ("minish " .. verb))
  return table.concat(lines, "\n") .. "\n"
end

-- kubectl.help{} lists the verbs; kubectl.help{"get"} shows one.
function kubectl.help(args)
  local a = normalize("help", args or {})
  if a[1] and specs[a[1]] then out(verb_usage(a[1])) return true end
  local lines = {"minish controls Min, a personal Kubernetes, with kubectl's verbs.", ""}
  for _, group in ipairs(verb_help) do
    lines[#lines + 1] = group[1]
    for _, v in ipairs(group[2]) do
      lines[#lines + 1] = "  " .. v[1] .. string.rep(" ", 16 - #v[1]) .. v[2]
    end
    lines[#lines + 1] = ""
  end
  lines[#lines + 1] = "Usage:"
  lines[#lines + 1] = "  minish [flags] [options]"
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Use \"minish <command> --help\" for more information about a given command."
  out(table.concat(lines, "\n") .. "\n")
  return true
end

-- kubectl.version{}
function kubectl.version()
  out("Client Version: v1.36.3-min\nServer Version: v1.36.3-min\n")
  return true
end

---------------------------------------------------------------------------
-- command line

local verbs = {
  get = kubectl.get, describe = kubectl.describe, create = kubectl.create, apply = kubectl.apply,
  delete = kubectl.delete, label = kubectl.label, annotate = kubectl.annotate, logs = kubectl.logs,
  exec = kubectl.exec, run = kubectl.run, scale = kubectl.scale, explain = kubectl.explain,
  edit = kubectl.edit, ["port-forward"] = kubectl.port_forward,
  config = kubectl.config, cordon = kubectl.cordon, uncordon = kubectl.uncordon, drain = kubectl.drain,
  help = kubectl.help, version = kubectl.version,
}

-- kubectl.verbs lists the verb names main understands (sorted).
function kubectl.verbs()
  local names = {}
  for k in pairs(verbs) do names[#names + 1] = k end
  table.sort(names)
  return names
end

-- kubectl.main(argv) runs argv[1] as a verb with kubectl's flags and
-- returns the exit code (0, 1 for errors, an exec'd command's code).
function kubectl.main(argv)
  local verb = argv[1]
  if verb == nil or verb == "--help" or verb == "-h" then verb = "help" end
  local fn = verbs[verb]
  if not fn then
    err('error: unknown command "' .. verb .. '" for "minish"\n')
    return 1
  end
  local rest = {}
  for i = 2, #argv do rest[#rest + 1] = argv[i] end
  cli, tail = true, nil
  local ok, res = pcall(function()
    local a = kubectl.parse(verb, rest)
    if a.help then return kubectl.help{verb} end
    return fn(a)
  end)
  cli = false
  if ok and tail then
    -- Outside the pcall: only here may Ctrl-C end the verb (see blocking).
    local t = tail
    tail = nil
    local r, e = t.fn(true)
    if r == "interrupted" then return t.code end
    if r then return 0 end
    err(server_text(e) .. "\n")
    return 1
  end
  if ok then return 0 end
  if type(res) == "table" and getmetatable(res) == Failure then
    if res.text ~= "" and not res.printed then err(res.text .. "\n") end
    return res.code
  end
  if type(res) == "table" and res.message then
    err("error: " .. tostring(res.message) .. "\n")
  else
    err("error: " .. tostring(res) .. "\n")
  end
  return 1
end

return kubectl
