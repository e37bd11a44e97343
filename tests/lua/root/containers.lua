-- Real containers (root): logs, exec and port-forward through the DSL.
local p = pod.create{name = "hello", image = "busybox", restartPolicy = "Never",
  command = {"sh", "-c", "echo hello from min; echo second line; exec httpd -f -p 8080 -h /etc"}}
p:wait{phase = "Running", timeout = 60}
assert.eq(p.status.phase, "Running")

-- the log appears shortly after the start
local text = ""
for _ = 1, 100 do
  text = log.read(p)
  if text:find("second line") then break end
  sleep(0.1)
end
assert.contains(text, "hello from min\nsecond line\n")
assert.eq(p:logs{tail = 1}, "second line\n")

local lines = {}
for line in log.lines("hello") do lines[#lines + 1] = line end
assert.eq(lines, {"hello from min", "second line"})

-- follow stops when the function returns false
local got = {}
log.follow(p, {}, function(line)
  got[#got + 1] = line
  return #got < 2
end)
assert.eq(got, {"hello from min", "second line"})

-- exec returns stdout, stderr and the exit code
local out, err, code = p:exec({"sh", "-c", "echo out; echo err >&2; exit 3"})
assert.eq(out, "out\n")
assert.eq(err, "err\n")
assert.eq(code, 3)
local cat = pod.exec("hello", {"cat"}, {stdin = "piped\n"})
assert.eq(cat, "piped\n")

-- port-forward: the Go side fetches from pf.local_port
pf = p:port_forward("0:8080")
assert.is_true(pf.local_port > 0)
