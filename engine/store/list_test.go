package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// randomStore fills a store with pods whose labels come from small domains,
// so that random selectors match some but not all.
func randomStore(t *testing.T, rng *rand.Rand, n int) (*Store, []*api.Pod) {
	s := open(t, t.TempDir(), Options{})
	var pods []*api.Pod
	for i := range n {
		ls := map[string]string{}
		for _, k := range []string{"app", "env", "tier", "x"} {
			if rng.IntN(4) > 0 {
				ls[k] = fmt.Sprint(k[:1], rng.IntN(4))
			}
		}
		p := pod(fmt.Sprint("ns", rng.IntN(3)), fmt.Sprint("p", i), ls)
		p.Spec.NodeName = fmt.Sprint("node", rng.IntN(3))
		p.Status.Phase = []string{"Pending", "Running", "Failed"}[rng.IntN(3)]
		pods = append(pods, mustCreate(t, s, p).(*api.Pod))
	}
	// Updates and deletes must leave the indexes right too.
	for i := 0; i < n; i += 7 {
		p := pods[i].DeepCopyObject().(*api.Pod)
		p.Labels["app"] = fmt.Sprint("a", rng.IntN(4))
		p.Spec.NodeName = "node0"
		pods[i] = must(s.Update(p)).(*api.Pod)
	}
	for i := 3; i < n; i += 11 {
		must(s.Delete("pods", pods[i].Namespace, pods[i].Name, ""))
		pods[i] = nil
	}
	return s, slices.DeleteFunc(pods, func(p *api.Pod) bool { return p == nil })
}

func must(obj api.Object, err error) api.Object {
	if err != nil {
		panic(err)
	}
	return obj
}

// randomSelector writes a selector in the full grammar.
func randomSelector(rng *rand.Rand) string {
	var reqs []string
	for range 1 + rng.IntN(3) {
		k := []string{"app", "env", "tier", "x", "missing"}[rng.IntN(5)]
		v := func() string { return fmt.Sprint(k[:1], rng.IntN(5)) }
		switch rng.IntN(8) {
		case 0:
			reqs = append(reqs, k+"="+v())
		case 1:
			reqs = append(reqs, k+"=="+v())
		case 2:
			reqs = append(reqs, k+"!="+v())
		case 3:
			reqs = append(reqs, fmt.Sprintf("%s in (%s,%s)", k, v(), v()))
		case 4:
			reqs = append(reqs, fmt.Sprintf("%s notin (%s,%s)", k, v(), v()))
		case 5:
			reqs = append(reqs, k)
		case 6:
			reqs = append(reqs, "!"+k)
		case 7:
			reqs = append(reqs, k+"=")
		}
	}
	return strings.Join(reqs, ",")
}

func randomFieldSelector(rng *rand.Rand) string {
	switch rng.IntN(5) {
	case 0:
		return ""
	case 1:
		return fmt.Sprint("spec.nodeName=node", rng.IntN(4))
	case 2:
		return fmt.Sprint("status.phase!=Running,metadata.name=p", rng.IntN(50))
	case 3:
		return fmt.Sprint("metadata.namespace==ns", rng.IntN(3), ",spec.nodeName!=node1")
	}
	return "status.phase=Pending"
}

// The index must give exactly what a brute-force scan gives.
func TestListMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s, pods := randomStore(t, rng, 300)
	for i := range 2000 {
		lsText, fsText := randomSelector(rng), randomFieldSelector(rng)
		ns := []string{"", "ns0", "ns1", "nsX"}[rng.IntN(4)]
		ls, err := labels.Parse(lsText)
		if err != nil {
			t.Fatalf("parse %q: %v", lsText, err)
		}
		fs, err := fields.ParseSelector(fsText)
		if err != nil {
			t.Fatalf("parse %q: %v", fsText, err)
		}
		var want []string
		for _, p := range pods {
			f := fields.Set{"metadata.name": p.Name, "metadata.namespace": p.Namespace,
				"spec.nodeName": p.Spec.NodeName, "status.phase": p.Status.Phase}
			if (ns == "" || p.Namespace == ns) && ls.Matches(labels.Set(p.Labels)) && fs.Matches(f) {
				want = append(want, p.Namespace+"/"+p.Name)
			}
		}
		slices.Sort(want) // names sort like (namespace, name) here
		got, rev, err := s.List("pods", ListOptions{Namespace: ns, Labels: ls, Fields: fs})
		if err != nil {
			t.Fatal(err)
		}
		if g := names(got); !slices.Equal(g, want) && !(len(g) == 0 && len(want) == 0) {
			t.Fatalf("case %d: -n %q -l %q --field-selector %q:\n got %v\nwant %v", i, ns, lsText, fsText, g, want)
		}
		if rev != s.Revision() {
			t.Fatalf("list revision %d, store %d", rev, s.Revision())
		}
	}
}

