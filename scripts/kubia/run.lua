#!/usr/bin/env minish
-- Runs the book's kubia-manual pod (Kubernetes in Action, chapter 3) and
-- talks to it, as the book does:
--   kubectl create -f kubia-manual.yaml
--   kubectl logs kubia-manual
--   kubectl port-forward kubia-manual 8888:8080
--   curl localhost:8888
--   kubectl delete po kubia-manual
-- The image luksa/kubia is built first when this machine lacks it
-- (image.lua). Run it as root: minish run.lua

local function has_image(name)
  for _, im in ipairs(image.list()) do
    if im.name == name then return true end
  end
  return false
end
if not has_image("luksa/kubia:latest") then
  require("image")
end

-- kubectl create -f kubia-manual.yaml
local p = manifest.create("kubia-manual.yaml")[1]
print(string.format("pod/%s created", p.metadata.name))
p = pod.wait("kubia-manual", {phase = "Running", timeout = 60})
print(tostring(p), p.status.podIP)

-- kubectl logs kubia-manual: the server says it started
local logs = ""
for _ = 1, 50 do
  logs = p:logs()
  if logs:find("Kubia server starting...", 1, true) then break end
  sleep(0.1)
end
print("logs: " .. logs:gsub("\n$", ""))

-- kubectl port-forward kubia-manual 8888:8080, then curl localhost:8888
local pf = p:port_forward("8888:8080")
print(string.format("Forwarding from 127.0.0.1:%d -> %d", pf.local_port, pf.remote_port))
local page, code = http.get(string.format("http://127.0.0.1:%d/", pf.local_port), {timeout = 10})
assert(code == 200, "the kubia server answered " .. tostring(code))
print((page:gsub("\n$", "")))
pf:close()

-- kubectl delete po kubia-manual
p:delete()
print('pod "kubia-manual" deleted')
return page
