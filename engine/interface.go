package engine

import "github.com/minspace/min/engine/cluster"

// The interface every front end programs against, and its options, live
// in engine/cluster so that clients (minish, engine/client) need not link
// the engine; these aliases keep them usable as engine.Interface,
// engine.ListOptions… for Go embedders.
type (
	Interface     = cluster.Interface
	CreateOptions = cluster.CreateOptions
	UpdateOptions = cluster.UpdateOptions
	ListOptions   = cluster.ListOptions
	List          = cluster.List
	DeleteOptions = cluster.DeleteOptions
	Event         = cluster.Event
	LogOptions    = cluster.LogOptions
	ExecOptions   = cluster.ExecOptions
	TerminalSize  = cluster.TerminalSize
	MetaChange    = cluster.MetaChange
	MetaResult    = cluster.MetaResult
)

// Propagation policies and watch event types (engine/cluster's).
const (
	PropagationBackground = cluster.PropagationBackground
	PropagationForeground = cluster.PropagationForeground
	PropagationOrphan     = cluster.PropagationOrphan

	Added    = cluster.Added
	Modified = cluster.Modified
	Deleted  = cluster.Deleted
)