func TestListOrderAndScope(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	// "a-b" sorts after "a" as a namespace, although "a-b/" < "a/" as a string.
	for _, k := range []string{"b/x", "a-b/y", "a/z", "a/c", "a-b/a"} {
		ns, name, _ := strings.Cut(k, "/")
		mustCreate(t, s, pod(ns, name, nil))
	}
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n2"}})
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}})
	tests := []struct {
		name     string
		resource string
		opts     ListOptions
		want     []string
	}{
		{"all", "pods", ListOptions{}, []string{"a/c", "a/z", "a-b/a", "a-b/y", "b/x"}},
		{"one namespace", "pods", ListOptions{Namespace: "a"}, []string{"a/c", "a/z"}},
		{"missing namespace is empty", "pods", ListOptions{Namespace: "zzz"}, []string{}},
		{"label nothing", "pods", ListOptions{Labels: labels.Nothing()}, []string{}},
		{"cluster-scoped ignores namespace", "nodes", ListOptions{Namespace: "a"}, []string{"/n1", "/n2"}},
		{"by name everywhere", "pods", ListOptions{Fields: fields.OneTermEqualSelector("metadata.name", "a")}, []string{"a-b/a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := s.List(tc.resource, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, tc.want) && !(len(g) == 0 && len(tc.want) == 0) {
				t.Fatalf("got %v, want %v", g, tc.want)
			}
		})
	}
	if _, _, err := s.List("widgets", ListOptions{}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("unknown resource: %v", err)
	}
}

func TestFieldSelectors(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	p := pod("default", "web", nil)
	p.Spec.NodeName, p.Status.Phase = "node1", "Running"
	mustCreate(t, s, p)
	mustCreate(t, s, pod("default", "db", nil))
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}, Spec: api.NodeSpec{Unschedulable: true}})
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n2"}})
	ev := &api.Event{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web.1"}, Reason: "Scheduled", Type: "Normal",
		InvolvedObject: api.ObjectReference{Kind: "Pod", Name: "web", Namespace: "default", UID: "u1"}}
	mustCreate(t, s, ev)
	mustCreate(t, s, &api.Event{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "db.1"}, Reason: "Failed", Type: "Warning",
		InvolvedObject: api.ObjectReference{Kind: "Pod", Name: "db", Namespace: "default", UID: "u2"}})
	tests := []struct {
		resource, selector string
		want               []string
		err                string
	}{
		{"pods", "spec.nodeName=node1", []string{"default/web"}, ""},
		{"pods", "spec.nodeName=", []string{"default/db"}, ""},
		{"pods", "status.phase!=Running", []string{"default/db"}, ""},
		{"pods", "metadata.name=db,metadata.namespace=default", []string{"default/db"}, ""},
		{"pods", "metadata.namespace!=default", nil, ""},
		{"pods", "spec.bogus=1", nil, "field label not supported: spec.bogus"},
		{"nodes", "spec.unschedulable=true", []string{"/n1"}, ""},
		{"nodes", "spec.unschedulable=false", []string{"/n2"}, ""},
		{"nodes", "status.phase=x", nil, "field label not supported: status.phase"},
		{"events", "involvedObject.kind=Pod,involvedObject.name=web", []string{"default/web.1"}, ""},
		{"events", "involvedObject.uid=u2", []string{"default/db.1"}, ""},
		{"events", "involvedObject.namespace=default,reason=Failed", []string{"default/db.1"}, ""},
		{"events", "type=Normal", []string{"default/web.1"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.resource+" "+tc.selector, func(t *testing.T) {
			got, _, err := s.List(tc.resource, ListOptions{Fields: fields.ParseSelectorOrDie(tc.selector)})
			if tc.err != "" {
				if !errors.Is(err, api.ErrBadRequest) || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, tc.want) && !(len(g) == 0 && len(tc.want) == 0) {
				t.Fatalf("got %v, want %v", g, tc.want)
			}
		})
	}
}
