package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
	"github.com/minspace/min/engine/enginetest"
)

// testHome is a short state directory (unix socket paths are limited to
// 108 bytes, and t.TempDir names can be long).
func testHome(t testing.TB) string {
	dir, err := os.MkdirTemp("", "minhome")
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	t.Cleanup(func() { removeHome(t, dir, home) })
	return home
}

// removeHome removes a test's state directory for good: a detached engine
// of the test still serving it is stopped first (by the pid holding its
// lock), and the removal is retried while something still writes there.
func removeHome(t testing.TB, dir, home string) {
	if _, err := daemonctl.Status(home); err == nil {
		if _, err := daemonctl.Stop(home, 10*time.Second); err != nil {
			t.Errorf("an engine still serves %s: %v", home, err)
		}
	}
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err = os.RemoveAll(dir); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if _, serr := os.Stat(dir); err != nil || serr == nil {
		t.Errorf("test home %s not removed: %v", dir, err)
	}
}

// startDaemon starts a detached engine (this test binary re-executed) and
// stops it at cleanup.
func startDaemon(t testing.TB, home string) daemonctl.State {
	t.Helper()
	st, err := daemonctl.Start(home, daemonctl.Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopOrKill(t, home, st.PID) })
	return st
}

// stopOrKill stops the engine this test started, by its pid.
func stopOrKill(t testing.TB, home string, pid int) {
	if _, err := daemonctl.Stop(home, 10*time.Second); err != nil && !errors.Is(err, daemonctl.ErrNotRunning) {
		t.Logf("stop: %v; killing pid %d", err, pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func connect(t testing.TB, home string) *client.Client {
	t.Helper()
	c, err := daemonctl.ConnectWith(home, daemonctl.Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.(*client.Client).Close() })
	return c.(*client.Client)
}

func TestConformanceDaemonProcess(t *testing.T) {
	enginetest.Run(t, func(t *testing.T) cluster.Interface {
		home := testHome(t)
		startDaemon(t, home)
		return connect(t, home)
	})
}

func TestStartStopStatus(t *testing.T) {
	home := testHome(t)
	if _, err := daemonctl.Status(home); !errors.Is(err, daemonctl.ErrNotRunning) {
		t.Fatalf("status before start: %v", err)
	}
	st := startDaemon(t, home)
	if st.PID <= 0 || st.PID == os.Getpid() || st.Version.MinVersion != cluster.Version {
		t.Fatalf("state %+v", st)
	}
	if _, err := daemonctl.Start(home, daemonctl.Options{}); !errors.Is(err, daemonctl.ErrAlreadyRunning) {
		t.Fatalf("second start: %v", err)
	}
	for path, mode := range map[string]os.FileMode{home: 0o700 | os.ModeDir, SocketPath(home): 0o600 | os.ModeSocket,
		filepath.Join(home, PIDFile): 0o600, filepath.Join(home, LogFile): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode(), mode, err)
		}
	}
	c := connect(t, home)
	if _, err := c.Create(context.Background(), enginetest.Pod("", "web", nil), cluster.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pid, err := daemonctl.Stop(home, 10*time.Second)
	if err != nil || pid != st.PID {
		t.Fatalf("stop: %d %v", pid, err)
	}
	if _, err := os.Stat(SocketPath(home)); !os.IsNotExist(err) {
		t.Fatalf("socket left after a clean stop: %v", err)
	}
	if _, err := daemonctl.Stop(home, time.Second); !errors.Is(err, daemonctl.ErrNotRunning) {
		t.Fatalf("second stop: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(home, LogFile))
	if !strings.Contains(string(log), "stopping: finishing requests in flight; pods keep running") {
		t.Fatalf("log: %s", log)
	}
	// Connect starts a new engine; the pod is still there.
	c2 := connect(t, home)
	t.Cleanup(func() { daemonctl.Stop(home, 10*time.Second) })
	if _, err := c2.Get(context.Background(), "pods", "default", "web"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	enginetest.WatchTooOld(t, c2)
}

func TestConnectStartsOnceWhenRacing(t *testing.T) {
	home := testHome(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := daemonctl.ConnectWith(home, daemonctl.Options{NoHostNode: true})
			if err == nil {
				_, err = c.Create(context.Background(), enginetest.Pod("", fmt.Sprintf("p%d", i), nil), cluster.CreateOptions{})
				c.(*client.Client).Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	pid := daemonctl.ReadPID(home)
	t.Cleanup(func() { stopOrKill(t, home, pid) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(home, LogFile))
	if got := strings.Count(string(log), " serving "+SocketPath(home)); got != 1 {
		t.Fatalf("%d engines started:\n%s", got, log)
	}
}

func TestForegroundRunAndSIGTERMKeepsRequestsWhole(t *testing.T) {
	home := testHome(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	var logBuf strings.Builder
	var mu sync.Mutex
	go func() {
		done <- Run(ctx, home, Options{Engine: engine.Options{NoHostNode: true}, Ready: func() { close(ready) },
			Log: writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logBuf.Write(p) })})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	c := client.New(SocketPath(home), client.Options{})
	defer c.Close()
	w, err := c.Watch(context.Background(), "pods", cluster.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel() // as SIGTERM: the watch ends, Run returns, the store closes
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
	for range w {
	}
	e, err := engine.Open(home, engine.Options{NoHostNode: true}) // the store was released
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestKill9DuringCreateStorm(t *testing.T) {
	home := testHome(t)
	st := startDaemon(t, home)
	c := connect(t, home)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				if _, err := c.Create(context.Background(), enginetest.Pod("", name, nil), cluster.CreateOptions{}); err != nil {
					return // the engine is gone
				}
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for daemonctl.Running(st.PID) {
		time.Sleep(5 * time.Millisecond)
	}
	c2 := connect(t, home) // starts a new engine
	pid := daemonctl.ReadPID(home)
	t.Cleanup(func() { stopOrKill(t, home, pid) })
	l, err := c2.List(context.Background(), "pods", cluster.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, o := range l.Items {
		stored[o.GetObjectMeta().Name] = true
	}
	missing := 0
	for _, n := range acked {
		if !stored[n] {
			missing++
		}
	}
	if missing > 0 || len(acked) == 0 {
		t.Fatalf("%d of %d acknowledged creates lost (stored %d)", missing, len(acked), len(stored))
	}
	t.Logf("%d acknowledged creates before kill -9, all there after restart (%d stored)", len(acked), len(stored))
}

func TestTwoClientsWatcherSeesEveryEventInOrder(t *testing.T) {
	home := testHome(t)
	startDaemon(t, home)
	writer, reader := connect(t, home), connect(t, home)
	ctx := context.Background()
	const n = 300
	l, err := reader.List(ctx, "pods", cluster.ListOptions{LabelSelector: "app=storm"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range n {
			lbl := map[string]string{"app": "storm"}
			if i%3 == 0 {
				lbl["app"] = "other" // not selected
			}
			p := enginetest.Pod("", fmt.Sprintf("p%03d", i), lbl)
			p.Spec.NodeName = "nobody" // bound to a node nobody runs: no status writes
			if _, err := writer.Create(ctx, p, cluster.CreateOptions{}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ch, err := reader.Watch(wctx, "pods", cluster.ListOptions{LabelSelector: "app=storm", ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for ev := range ch {
		for next%3 == 0 {
			next++
		}
		want := fmt.Sprintf("p%03d", next)
		if ev.Type != cluster.Added || ev.Object.GetObjectMeta().Name != want {
			t.Fatalf("got %s %s, want ADDED %s", ev.Type, ev.Object.GetObjectMeta().Name, want)
		}
		next++
		if next >= n-1 {
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if next < n-1 {
		t.Fatalf("the watch ended after %d events", next)
	}
}

func TestNonOwnerCannotConnect(t *testing.T) {
	home := testHome(t)
	startDaemon(t, home)
	sock := SocketPath(home)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi.Mode(), err)
	}
	if os.Geteuid() != 0 {
		t.Skip("connecting as another user needs root (setuid to 65534)")
	}
	os.Chmod(filepath.Dir(home), 0o755) // only home itself (0700) and the socket (0600) stand in the way
	prober := proberBinary(t)
	cmd := exec.Command(prober, "dialtest", sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "permission denied") {
		t.Fatalf("uid 65534 connected or failed otherwise: %v %s", err, out)
	}
	// Even with the directory and socket opened up, the engine refuses the
	// peer by its credentials.
	os.Chmod(home, 0o755)
	os.Chmod(sock, 0o666)
	defer os.Chmod(home, 0o700)
	cmd = exec.Command(prober, "dialtest", sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Run() // the connect itself succeeds; the engine closes it at once
	c := connect(t, home)
	if _, err := c.List(context.Background(), "pods", cluster.ListOptions{}); err != nil {
		t.Fatalf("the owner can no longer connect: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(home, LogFile))
	if !strings.Contains(string(log), "refused a connection from uid 65534") {
		t.Fatalf("peer check not logged:\n%s", log)
	}
}

func TestVersionMismatchIsPlain(t *testing.T) {
	home := testHome(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, home, Options{Engine: engine.Options{NoHostNode: true}, Version: "0.0.1-old",
			Ready: func() { close(ready) }, Log: writerFunc(func(p []byte) (int, error) { return len(p), nil })})
	}()
	defer func() { cancel(); <-done }()
	<-ready
	_, err := daemonctl.Connect(home)
	if !errors.Is(err, client.ErrVersionMismatch) || !strings.Contains(err.Error(), "runs Min 0.0.1-old") {
		t.Fatalf("got %v", err)
	}
	var se *api.StatusError
	if errors.As(err, &se) {
		t.Fatalf("a mismatch is not an API error: %v", se)
	}
}

// proberBinary copies this test binary where uid 65534 may run it.
func proberBinary(t *testing.T) string {
	dir, err := os.MkdirTemp("", "minprobe")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "probe")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}
