package containers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
)

// TestSandbox checks, from inside one container, what it sees of the
// machine: its processes, hostname, network, capabilities, files.
func TestSandbox(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "sandbox", Name: "web", Containers: []ContainerSpec{sleeper("c")}})

	secret := filepath.Join(t.TempDir(), "host-secret")
	if err := os.WriteFile(secret, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		argv []string
		code int
		want string // a regexp stdout must match
	}{
		{name: "ps sees only the pod and the command is PID 1", argv: []string{"ps", "-o", "pid,args"},
			want: `(?s)^\s*PID\s+COMMAND\n\s+1 sleep 1000\n\s+\d+ ps -o pid,args\n$`},
		{name: "hostname is the pod name", argv: []string{"hostname"}, want: `^web\n$`},
		{name: "etc hostname", argv: []string{"cat", "/etc/hostname"}, want: `^web\n$`},
		{name: "etc hosts", argv: []string{"cat", "/etc/hosts"}, want: `(?m)^127\.0\.0\.1\tlocalhost$`},
		{name: "only loopback", argv: []string{"sh", "-c", "ip -o link | cut -d: -f2"}, want: `^ lo\n$`},
		{name: "loopback is up", argv: []string{"ip", "addr", "show", "lo"}, want: `inet 127\.0\.0\.1/8`},
		{name: "capabilities are Docker's defaults", argv: []string{"grep", "-E", "^Cap(Eff|Bnd|Inh|Amb)", "/proc/1/status"},
			want: `CapInh:\s+0+\nCapEff:\s+0*a80425fb\nCapBnd:\s+0*a80425fb\nCapAmb:\s+0+\n`},
		{name: "no new privileges", argv: []string{"grep", "NoNewPrivs", "/proc/1/status"}, want: `NoNewPrivs:\s+1`},
		{name: "host files are unreachable", argv: []string{"cat", secret}, code: 1},
		{name: "proc/sys is read-only", argv: []string{"sh", "-c", "echo 1 > /proc/sys/kernel/panic"}, code: 1},
		{name: "keys are masked", argv: []string{"sh", "-c", "wc -c < /proc/keys"}, want: `^0\n$`},
		{name: "timer_list is masked", argv: []string{"sh", "-c", "wc -c < /proc/timer_list"}, want: `^0\n$`},
		{name: "sys is read-only", argv: []string{"touch", "/sys/x"}, code: 1},
		{name: "minimal dev", argv: []string{"ls", "/dev"}, want: `(?s)full.*null.*ptmx.*pts.*random.*shm.*tty.*urandom.*zero`},
		{name: "no inherited descriptors", argv: []string{"ls", "/proc/self/fd"}, want: `^0\n1\n2\n3\n$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := execIn(t, r, "sandbox", "c", tc.argv...)
			if code != tc.code {
				t.Fatalf("%v: exit %d, want %d; stdout %q stderr %q", tc.argv, code, tc.code, out, errs)
			}
			if tc.want != "" && !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("%v: stdout %q does not match %q", tc.argv, out, tc.want)
			}
		})
	}
}

func TestExecOutputAndExitCode(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "exec", Name: "exec", Containers: []ContainerSpec{sleeper("c")}})
	out, errs, code := execIn(t, r, "exec", "c", "sh", "-c", "echo out; echo err >&2; exit 3")
	if out != "out\n" || errs != "err\n" || code != 3 {
		t.Errorf("exec = %q, %q, %d; want out, err, 3", out, errs, code)
	}
	var buf strings.Builder
	_, err := r.Exec(context.Background(), "exec", "nope", []string{"true"}, nil, &buf, &buf, false)
	if err == nil {
		t.Error("exec in a missing container succeeded")
	}
	code, err = r.Exec(context.Background(), "exec", "c", []string{"cat"}, strings.NewReader("fed\n"), &buf, &buf, false)
	if err != nil || code != 0 || buf.String() != "fed\n" {
		t.Errorf("exec with stdin = %q, %d, %v", buf.String(), code, err)
	}
	var tty strings.Builder
	code, err = r.Exec(context.Background(), "exec", "c", []string{"sh", "-c", "test -t 0 && tty"}, nil, &tty, nil, true)
	if err != nil || code != 0 || !strings.Contains(tty.String(), "/dev/pts/") {
		t.Errorf("exec with tty = %q, %d, %v", tty.String(), code, err)
	}
	var size strings.Builder
	code, err = r.ExecWith(context.Background(), "exec", "c", []string{"stty", "size"},
		ExecIO{Stdout: &size, TTY: true, Size: TermSize{Rows: 33, Cols: 101}})
	if err != nil || code != 0 || strings.TrimSpace(size.String()) != "33 101" {
		t.Errorf("stty size in a 33x101 terminal = %q, %d, %v", size.String(), code, err)
	}
}

func TestRootfsWritesStayInTheContainer(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "rootfs", Name: "rootfs", Containers: []ContainerSpec{sleeper("a"), sleeper("b")}})
	if _, errs, code := execIn(t, r, "rootfs", "a", "sh", "-c", "echo new > /bin/new && echo changed > /etc/passwd"); code != 0 {
		t.Fatalf("write: %s", errs)
	}
	if out, _, _ := execIn(t, r, "rootfs", "a", "cat", "/bin/new"); out != "new\n" {
		t.Errorf("container a reads %q back", out)
	}
	if _, err := os.Stat(filepath.Join(busyboxRoot, "bin/new")); err == nil {
		t.Error("a write in the container reached the image layer")
	}
	if b, _ := os.ReadFile(filepath.Join(busyboxRoot, "etc/passwd")); strings.Contains(string(b), "changed") {
		t.Error("an overwrite in the container reached the image layer")
	}
	if _, _, code := execIn(t, r, "rootfs", "b", "cat", "/bin/new"); code == 0 {
		t.Error("container b sees container a's write")
	}
}

func TestContainersTalkOverLocalhost(t *testing.T) {
	r := newRuntime(t, Options{})
	server := ContainerSpec{Name: "server", Image: "busybox",
		Command: []string{"sh", "-c", "while true; do echo hello from server | nc -l -p 8080; done"}}
	runPod(t, r, PodSpec{UID: "talk", Name: "talk", Containers: []ContainerSpec{server, sleeper("client")}})
	var out string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); { // the server may not listen yet
		out, _, _ = execIn(t, r, "talk", "client", "nc", "127.0.0.1", "8080")
		if out != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out != "hello from server\n" {
		t.Errorf("client read %q", out)
	}
}

func TestShareProcessNamespace(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "shared", Name: "shared", ShareProcessNamespace: true,
		Containers: []ContainerSpec{sleeper("a"), {Name: "b", Image: "busybox", Command: []string{"sleep", "999"}}}})
	out, _, _ := execIn(t, r, "shared", "a", "ps", "-o", "pid,args")
	if !strings.Contains(out, "sleep 1000") || !strings.Contains(out, "sleep 999") {
		t.Errorf("ps in a shared pid namespace:\n%s", out)
	}
	if !regexp.MustCompile(`\n\s+1 .*min-pause\n`).MatchString(out) {
		t.Errorf("PID 1 is not the pod's pause process:\n%s", out)
	}
}

// waitFor polls the pod's status until cond holds.
func waitFor(t *testing.T, r *Runtime, uid string, what string, cond func(PodState) bool) PodState {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := r.PodStatus(uid)
		if err != nil {
			t.Fatal(err)
		}
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; status %+v", what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMemoryLimitOOMKilled(t *testing.T) {
	r := newRuntime(t, Options{})
	hog := ContainerSpec{Name: "hog", Image: "busybox", Limits: Limits{MemoryBytes: 16 << 20},
		Command: []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"}}
	runPod(t, r, PodSpec{UID: "oom", Name: "oom", RestartPolicy: "Never", Containers: []ContainerSpec{hog}})
	if err := r.WaitPod(context.Background(), "oom"); err != nil {
		t.Fatal(err)
	}
	st, _ := r.PodStatus("oom")
	term := st.Containers[0].State.Terminated
	if term == nil || term.Reason != "OOMKilled" || term.ExitCode != 137 {
		t.Errorf("terminated = %+v, want OOMKilled with exit code 137", term)
	}
}

func TestPidsLimit(t *testing.T) {
	r := newRuntime(t, Options{})
	c := sleeper("c")
	c.Limits.Pids = 8
	runPod(t, r, PodSpec{UID: "pids", Name: "pids", Containers: []ContainerSpec{c}})
	_, errs, _ := execIn(t, r, "pids", "c", "sh", "-c", "for i in $(seq 20); do sleep 1 & done")
	if !strings.Contains(errs, "can't fork") {
		t.Errorf("20 forks under pids.max=8 did not fail; stderr %q", errs)
	}
	g := r.parentGroup(r.opts.CgroupParent).Child("pod-pids/c")
	dir := g.Dirs["pids"]
	if dir == "" {
		dir = g.Dirs[""]
	}
	b, err := os.ReadFile(filepath.Join(dir, "pids.max"))
	if err != nil || strings.TrimSpace(string(b)) != "8" {
		t.Errorf("pids.max = %q, %v", b, err)
	}
}

func TestLogsRotateAndReadInOrder(t *testing.T) {
	r := newRuntime(t, Options{LogMaxSize: 2000, LogMaxFiles: 20})
	c := ContainerSpec{Name: "talker", Image: "busybox",
		Command: []string{"sh", "-c", "echo oops >&2; sleep 0.2; for i in $(seq 200); do echo line $i; done"}}
	runPod(t, r, PodSpec{UID: "logs", Name: "logs", RestartPolicy: "Never", Containers: []ContainerSpec{c}})
	if err := r.WaitPod(context.Background(), "logs"); err != nil {
		t.Fatal(err)
	}
	path, err := r.LogPath("logs", "talker", false)
	if err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(path + "*")
	if len(matches) < 3 {
		t.Fatalf("log files %v: expected rotation at 2000 bytes", matches)
	}
	// The oldest file holds the stderr line (streams are ordered by arrival).
	raw, _ := os.ReadFile(matches[1])
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT[0-9:.]+Z stderr F oops\n(\S+ stdout F line \d+\n)+$`).Match(raw) {
		t.Errorf("oldest file is not CRI format with the stderr line first:\n%s", raw)
	}
	var want strings.Builder
	want.WriteString("oops\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	tests := []struct {
		name string
		opts LogOptions
		want string
	}{
		{name: "all files in order", want: want.String()},
		{name: "tail", opts: LogOptions{Tail: 2}, want: "line 199\nline 200\n"},
		{name: "follow ends with the container", opts: LogOptions{Tail: 1, Follow: true}, want: "line 200\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got strings.Builder
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r.ReadLogs(ctx, "logs", "talker", tc.opts, &got); err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("logs:\n%s\nwant:\n%s", got.String(), tc.want)
			}
		})
	}
	if _, err := r.LogPath("logs", "talker", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("previous log of a container that never restarted: %v, want ErrNotFound", err)
	}
}

