package bindings

import (
	"os"
	"path/filepath"
	"strings"
)

// ContextFile is where minish's kubectl verbs keep their context's
// namespace ("namespace=NS", written by `minish config set-context
// --current --namespace=NS`), in the state directory.
const ContextFile = "kubectl-context"

// ContextNamespace is the namespace the context file of home names, or
// "" when there is none. min.kubectl (printers.context_namespace), minish's
// quick get and the kubeconfig for the real kubectl all read it here.
func ContextNamespace(home string) string {
	b, err := os.ReadFile(filepath.Join(home, ContextFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if ns, ok := strings.CutPrefix(strings.TrimSpace(line), "namespace="); ok && ns != "" {
			return ns
		}
	}
	return ""
}
