package server

import (
	"net/http"
	"runtime"
	"strings"

	"github.com/minspace/min/engine/server/wire"
)

// ServedKubeVersion is the Kubernetes version /version announces. Its
// minor picks the kubectl binary that Debian's kubectl dispatcher runs
// (it ships 1.27 to 1.33 and runs the one matching the server's minor),
// so it is the release Min's kubectl tests run against: 1.32. The
// engine's own semantics follow engine.KubeVersion (nodes report it as
// their kubelet version).
const ServedKubeVersion = "v1.32.4"

// versionInfo is /version: the Kubernetes release kubectl should behave
// as against, and Min's own version.
func (s *Server) versionInfo() wire.Version {
	major, minor := "", ""
	parts := strings.SplitN(strings.TrimPrefix(ServedKubeVersion, "v"), ".", 3)
	if len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	return wire.Version{Major: major, Minor: minor, GitVersion: ServedKubeVersion, GitTreeState: "clean",
		GoVersion: runtime.Version(), Compiler: runtime.Compiler, Platform: runtime.GOOS + "/" + runtime.GOARCH,
		MinVersion: s.opts.Version}
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed())
		return
	}
	s.versionDoc.serve(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
