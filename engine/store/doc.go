// Package store persists Min's API objects: it versions them with one
// store-wide revision (metadata.resourceVersion), indexes them by namespace
// and label, answers label and field selectors, and streams changes to
// watchers. It is the only package of Min that imports buntdb.
//
// It does not set uid, creationTimestamp, generation or defaults, does not
// validate objects and does not check that namespaces exist: the engine
// layer above does that. It must never import gopher-lua, anything under
// containers/ or the engine package itself.
//
// # Durability
//
// Objects live in dir/min.db, an append-only log of buntdb commands. Every
// write is one buntdb transaction; each object records its own revision and
// a deletion records the store's, so the revision survives a reopen.
// With the default SyncEverySecond policy each commit is written to the
// operating system before the call returns and the file is fsynced once a
// second, so every acknowledged write survives a crash of the process
// (kill -9); a power loss may lose the last second. SyncAlways fsyncs every
// commit and survives a power loss; SyncNever leaves flushing to the kernel.
// buntdb now and then rewrites the file to drop old entries (shrink); the
// store fsyncs the rewritten file and its directory within a second. Open
// repairs a torn tail (a command cut short by a crash, or trailing garbage)
// by truncating the file after its last complete command.
//
// # Concurrency
//
// A Store is safe for concurrent use. Writes are serialised; reads run in
// parallel with each other. Stored objects are immutable: every object the
// store returns (Get, List, Create, Update, Delete, watch events) is a private
// deep copy that the caller may change, except from the shared variants
// (GetShared, CreateShared, GuaranteedUpdateShared, Apply, List and Watch
// with Shared set), which hand out the stored objects themselves for the
// engine's own loops and must never be changed. Apply writes a batch of
// creations and updates in a few transactions; each still takes its own
// revision and is its own watch event. Feed follows a resource like Watch
// for a consumer reading on its own goroutine. Only one Store may have a directory
// open at a time, in this process or any other (an exclusive flock on
// dir/min.lock).
//
// # Watch
//
// Every write is one event with the next revision. The store keeps the last
// Options.HistorySize events in memory; Watch replays from any revision still
// in that history and then follows new writes, in revision order, with
// nothing missed. Writers never wait for watchers. Each watcher has a small
// channel buffer; when its consumer stops reading and falls more than
// Options.WatchBuffer events further behind the newest revision than it was
// when the watch started, the channel is closed after the events already in
// it. The consumer resumes by watching again from the resourceVersion of
// the last event it received. If that revision has left the history, Watch
// fails with a Gone (410, reason Expired) error "too old
// resource version", and the consumer must list again, as in Kubernetes.
package store
