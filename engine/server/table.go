package server

import (
	"mime"
	"net/http"
	"strings"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/printers"
)

// tableContentType is what the apiserver labels a Table answer with.
const tableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

// wantsTable reports whether the request's Accept header prefers a
// meta.k8s.io Table (kubectl get without -o, or -o wide) to the object:
// the first entry Min can serve decides, as in the apiserver's content
// negotiation.
func wantsTable(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if !strings.Contains(accept, "as=Table") {
		return false
	}
	for _, entry := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(entry))
		if err != nil {
			continue
		}
		if mt != "application/json" && mt != "*/*" && mt != "application/*" {
			continue // protobuf, yaml: kubectl lists JSON after them
		}
		if params["as"] == "" {
			return false
		}
		if params["as"] == "Table" && params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1") {
			return true
		}
	}
	return false
}

// tableOf renders objs as the Table JSON of resource, with the row objects
// includeObject asks for. withColumns false leaves the column definitions
// out (null), as in every watch event after the first.
func tableOf(resource string, objs []api.Object, rv, includeObject string, withColumns bool) ([]byte, error) {
	// printers.Now: $MIN_NOW pins ages for golden tests, as minish's own tables.
	t, err := printers.TableFor(resource, objs, printers.Now())
	if err != nil {
		return nil, err
	}
	if !withColumns {
		t.Columns = nil
	}
	return printers.TableJSON(t, rv, includeObject)
}

// writeTable writes a Table answer.
func writeTable(w http.ResponseWriter, b []byte) {
	writeBytes(w, http.StatusOK, tableContentType, b)
}
