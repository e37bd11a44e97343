package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/chzyer/readline"
	"github.com/minspace/min/engine/cluster"
)

const imageUsage = `usage: minish image COMMAND
  import NAME PATH        import a root file system (directory or tar), a
                          docker save archive or an OCI layout as NAME
  load [-i FILE]          load the images of a docker save archive or an OCI
                          layout tar (standard input without -i), named as
                          the archive names them, like docker load
  list | ls [-q]          list the images (-q: only their IDs)
  rm | rmi NAME...        remove images (not one a pod uses)
  pull [--insecure] NAME  pull an image from a registry (--insecure: plain
                          http; loopback registries use it anyway)
`

// runImage runs `minish image ...` (args is os.Args[1:], after
// --embedded) through the engine conn opens: in this process or the
// daemon, whose client implements cluster.ImageService too. handled is
// false when args[0] is not "image".
func runImage(args []string, conn *lazyEngine) (code int, handled bool) {
	if len(args) == 0 || args[0] != "image" {
		return 0, false
	}
	defer conn.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runImageIO(ctx, args[1:], conn.open, os.Stdin, os.Stdout, os.Stderr), true
}

// imageCmd is one `minish image` subcommand.
type imageCmd struct {
	ctx            context.Context
	open           func(context.Context) (cluster.Interface, error)
	stdin          io.Reader
	stdout, stderr io.Writer
}

// runImageIO runs one subcommand and returns the exit code: 0, 1 when
// something failed, 2 for a usage error.
func runImageIO(ctx context.Context, args []string, open func(context.Context) (cluster.Interface, error), stdin io.Reader, stdout, stderr io.Writer) int {
	c := &imageCmd{ctx: ctx, open: open, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, imageUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var err error
	switch verb, rest := args[0], args[1:]; verb {
	case "import":
		err = c.importImage(rest)
	case "load":
		err = c.load(rest)
	case "list", "ls":
		err = c.list(rest)
	case "rm", "rmi", "remove":
		err = c.remove(rest)
	case "pull":
		err = c.pull(rest)
	default:
		err = usageError(fmt.Sprintf("unknown command %q", verb))
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "error: %v\n%s", err, imageUsage)
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "error: %v\n", err)
	return 1
}

// usageError is a command line minish cannot read.
type usageError string

func (u usageError) Error() string { return string(u) }

// errReported: the subcommand printed its errors itself.
var errReported = errors.New("reported")

// service connects to the engine and finds its image store.
func (c *imageCmd) service() (cluster.ImageService, error) {
	eng, err := c.open(c.ctx)
	if err != nil {
		return nil, err
	}
	svc, ok := eng.(cluster.ImageService)
	if !ok {
		return nil, errors.New("this engine has no image store")
	}
	return svc, nil
}

func (c *imageCmd) importImage(args []string) error {
	if len(args) != 2 {
		return usageError(fmt.Sprintf("image import takes NAME and PATH, got %d argument(s)", len(args)))
	}
	name, path := args[0], args[1]
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("importing %s: %w", name, pathError(path, err))
	}
	svc, err := c.service()
	if err != nil {
		return err
	}
	im, err := svc.ImportImage(c.ctx, name, path)
	if err != nil {
		return fmt.Errorf("importing %s from %s: %w", name, path, err)
	}
	fmt.Fprintf(c.stdout, "Imported image: %s\n", im.Name)
	return nil
}

// pathError says what is wrong with a path the user gave, naming it as
// given.
func pathError(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%q: no such file or directory", path)
	}
	return fmt.Errorf("%q: %w", path, errors.Unwrap(err))
}

func (c *imageCmd) load(args []string) error {
	input := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-i" || a == "--input":
			if i+1 == len(args) {
				return usageError(a + " needs a file")
			}
			i++
			input = args[i]
		case strings.HasPrefix(a, "--input="):
			input = strings.TrimPrefix(a, "--input=")
		default:
			return usageError(fmt.Sprintf("image load: unexpected argument %q (the archive comes with -i FILE or on standard input)", a))
		}
	}
	if input == "" {
		tmp, err := c.stdinToFile()
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		return c.loadFrom(tmp, "standard input")
	}
	if _, err := os.Stat(input); err != nil {
		return fmt.Errorf("loading %w", pathError(input, err))
	}
	return c.loadFrom(input, input)
}

