package cgroup

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// OnThrowawayThread runs fn on an OS thread that is discarded afterwards, so
// fn may change per-thread state (namespaces, cgroup membership,
// capabilities) that must not leak to other goroutines. The main thread is
// never used: a locked goroutine that exits there wedges it instead of
// ending it.
func OnThrowawayThread(fn func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if unix.Gettid() != unix.Getpid() {
			fn()
			close(done)
			return
		}
		// On the main thread: hop to another one while this one is held.
		go func() {
			runtime.LockOSThread()
			fn()
			close(done)
		}()
		<-done
		runtime.UnlockOSThread()
	}()
	<-done
}
