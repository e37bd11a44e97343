package shim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Call sends one request to the shim of the pod in podDir, passing files
// (exec's stdio) along, and returns its response.
func Call(podDir string, req Request, files ...*os.File) (Response, error) {
	conn, err := Dial(podDir)
	if err != nil {
		return Response{}, err
	}
	defer conn.Close()
	return Roundtrip(conn, req, files...)
}

// Dial connects to the control socket of the pod in podDir. The path goes
// through /proc/self/fd so that a deep state directory cannot exceed the
// 108 bytes of a socket address.
func Dial(podDir string) (*net.UnixConn, error) {
	dir, err := os.OpenFile(podDir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	addr := &net.UnixAddr{Net: "unixpacket", Name: fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), SocketFile)}
	conn, err := net.DialUnix("unixpacket", nil, addr)
	if err != nil {
		return nil, fmt.Errorf("shim: connect: %w", err)
	}
	return conn, nil
}

// Roundtrip sends req (with files) on conn and reads the response.
func Roundtrip(conn *net.UnixConn, req Request, files ...*os.File) (Response, error) {
	if err := Send(conn, req, files...); err != nil {
		return Response{}, err
	}
	resp, got, err := Receive(conn)
	for _, f := range got {
		f.Close()
	}
	if err != nil {
		return resp, fmt.Errorf("shim: %s: %w", req.Op, err)
	}
	return resp, nil
}

// Send writes one request, passing files as SCM_RIGHTS.
func Send(conn *net.UnixConn, req Request, files ...*os.File) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	if _, _, err := conn.WriteMsgUnix(b, oob, nil); err != nil {
		return fmt.Errorf("shim: send: %w", err)
	}
	return nil
}

// Receive reads one response and the files passed with it. A response that
// carries an error is returned as that error.
func Receive(conn *net.UnixConn) (Response, []*os.File, error) {
	var resp Response
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err == nil && n == 0 {
		err = io.EOF
	}
	if err != nil {
		return resp, nil, fmt.Errorf("no answer: %w", err)
	}
	files, ferr := receivedFiles(oob[:oobn])
	if err := json.Unmarshal(buf[:n], &resp); err != nil {
		return resp, files, fmt.Errorf("answer: %w", err)
	}
	if resp.Error != "" {
		return resp, files, errors.New(resp.Error)
	}
	return resp, files, ferr
}

func (s *shim) listen() (*net.UnixListener, error) {
	os.Remove(SocketFile)
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Net: "unixpacket", Name: SocketFile})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	return ln, nil
}

func (s *shim) serve(ln *net.UnixListener) {
	go s.watchDir()
	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			fmt.Fprintf(os.Stderr, "shim: accept: %v\n", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go s.handle(conn)
	}
}

// watchDir ends the pod when its directory is deleted under it (a state
// directory removed without RemovePod): nobody could reach the shim again,
// so it would only leak.
func (s *shim) watchDir() {
	dir, err := os.Open(s.dir)
	if err != nil {
		return
	}
	for range time.Tick(2 * time.Second) {
		var st unix.Stat_t
		if unix.Fstat(int(dir.Fd()), &st) == nil && st.Nlink == 0 {
			fmt.Fprintln(os.Stderr, "shim: pod directory deleted; stopping the pod")
			s.stop(0)
			s.teardown()
			os.Exit(1)
		}
	}
}

func (s *shim) handle(conn *net.UnixConn) {
	defer conn.Close()
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*8))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return
	}
	files, err := receivedFiles(oob[:oobn])
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var req Request
	if err == nil {
		err = json.Unmarshal(buf[:n], &req)
	}
	resp := Response{}
	if err == nil {
		resp, err = s.dispatch(conn, req, files)
	}
	if err != nil {
		resp.Error = err.Error()
	}
	b, _ := json.Marshal(resp)
	conn.Write(b)
	if req.Op == "exit" && err == nil {
		conn.Close()
		os.Remove(filepath.Join(s.dir, SocketFile))
		os.Exit(0)
	}
}

func receivedFiles(oob []byte) ([]*os.File, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			return files, err
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "passed"))
		}
	}
	return files, nil
}

func (s *shim) dispatch(conn *net.UnixConn, req Request, files []*os.File) (Response, error) {
	switch req.Op {
	case "stop":
		grace := req.Grace
		if grace < 0 {
			grace = s.cfg.GracePeriod
		}
		s.stop(grace)
		return Response{}, nil
	case "wait":
		s.waitDone(conn)
		return Response{}, nil
	case "exec":
		code, err := s.exec(conn, req, files)
		return Response{ExitCode: code}, err
	case "exit":
		// The runtime removes the pod directory next: saving the
		// containers' last states would only write files about to go.
		s.mu.Lock()
		s.exiting = true
		s.mu.Unlock()
		s.stop(0)
		return Response{}, s.teardown()
	}
	return Response{}, fmt.Errorf("shim: unknown request %q", req.Op)
}

// start launches every container's supervisor, once, and returns when each
// has made its first start attempt. The first instances are made ready to
// run (namespaces, rootfs, confinement, stopped right after their exec)
// while the runtime wires the pod network, and run once s.wired is closed.
func (s *shim) start() error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return nil
	}
	s.started = true
	s.mu.Unlock()
	var first sync.WaitGroup
	for _, c := range s.ctrs {
		first.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c.run(first.Done)
		}()
	}
	go func() { s.wg.Wait(); close(s.allDone) }()
	first.Wait()
	return nil
}

// setIP records the pod IP and writes it into the pod's /etc/hosts, in
// place: the containers have it bind-mounted already.
func (s *shim) setIP(ip string) error {
	s.mu.Lock()
	s.state.IP = ip
	s.mu.Unlock()
	return s.writeEtc(ip)
}

func (s *shim) isStopping() bool {
	select {
	case <-s.stopCh:
		return true
	default:
		return false
	}
}

// stop ends every container: SIGTERM, then SIGKILL after grace. Nothing
// restarts afterwards. It returns when all supervisors are done.
func (s *shim) stop(grace time.Duration) {
	s.stopOnce.Do(func() {
		close(s.stopCh)
		s.update(func(st *State) { st.Stopping = true })
	})
	s.signalAll(unix.SIGTERM)
	if !s.waitSupervisors(grace) {
		s.signalAll(unix.SIGKILL)
		s.waitSupervisors(-1)
	}
}

func (s *shim) signalAll(sig unix.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.ctrs {
		if c.proc != nil {
			c.proc.Signal(sig)
		}
	}
}

// waitSupervisors waits until every supervisor is done, or timeout (< 0:
// forever); it reports whether they are done.
func (s *shim) waitSupervisors(timeout time.Duration) bool {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return true
	}
	if timeout < 0 {
		<-s.allDone
		return true
	}
	select {
	case <-s.allDone:
		return true
	case <-time.After(timeout):
		return false
	}
}

// waitDone answers once no container runs or will restart, or when the
// client goes away.
func (s *shim) waitDone(conn *net.UnixConn) {
	gone := make(chan struct{})
	go func() {
		var b [1]byte
		conn.Read(b[:])
		close(gone)
	}()
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return
	}
	select {
	case <-s.allDone:
	case <-gone:
	}
}

// teardown releases what the shim holds before it exits: the pause
// process and the pod's cgroups.
func (s *shim) teardown() error {
	if s.pause != nil {
		s.pause.Kill()
		s.pause.Wait()
	}
	return s.cfg.Cgroup.Remove(5 * time.Second)
}