func TestRestartPolicies(t *testing.T) {
	tests := []struct {
		name     string
		policy   string
		exit     int
		restarts bool
	}{
		{name: "Never does not restart a failure", policy: "Never", exit: 1},
		{name: "OnFailure does not restart a success", policy: "OnFailure", exit: 0},
		{name: "OnFailure restarts a failure", policy: "OnFailure", exit: 2, restarts: true},
		{name: "Always restarts a success", policy: "Always", exit: 0, restarts: true},
	}
	r := newRuntime(t, Options{BackoffInitial: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uid := fmt.Sprintf("restart-%d", i)
			c := ContainerSpec{Name: "c", Image: "busybox", Command: []string{"sh", "-c", fmt.Sprintf("echo run; exit %d", tc.exit)}}
			runPod(t, r, PodSpec{UID: uid, Name: "r", RestartPolicy: tc.policy, Containers: []ContainerSpec{c}})
			if !tc.restarts {
				if err := r.WaitPod(context.Background(), uid); err != nil {
					t.Fatal(err)
				}
				st, _ := r.PodStatus(uid)
				cs := st.Containers[0]
				if cs.RestartCount != 0 || cs.State.Terminated == nil || cs.State.Terminated.ExitCode != tc.exit {
					t.Errorf("status %+v, want terminated with %d and no restart", cs, tc.exit)
				}
				return
			}
			// Restarts: 0 s, then 50, 100, 200 ms, capped.
			st := waitFor(t, r, uid, "3 restarts", func(st PodState) bool { return st.Containers[0].RestartCount >= 3 })
			last := st.Containers[0].LastState.Terminated
			if last == nil || last.ExitCode != tc.exit {
				t.Errorf("lastState = %+v, want terminated with %d", last, tc.exit)
			}
			st = waitFor(t, r, uid, "CrashLoopBackOff", func(st PodState) bool {
				w := st.Containers[0].State.Waiting
				return w != nil && w.Reason == "CrashLoopBackOff"
			})
			msg := st.Containers[0].State.Waiting.Message
			if !regexp.MustCompile(`^back-off \d+ms restarting failed container=c pod=r_default\(` + uid + `\)$`).MatchString(msg) {
				t.Errorf("back-off message %q", msg)
			}
			var prev strings.Builder
			if err := r.ReadLogs(context.Background(), uid, "c", LogOptions{Previous: true}, &prev); err != nil || prev.String() != "run\n" {
				t.Errorf("previous logs = %q, %v", prev.String(), err)
			}
			if err := r.StopPod(uid, time.Second); err != nil {
				t.Fatal(err)
			}
			n := st.Containers[0].RestartCount
			time.Sleep(300 * time.Millisecond)
			if st, _ := r.PodStatus(uid); st.Containers[0].RestartCount > n+1 || !st.Stopping {
				t.Errorf("restarts continue after stop: %+v", st)
			}
		})
	}
}

