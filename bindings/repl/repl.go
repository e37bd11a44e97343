package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/chzyer/readline"

	"github.com/minspace/min/bindings"
)

// Options configure Run. The zero value reads os.Stdin, writes
// os.Stdout/os.Stderr and keeps no history.
type Options struct {
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// HistoryFile keeps the input across sessions (minish puts it in the
	// state directory).
	HistoryFile string
	// Banner is printed once at the start (empty: none).
	Banner string
}

const (
	prompt     = "> "
	contPrompt = ">> "
)

// Run reads, evaluates and prints until end of input (Ctrl-D) or ctx ends.
func Run(ctx context.Context, s *bindings.State, opts Options) error {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt: prompt, HistoryFile: opts.HistoryFile, DisableAutoSaveHistory: true,
		AutoComplete: completer{ctx: ctx, s: s}, InterruptPrompt: "^C", EOFPrompt: "",
		Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr,
	})
	if err != nil {
		return fmt.Errorf("repl: %w", err)
	}
	defer rl.Close()
	if opts.Banner != "" {
		fmt.Fprintln(opts.Stdout, opts.Banner)
	}
	var chunk strings.Builder
	for ctx.Err() == nil {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			chunk.Reset()
			rl.SetPrompt(prompt)
			continue
		}
		if err != nil { // io.EOF: Ctrl-D
			return nil
		}
		chunk.WriteString(line)
		src := chunk.String()
		if strings.TrimSpace(src) == "" {
			chunk.Reset()
			continue
		}
		if s.Incomplete(src) {
			chunk.WriteByte('\n')
			rl.SetPrompt(contPrompt)
			continue
		}
		chunk.Reset()
		rl.SetPrompt(prompt)
		rl.SaveHistory(src)
		evalPrint(ctx, s, src, opts)
	}
	return ctx.Err()
}

// evalPrint runs one chunk; SIGINT while it runs cancels it.
func evalPrint(ctx context.Context, s *bindings.State, src string, opts Options) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
			cancel()
		case <-ctx.Done():
		}
	}()
	out, err := s.Eval(ctx, src)
	if err != nil {
		fmt.Fprintln(opts.Stderr, err.Error())
		return
	}
	if out != "" {
		fmt.Fprintln(opts.Stdout, out)
	}
}

// completer adapts bindings' completion to readline's interface, which
// wants the suffixes to insert and the length of the word they extend.
type completer struct {
	ctx context.Context
	s   *bindings.State
}

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	cands, prefix := c.s.Complete(c.ctx, string(line[:pos]))
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		out = append(out, []rune(strings.TrimPrefix(cand, prefix)))
	}
	return out, len([]rune(prefix))
}
