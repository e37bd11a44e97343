package bindings

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/chzyer/readline"

	"github.com/minspace/min/engine/cluster"
)

// ttyUnusable is kubectl exec's warning for -it when stdin is no terminal.
const ttyUnusable = "Unable to use a TTY - input is not a terminal or the right kind of file"

// rawTerminal puts the terminal on stdin in raw mode, as kubectl exec -it
// does (keys go to the container's terminal, which echoes them), and
// returns its sizes: the size now, then one after each SIGWINCH.
// restore puts the terminal back and stops the sizes.
func rawTerminal() (restore func(), sizes <-chan cluster.TerminalSize, err error) {
	fd := int(os.Stdin.Fd())
	state, err := readline.MakeRaw(fd)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan cluster.TerminalSize, 1)
	send := func() {
		if w, h, err := readline.GetSize(fd); err == nil {
			cluster.OfferTerminalSize(ch, cluster.TerminalSize{Width: uint16(w), Height: uint16(h)})
		}
	}
	send()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
		readline.Restore(fd, state)
	}, ch, nil
}