func TestStopGraceThenKill(t *testing.T) {
	r := newRuntime(t, Options{})
	polite := ContainerSpec{Name: "polite", Image: "busybox",
		Command: []string{"sh", "-c", "trap 'exit 0' TERM; echo trapping; while true; do sleep 0.05; done"}}
	runPod(t, r, PodSpec{UID: "stop", Name: "stop", Containers: []ContainerSpec{polite, sleeper("stubborn")}})
	// Signals sent before the trap is set are ignored (the shell is PID 1).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var b strings.Builder
		r.ReadLogs(context.Background(), "stop", "polite", LogOptions{}, &b)
		if b.String() == "trapping\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("polite never logged; logs %q", b.String())
		}
	}
	t0 := time.Now()
	if err := r.StopPod("stop", 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 500*time.Millisecond {
		t.Errorf("stop took %v: sleep as PID 1 ignores SIGTERM, so it should wait the grace", d)
	}
	st, _ := r.PodStatus("stop")
	for _, cs := range st.Containers {
		if cs.State.Terminated == nil {
			t.Fatalf("%s not terminated: %+v", cs.Name, cs)
		}
	}
	if got := st.Containers[0].State.Terminated; got.ExitCode != 0 || got.Reason != "Completed" {
		t.Errorf("polite: %+v, want exit 0 after its TERM trap", got)
	}
	if got := st.Containers[1].State.Terminated; got.ExitCode != 137 || got.Signal != 9 {
		t.Errorf("stubborn: %+v, want killed (137)", got)
	}
}

