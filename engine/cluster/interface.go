package cluster

import (
	"context"
	"io"
	"net"

	"github.com/minspace/min/engine/api"
)

// Interface is what the Lua bindings, the CLI verbs and Go embedders call.
// Resources are plural lower-case names ("pods", "nodes", "namespaces",
// "replicationcontrollers", "events"); errors are *api.StatusError values
// that match api.ErrNotFound, api.ErrInvalid... with errors.Is.
type Interface interface {
	// Create stores a new object. Namespaced objects without a namespace
	// land in "default"; metadata.generateName is honoured.
	Create(ctx context.Context, obj api.Object, opts CreateOptions) (api.Object, error)
	Get(ctx context.Context, resource, namespace, name string) (api.Object, error)
	// List with namespace "" lists every namespace.
	List(ctx context.Context, resource string, opts ListOptions) (*List, error)
	// Update replaces an object; a non-empty resourceVersion must match
	// the stored one (else a Conflict error).
	Update(ctx context.Context, obj api.Object, opts UpdateOptions) (api.Object, error)
	// Patch applies a JSON merge patch (RFC 7386) to an object.
	Patch(ctx context.Context, resource, namespace, name string, patch []byte, opts UpdateOptions) (api.Object, error)
	// Delete starts deleting an object. Pods on a node are deleted
	// gracefully (deletionTimestamp set, the object stays until the node
	// agent has stopped them); everything else goes at once. It returns the
	// object as it was, or with deletionTimestamp set.
	Delete(ctx context.Context, resource, namespace, name string, opts DeleteOptions) (api.Object, error)
	// Watch streams changes from opts.ResourceVersion on (from now when
	// empty). The channel closes when ctx ends or the watch falls behind;
	// the caller re-watches from the last revision it saw.
	Watch(ctx context.Context, resource string, opts ListOptions) (<-chan Event, error)

	// Logs writes a container's log to w (following it when opts.Follow).
	Logs(ctx context.Context, namespace, pod string, opts LogOptions, w io.Writer) error
	// Exec runs a process inside a container of a running pod.
	Exec(ctx context.Context, namespace, pod string, opts ExecOptions) (exitCode int, err error)
	// DialPod opens a TCP connection to port inside the pod's network
	// namespace (port-forward).
	DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error)
}

// CreateOptions modify Create.
type CreateOptions struct {
	DryRun bool // validate and default, store nothing
}

// UpdateOptions modify Update and Patch.
type UpdateOptions struct {
	DryRun bool
}

// ListOptions select objects; the selectors use Kubernetes' string grammar.
type ListOptions struct {
	Namespace       string
	LabelSelector   string
	FieldSelector   string
	ResourceVersion string // for Watch: continue after this revision
}

// List is the result of a list: the items sorted by namespace and name,
// and the revision a watch can continue from.
type List struct {
	ResourceVersion string
	Items           []api.Object
}

// Propagation policies of DeleteOptions, as Kubernetes spells them.
const (
	PropagationBackground = "Background"
	PropagationForeground = "Foreground"
	PropagationOrphan     = "Orphan"
)

// DeleteOptions modify Delete.
type DeleteOptions struct {
	// GracePeriodSeconds overrides the pod's terminationGracePeriodSeconds;
	// 0 deletes at once (kubectl --grace-period=0 --force).
	GracePeriodSeconds *int64
	// PropagationPolicy says what happens to dependents (an RC's pods):
	// Background (default) or Foreground delete them, Orphan keeps them.
	PropagationPolicy string
	// PreconditionUID, when set, must match the stored object's uid.
	PreconditionUID string
	DryRun          bool
}

// Event types of Watch.
const (
	Added    = "ADDED"
	Modified = "MODIFIED"
	Deleted  = "DELETED"
)

// Event is one change seen by Watch.
type Event struct {
	Type   string
	Object api.Object
}

// LogOptions are kubectl logs' options.
type LogOptions struct {
	Container  string
	Follow     bool
	Previous   bool
	Timestamps bool
	TailLines  *int64
	// SinceSeconds keeps lines newer than now minus this many seconds.
	SinceSeconds *int64
}

// ExecOptions say what to run and where its streams go.
type ExecOptions struct {
	Container string
	Command   []string
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
	TTY       bool
	// Resize, with TTY, carries the terminal's sizes: the first is its
	// size at the start, each later one a change (kubectl exec -it sends
	// them, as client-go's TerminalSizeQueue does). Nil keeps the size
	// the kernel gives a new terminal.
	Resize <-chan TerminalSize
}

// TerminalSize is a terminal's size in characters, as client-go's
// remotecommand.TerminalSize spells it on the wire.
type TerminalSize struct {
	Width  uint16
	Height uint16
}

// OfferTerminalSize queues size on sizes (buffered, one sender): a size
// the exec has not taken yet is replaced, so the latest always arrives
// and the sender never blocks.
func OfferTerminalSize(sizes chan TerminalSize, size TerminalSize) {
	for {
		select {
		case sizes <- size:
			return
		default:
			select {
			case <-sizes: // stale
			default:
			}
		}
	}
}
