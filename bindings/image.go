package bindings

import (
	"context"
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Images is what an engine implements when it has an image store. The
// bindings find it by a type assertion on the engine.Interface, so the
// image module works as soon as the container runtime is wired in.
type Images interface {
	ListImages(ctx context.Context) ([]Image, error)
	ImportImage(ctx context.Context, name, source string) (Image, error)
	RemoveImage(ctx context.Context, name string) error
}

// Image is one image of the local store.
type Image struct {
	Name   string // "busybox:latest"
	ID     string // "sha256:..."
	Size   int64  // bytes
	Source string // where it was imported from
}

func (s *State) imageModule() module {
	return module{name: "image", doc: "The local image store (needs the container runtime).", funcs: []function{
		{"list", "()", "Returns the images: {name=, id=, size=}.", s.imageList},
		{"import", "(name, source)", "Imports an image from a directory, a rootfs tar, a docker save archive or an OCI layout.", s.imageImport},
		{"remove", "(name)", "Removes an image.", s.imageRemove},
	}}
}

func (s *State) images(L *lua.LState, fn string) Images {
	im, ok := s.api(L).(Images)
	if !ok {
		if p, isPlan := s.api(L).(*planner); isPlan {
			im, ok = p.base.(Images)
		}
	}
	if !ok {
		s.raise(L, reasonBadRequest, "%s: this engine has no image store (the container runtime is not wired in)", fn)
	}
	return im
}

func (s *State) pushImage(L *lua.LState, im Image) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("name", lua.LString(im.Name))
	t.RawSetString("id", lua.LString(im.ID))
	t.RawSetString("size", lua.LNumber(im.Size))
	if im.Source != "" {
		t.RawSetString("source", lua.LString(im.Source))
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

func (s *State) imageImport(L *lua.LState) int {
	name, source := L.CheckString(1), L.CheckString(2)
	if s.plan != nil {
		s.plan.note(fmt.Sprintf("+ image/%s", name))
		L.Push(s.pushImage(L, Image{Name: name, Source: source}))
		return 1
	}
	im, err := s.images(L, "image.import").ImportImage(ctxOf(L), name, source)
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.pushImage(L, im))
	return 1
}

func (s *State) imageRemove(L *lua.LState) int {
	name := L.CheckString(1)
	if s.plan != nil {
		s.plan.note("- image/" + name)
		return 0
	}
	if err := s.images(L, "image.remove").RemoveImage(ctxOf(L), name); err != nil {
		s.raiseErr(L, err)
	}
	return 0
}
