// Package crilog writes and reads container logs in the CRI format that the
// kubelet and crictl use:
//
//	<RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>
//
// F marks the end of a line, P a partial line cut at the line size limit.
// A Writer rotates its file at a size limit and keeps a bounded number of
// files; Read returns the lines of every file of one container instance, oldest
// first (Kubernetes reads only the newest file; Min reads them all).
//
// It owns nothing but the files it is given and imports nothing from Min.
// Concurrency: a Writer is safe for concurrent use by its streams (stdout and
// stderr copy into it from two goroutines); Read may run concurrently with a
// Writer on the same files.
package crilog