func TestRunPodErrors(t *testing.T) {
	r := newRuntime(t, Options{})
	tests := []struct {
		name string
		spec PodSpec
		want error
	}{
		{name: "no containers", spec: PodSpec{UID: "e1", Name: "x"}, want: ErrInvalid},
		{name: "duplicate names", spec: PodSpec{UID: "e2", Name: "x", Containers: []ContainerSpec{sleeper("a"), sleeper("a")}}, want: ErrInvalid},
		{name: "bad policy", spec: PodSpec{UID: "e3", Name: "x", RestartPolicy: "Sometimes", Containers: []ContainerSpec{sleeper("a")}}, want: ErrInvalid},
		{name: "missing image", spec: PodSpec{UID: "e4", Name: "x", Containers: []ContainerSpec{{Name: "a", Image: "nope"}}}, want: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.RunPod(context.Background(), tc.spec); !errors.Is(err, tc.want) {
				t.Errorf("RunPod = %v, want %v", err, tc.want)
			}
		})
	}
	runPod(t, r, PodSpec{UID: "dup", Name: "x", Containers: []ContainerSpec{sleeper("a")}})
	if err := r.RunPod(context.Background(), PodSpec{UID: "dup", Name: "x", Containers: []ContainerSpec{sleeper("a")}}); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("second RunPod = %v, want ErrAlreadyExists", err)
	}
	// A command that is not in the image: StartError, as Kubernetes reports it.
	runPod(t, r, PodSpec{UID: "bad-cmd", Name: "x", RestartPolicy: "Never",
		Containers: []ContainerSpec{{Name: "a", Image: "busybox", Command: []string{"no-such-binary"}}}})
	st, _ := r.PodStatus("bad-cmd")
	if term := st.Containers[0].State.Terminated; term == nil || term.Reason != "StartError" || !strings.Contains(term.Message, "not found") {
		t.Errorf("bad command: %+v", st.Containers[0].State)
	}
}

