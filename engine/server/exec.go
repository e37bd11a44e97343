package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// execRequest is Kubernetes' PodExecOptions read from the query: unlike
// Min's own protocol, an absent stdout or stderr means false.
type execRequest struct {
	container                  string
	command                    []string
	stdin, stdout, stderr, tty bool
}

func parseExecRequest(q url.Values) (execRequest, error) {
	req := execRequest{container: q.Get("container"), command: q["command"]}
	for _, f := range []struct {
		name string
		v    *bool
	}{{"stdin", &req.stdin}, {"stdout", &req.stdout}, {"stderr", &req.stderr}, {"tty", &req.tty}} {
		b, err := boolParam(q, f.name)
		if err != nil {
			return req, err
		}
		*f.v = b
	}
	if len(req.command) == 0 {
		return req, api.NewBadRequest("you must specify at least 1 command")
	}
	if req.tty {
		req.stderr = false // the terminal carries both; the kubelet drops stderr too
	}
	if !req.stdin && !req.stdout && !req.stderr {
		return req, api.NewBadRequest("you must specify at least 1 of stdin, stdout, stderr")
	}
	return req, nil
}

// checkStreamTarget answers as the apiserver does before it proxies exec
// or port-forward to the kubelet: the pod must exist, the container must
// be one of its own (or the only one), and the pod must have a node. It
// returns the container's name. Exec refuses Succeeded/Failed pods only in
// kubectl, so neither does this.
func (s *Server) checkStreamTarget(ctx context.Context, t target, container string, needContainer bool) (string, error) {
	o, err := s.eng.Get(ctx, "pods", t.namespace, t.name)
	if err != nil {
		return "", err
	}
	p := o.(*api.Pod)
	if needContainer {
		if container, err = pickContainer(p, container); err != nil {
			return "", err
		}
	}
	if p.Spec.NodeName == "" {
		return "", api.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", p.Name))
	}
	return container, nil
}

// pickContainer applies the apiserver's streamLocation rules and texts.
func pickContainer(p *api.Pod, name string) (string, error) {
	var names []string
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return name, nil
		}
		names = append(names, c.Name)
	}
	switch {
	case name != "":
		return "", api.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, p.Name))
	case len(names) == 1:
		return names[0], nil
	case len(names) == 0:
		return "", api.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", p.Name))
	}
	msg := fmt.Sprintf("a container name must be specified for pod %s, choose one of: [%s]", p.Name, strings.Join(names, " "))
	return "", api.NewBadRequest(msg)
}

// termSize is one resize event of the resize channel, spelled as
// client-go's remotecommand.TerminalSize.
type termSize = cluster.TerminalSize

// execIO is where one exec's streams go, whichever protocol carries them.
type execIO struct {
	stdin          io.Reader // nil: no stdin
	stdout, stderr io.Writer // nil: not wanted
	// resize receives the client's terminal sizes (with a terminal).
	resize <-chan termSize
}

// runExec runs the command and returns the Status the error channel
// carries at the end.
func (s *Server) runExec(ctx context.Context, t target, req execRequest, eio execIO) execStatus {
	opts := engine.ExecOptions{Container: req.container, Command: req.command, TTY: req.tty,
		Stdin: eio.stdin, Stdout: eio.stdout, Stderr: eio.stderr, Resize: eio.resize}
	code, err := s.eng.Exec(ctx, t.namespace, t.name, opts)
	return statusOfExec(req.command, code, err)
}

// execStatus is the metav1.Status written on the error channel of the
// v4 and v5 protocols (older ones send only its message, as text). The
// kubelet's has no kind, apiVersion or code when the command ran.
type execStatus struct {
	Metadata struct{}           `json:"metadata"`
	Status   string             `json:"status"`
	Message  string             `json:"message,omitempty"`
	Reason   string             `json:"reason,omitempty"`
	Details  *api.StatusDetails `json:"details,omitempty"`
	Code     int32              `json:"code,omitempty"`
}

// Reason and cause type that carry a non-zero exit code; kubectl prints
// "command terminated with exit code N" and exits N.
const (
	reasonNonZeroExitCode = "NonZeroExitCode"
	causeExitCode         = "ExitCode"
)

func statusOfExec(command []string, code int, err error) execStatus {
	switch {
	case err != nil:
		st := wire.StatusOf(err)
		if st.Code == http.StatusInternalServerError && st.Reason == wire.ReasonInternal {
			st.Message = "Internal error occurred: error executing command in container: " + err.Error()
		}
		return execStatus{Status: wire.StatusFailure, Message: st.Message, Reason: st.Reason, Details: st.Details, Code: st.Code}
	case code != 0:
		return execStatus{Status: wire.StatusFailure, Reason: reasonNonZeroExitCode,
			Message: fmt.Sprintf("command terminated with non-zero exit code: error executing command %v, exit code %d", command, code),
			Details: &api.StatusDetails{Causes: []api.StatusCause{{Type: causeExitCode, Message: strconv.Itoa(code)}}}}
	}
	return execStatus{Status: wire.StatusSuccess}
}

// encode renders the status for a protocol version: JSON from v4 on,
// the bare message (nothing on success) before.
func (st execStatus) encode(jsonStatus bool) []byte {
	if jsonStatus {
		b, _ := json.Marshal(st)
		return b
	}
	if st.Status == wire.StatusSuccess {
		return nil
	}
	return []byte(st.Message)
}
