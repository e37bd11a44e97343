// Package cgroup is Min's small layer over the cgroup filesystem: it creates
// a pod's and its containers' cgroups, sets memory, cpu and pids limits,
// moves threads in, reads OOM kills, kills what is left and removes the
// directories.
//
// It supports cgroup v1 (including hybrid machines, where the v1 controllers
// carry the limits and the unified tree has none) and the unified v2
// hierarchy. Groups are created under the cgroups the calling process is in,
// as runc does, because a nested process may not write elsewhere.
//
// It imports nothing from Min. Concurrency: Group is a plain value; its
// methods touch only the kernel's files and may run concurrently on
// different groups.
package cgroup
