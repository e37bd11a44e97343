package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
)

func Example() {
	dir, _ := os.MkdirTemp("", "min-store-example-")
	defer os.RemoveAll(dir)
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	for _, pod := range [][2]string{{"web-1", "web"}, {"web-2", "web"}, {"db", "db"}} {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: pod[0], Labels: map[string]string{"app": pod[1]}}}
		if _, err := s.Create(p); err != nil {
			fmt.Println(err)
		}
	}
	sel, _ := labels.Parse("app=web")
	pods, rev, _ := s.List("pods", store.ListOptions{Namespace: "default", Labels: sel})
	for _, p := range pods {
		fmt.Println(p.GetObjectMeta().Name, p.GetObjectMeta().ResourceVersion)
	}
	fmt.Println("listed at revision", rev)

	_, err = s.Create(&api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "db"}})
	fmt.Println(err, errors.Is(err, api.ErrAlreadyExists))
	// Output:
	// web-1 1
	// web-2 2
	// listed at revision 3
	// pods "db" already exists true
}

// A watcher lists, then watches from the list's revision. When its channel
// closes (it fell behind, or the store closed) it watches again from the
// last resourceVersion it saw, and lists again if Watch says Gone.
func ExampleStore_Watch() {
	dir, _ := os.MkdirTemp("", "min-store-example-")
	defer os.RemoveAll(dir)
	s, _ := store.Open(dir, store.Options{})
	defer s.Close()
	s.Create(&api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "before"}})

	_, rev, _ := s.List("pods", store.ListOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := s.Watch(ctx, "pods", store.WatchOptions{ResourceVersion: fmt.Sprint(rev)})
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Create(&api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "after"}})
	s.Delete("pods", "default", "before", "")
	for range 2 {
		ev := <-events
		fmt.Println(ev.Type, ev.Object.GetObjectMeta().Name, ev.Object.GetObjectMeta().ResourceVersion)
	}
	_, err = s.Watch(ctx, "pods", store.WatchOptions{ResourceVersion: "0"})
	fmt.Println(err)
	// Output:
	// ADDED after 2
	// DELETED before 3
	// <nil>
}
