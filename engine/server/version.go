package server

import (
	"net/http"
	"runtime"
	"strings"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/server/wire"
)

// versionInfo is /version: the Kubernetes release Min matches, and Min's
// own version.
func (s *Server) versionInfo() wire.Version {
	major, minor := "", ""
	parts := strings.SplitN(strings.TrimPrefix(engine.KubeVersion, "v"), ".", 3)
	if len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	return wire.Version{Major: major, Minor: minor, GitVersion: engine.KubeVersion, GitTreeState: "clean",
		GoVersion: runtime.Version(), Compiler: runtime.Compiler, Platform: runtime.GOOS + "/" + runtime.GOARCH,
		MinVersion: s.opts.Version}
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed())
		return
	}
	writeJSON(w, http.StatusOK, s.versionInfo())
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