// stdinToFile copies standard input to a temporary file the engine can
// read (the daemon reads archives by path).
func (c *imageCmd) stdinToFile() (string, error) {
	if f, ok := c.stdin.(*os.File); ok && readline.IsTerminal(int(f.Fd())) {
		return "", errors.New("requested load from stdin, but stdin is a terminal: give the archive with -i FILE or redirect it (minish image load < FILE)")
	}
	f, err := os.CreateTemp("", "minish-load-*.tar")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, c.stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = errors.New("requested load from stdin, but stdin is empty")
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (c *imageCmd) loadFrom(path, shown string) error {
	svc, err := c.service()
	if err != nil {
		return err
	}
	im, err := svc.ImportImage(c.ctx, "", path)
	if err != nil {
		return fmt.Errorf("loading %s: %w", shown, err)
	}
	loaded := im.Loaded
	if len(loaded) == 0 { // an engine that names one image only
		loaded = []cluster.Image{im}
	}
	for _, l := range loaded {
		fmt.Fprintf(c.stdout, "Loaded image: %s\n", l.Name)
	}
	return nil
}

func (c *imageCmd) list(args []string) error {
	quiet := false
	for _, a := range args {
		if a != "-q" && a != "--quiet" {
			return usageError(fmt.Sprintf("image list: unexpected argument %q", a))
		}
		quiet = true
	}
	svc, err := c.service()
	if err != nil {
		return err
	}
	list, err := svc.ListImages(c.ctx)
	if err != nil {
		return err
	}
	if quiet {
		seen := map[string]bool{}
		for _, im := range list {
			if !seen[im.ID] {
				seen[im.ID] = true
				fmt.Fprintln(c.stdout, im.ID)
			}
		}
		return nil
	}
	return printImages(c.stdout, list)
}

// printImages prints crictl's images table.
func printImages(w io.Writer, list []cluster.Image) error {
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tTAG\tIMAGE ID\tSIZE")
	for _, im := range list {
		repo, tag := splitTag(im.Name)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", repo, tag, shortID(im.ID), humanSize(im.Size))
	}
	return tw.Flush()
}

// splitTag splits "busybox:latest" into its repository and tag; a digest
// reference has no tag.
func splitTag(name string) (repo, tag string) {
	if i := strings.Index(name, "@"); i >= 0 {
		return name[:i], "<none>"
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		return name[:i], name[i+1:]
	}
	return name, "<none>"
}

// shortID is the first 13 hex digits of an image ID, as crictl prints.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(13, len(id))]
}

// humanSize formats bytes as docker and crictl do (go-units'
// HumanSizeWithPrecision(size, 3)): decimal units, three significant
// digits; except that a size that rounds up to 1000 of a unit is shown in
// the next one ("1MB", where docker prints "1e+03kB").
func humanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	size, i := float64(n), 0
	for size >= 999.5 && i < len(units)-1 {
		size /= 1000
		i++
	}
	return fmt.Sprintf("%.3g%s", size, units[i])
}

func (c *imageCmd) remove(args []string) error {
	if len(args) == 0 {
		return usageError("image rm needs at least one image name")
	}
	svc, err := c.service()
	if err != nil {
		return err
	}
	failed := false
	for _, name := range args {
		if err := svc.RemoveImage(c.ctx, name); err != nil {
			fmt.Fprintf(c.stderr, "error: removing %s: %v\n", name, err)
			failed = true
			continue
		}
		fmt.Fprintf(c.stdout, "Deleted: %s\n", name)
	}
	if failed {
		return errReported
	}
	return nil
}

func (c *imageCmd) pull(args []string) error {
	insecure := false
	var refs []string
	for _, a := range args {
		switch {
		case a == "--insecure":
			insecure = true
		case strings.HasPrefix(a, "-"):
			return usageError(fmt.Sprintf("image pull: unknown option %q", a))
		default:
			refs = append(refs, a)
		}
	}
	if len(refs) != 1 {
		return usageError(fmt.Sprintf("image pull takes one image name, got %d", len(refs)))
	}
	svc, err := c.service()
	if err != nil {
		return err
	}
	im, err := svc.PullImage(c.ctx, refs[0], insecure)
	if err != nil {
		return fmt.Errorf("pulling %s: %w", refs[0], err)
	}
	fmt.Fprintf(c.stdout, "Pulled image: %s (%s)\n", im.Name, im.ID)
	return nil
}
