package api

import "encoding/json"

// jsonCopy is a correct but slow deep copy; hand-written copies replace it
// kind by kind (see deepcopy_*.go).
func jsonCopy[T any](in *T) *T {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

func (p *Pod) DeepCopyObject() Object                   { return jsonCopy(p) }
func (n *Node) DeepCopyObject() Object                  { return jsonCopy(n) }
func (n *Namespace) DeepCopyObject() Object             { return jsonCopy(n) }
func (r *ReplicationController) DeepCopyObject() Object { return jsonCopy(r) }
func (e *Event) DeepCopyObject() Object                 { return jsonCopy(e) }