func TestAbsoluteCgroupParent(t *testing.T) {
	parent := fmt.Sprintf("/min-test-abs-%d", os.Getpid())
	r := newRuntime(t, Options{CgroupParent: parent})
	c := sleeper("c")
	c.Limits.Pids = 5
	runPod(t, r, PodSpec{UID: "abs", Name: "abs", Containers: []ContainerSpec{c}})
	root, err := cgroupRootFor(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range root.Child(parent + "/pod-abs/c").Dirs {
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			t.Errorf("container cgroup not under the hierarchy root: %v", err)
		}
	}
}

func cgroupRootFor(r *Runtime) (cgroup.Group, error) { return cgroup.Root(r.cgroup.Mode) }

func TestImageUser(t *testing.T) {
	r := newRuntime(t, Options{})
	c := sleeper("c")
	c.Image = "busybox:nobody"
	runPod(t, r, PodSpec{UID: "user", Name: "user", Containers: []ContainerSpec{c}})
	if out, _, _ := execIn(t, r, "user", "c", "id"); out != "uid=65534(nobody) gid=65534\n" { // no supplementary groups left
		t.Errorf("id = %q", out)
	}
	if out, _, _ := execIn(t, r, "user", "c", "grep", "CapEff", "/proc/1/status"); !regexp.MustCompile(`CapEff:\s+0+\n`).MatchString(out) {
		t.Errorf("a non-root user has capabilities: %q", out)
	}
}

// TestSeccomp: containers run under Docker's default seccomp profile (the
// command and what exec starts), which refuses what the capabilities alone
// allow (a user namespace needs none); Unconfined opts out.
func TestSeccomp(t *testing.T) {
	r := newRuntime(t, Options{})
	unconfined := sleeper("c")
	unconfined.SeccompProfile = "Unconfined"
	runPod(t, r, PodSpec{UID: "confined", Name: "confined", Containers: []ContainerSpec{sleeper("c")}})
	runPod(t, r, PodSpec{UID: "unconfined", Name: "unconfined", Containers: []ContainerSpec{unconfined}})
	tests := []struct {
		name, pod string
		argv      []string
		code      int
		want      string // a regexp stdout+stderr must match
	}{
		{"the command is filtered", "confined", []string{"grep", "^Seccomp:", "/proc/1/status"}, 0, `Seccomp:\s+2\n`},
		{"exec is filtered", "confined", []string{"grep", "^Seccomp:", "/proc/self/status"}, 0, `Seccomp:\s+2\n`},
		{"no user namespace", "confined", []string{"unshare", "-U", "true"}, 1, `Operation not permitted`},
		{"no mount", "confined", []string{"mount", "-t", "tmpfs", "none", "/tmp"}, 1, `permission denied`}, // EPERM
		{"plain commands work", "confined", []string{"sh", "-c", "echo a | tr a b; ls / | grep -c bin; id -u"}, 0, `^b\n1\n0\n$`},
		{"unconfined command", "unconfined", []string{"grep", "^Seccomp:", "/proc/1/status"}, 0, `Seccomp:\s+0\n`},
		{"unconfined exec", "unconfined", []string{"grep", "^Seccomp:", "/proc/self/status"}, 0, `Seccomp:\s+0\n`},
		{"unconfined user namespace", "unconfined", []string{"unshare", "-U", "true"}, 0, `^$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := execIn(t, r, tc.pod, "c", tc.argv...)
			if code != tc.code || !regexp.MustCompile(tc.want).MatchString(out+errs) {
				t.Fatalf("%v: exit %d, want %d; output %q, want %q", tc.argv, code, tc.code, out+errs, tc.want)
			}
		})
	}
}
