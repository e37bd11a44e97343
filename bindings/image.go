package bindings

import (
	"os"
	"path/filepath"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/cluster"
)

func (s *State) imageModule() module {
	return module{name: "image", doc: "The image store of the node this machine runs (needs the container runtime, so root).", funcs: []function{
		{"list", "()", "Returns the images: {name=, id=, size=, created=}.", s.imageList},
		{"import", "(name, source)", "Imports an image from a directory, a rootfs tar, a docker save archive or an OCI layout; returns it.", s.imageImport},
		{"remove", "(name)", "Removes an image.", s.imageRemove},
		{"build", "{name=, from=, files={[path_in_image]=host_path}, cmd=, entrypoint=, env=, workingDir=, user=}", "Builds an image from a base and files (a small Dockerfile) and returns it.", s.imageBuild},
		{"pull", "(ref, {insecure=false})", "Pulls an image from a registry and returns it.", s.imagePull},
	}}
}

// images finds the engine's image service (a type assertion, so a remote
// engine that implements it works the same).
func (s *State) images(L *lua.LState, fn string) cluster.ImageService {
	eng := s.api(L)
	if p, ok := eng.(*planner); ok {
		eng = p.base
	}
	im, ok := eng.(cluster.ImageService)
	if !ok {
		s.raise(L, reasonBadRequest, "%s: this engine has no image store", fn)
	}
	return im
}

func (s *State) pushImage(L *lua.LState, im cluster.Image) *lua.LTable {
	t := L.CreateTable(0, 4)
	t.RawSetString("name", lua.LString(im.Name))
	t.RawSetString("id", lua.LString(im.ID))
	t.RawSetString("size", lua.LNumber(im.Size))
	if !im.Created.IsZero() {
		t.RawSetString("created", lua.LString(im.Created.UTC().Format(time.RFC3339)))
	}
	return t
}

func (s *State) imageList(L *lua.LState) int {
	list, err := s.images(L, "image.list").ListImages(ctxOf(L))
	if err != nil {
		s.raiseErr(L, err)
	}
	t := L.CreateTable(len(list), 0)
	for _, im := range list {
		t.Append(s.pushImage(L, im))
	}
	L.Push(t)
	return 1
}

// mutating reports (and records) an image change in a dry run.
func (s *State) mutating(L *lua.LState, line string) bool {
	if s.plan == nil {
		s.api(L)
	}
	if s.plan == nil {
		return false
	}
	s.plan.note(line)
	return true
}

func (s *State) imageImport(L *lua.LState) int {
	name, source := L.CheckString(1), L.CheckString(2)
	if s.mutating(L, "+ image/"+name) {
		L.Push(s.pushImage(L, cluster.Image{Name: name}))
		return 1
	}
	im, err := s.images(L, "image.import").ImportImage(ctxOf(L), name, s.hostPath(source))
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.pushImage(L, im))
	return 1
}

func (s *State) imageRemove(L *lua.LState) int {
	name := L.CheckString(1)
	if s.mutating(L, "- image/"+name) {
		return 0
	}
	if err := s.images(L, "image.remove").RemoveImage(ctxOf(L), name); err != nil {
		s.raiseErr(L, err)
	}
	return 0
}

func (s *State) imageBuild(L *lua.LState) int {
	const fn = "image.build"
	t := L.CheckTable(1)
	s.checkKeys(L, t, fn, []string{"name", "from", "files", "cmd", "entrypoint", "env", "workingDir", "user"})
	b := cluster.ImageBuild{Name: fieldStr(t, "name"), From: fieldStr(t, "from"),
		WorkingDir: fieldStr(t, "workingDir"), User: fieldStr(t, "user")}
	if f := t.RawGetString("files"); f != lua.LNil {
		b.Files = s.stringMap(L, f, fn, "files")
		for dst, src := range b.Files {
			b.Files[dst] = s.hostPath(src)
		}
	}
	b.Cmd = s.strings(L, t.RawGetString("cmd"), fn, "cmd")
	b.Entrypoint = s.strings(L, t.RawGetString("entrypoint"), fn, "entrypoint")
	b.Env = s.strings(L, t.RawGetString("env"), fn, "env")
	if s.mutating(L, "+ image/"+b.Name) {
		L.Push(s.pushImage(L, cluster.Image{Name: b.Name}))
		return 1
	}
	im, err := s.images(L, fn).BuildImage(ctxOf(L), b)
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.pushImage(L, im))
	return 1
}

func (s *State) imagePull(L *lua.LState) int {
	const fn = "image.pull"
	ref := L.CheckString(1)
	o := s.options(L, 2, fn, "insecure")
	if s.mutating(L, "+ image/"+ref) {
		L.Push(s.pushImage(L, cluster.Image{Name: ref}))
		return 1
	}
	im, err := s.images(L, fn).PullImage(ctxOf(L), ref, o.boolOr("insecure", false))
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.pushImage(L, im))
	return 1
}

// strings reads a list of strings (or one string as a one-item list).
func (s *State) strings(L *lua.LState, v lua.LValue, fn, what string) []string {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		return []string{string(v)}
	case *lua.LTable:
		out := make([]string, 0, v.Len())
		for i := 1; i <= v.Len(); i++ {
			out = append(out, lua.LVAsString(v.RawGetInt(i)))
		}
		return out
	}
	s.raise(L, reasonBadRequest, "%s: %s must be a list of strings, got %s", fn, what, v.Type())
	return nil
}

// hostPath finds a host path the way manifest paths are found: as given
// (relative to the working directory) when it exists there, else in the
// script's folder, so that a script finds the files beside it wherever
// it is run from.
func (s *State) hostPath(p string) string {
	if filepath.IsAbs(p) || s.opts.ScriptDir == "" || pathExists(p) {
		return p
	}
	if q := filepath.Join(s.opts.ScriptDir, p); pathExists(q) {
		return q
	}
	return p
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
