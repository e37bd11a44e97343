package containers

import (
	"sync"
	"testing"
)

func TestPodLocks(t *testing.T) {
	r := &Runtime{locks: map[string]*podLock{}}
	var mu sync.Mutex
	inside := map[string]int{}
	var wg sync.WaitGroup
	for i := range 50 {
		uid := []string{"a", "b"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := r.lock(uid)
			defer unlock()
			mu.Lock()
			inside[uid]++
			if inside[uid] > 1 {
				t.Errorf("two callers inside the lock of %s", uid)
			}
			mu.Unlock()
			mu.Lock()
			inside[uid]--
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(r.locks) != 0 {
		t.Errorf("locks of %d pods kept after use", len(r.locks))
	}
}
