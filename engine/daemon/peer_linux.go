package daemon

import (
	"log"
	"net"

	"golang.org/x/sys/unix"
)

// peerListener accepts only peers running as the engine's user or root:
// the socket's mode already keeps others out; this holds even if someone
// loosens it.
type peerListener struct {
	*net.UnixListener
	uid    int
	logger *log.Logger
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.UnixListener.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, ok := peerUID(c)
		if ok && (uid == l.uid || uid == 0) {
			return c, nil
		}
		l.logger.Printf("refused a connection from uid %d (peer credentials unavailable: %v)", uid, !ok)
		c.Close()
	}
}

func peerUID(c *net.UnixConn) (int, bool) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, false
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return -1, false
	}
	return int(cred.Uid), true
}
