package image_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/minspace/min/containers/image"
)

// A runtime resolves an image to overlayfs lowerdirs and a config.
func Example() {
	home, err := os.MkdirTemp("", "min-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)

	// A tiny root file system to import.
	rootfs := filepath.Join(home, "rootfs")
	os.MkdirAll(filepath.Join(rootfs, "bin"), 0o755)
	os.WriteFile(filepath.Join(rootfs, "bin/hello"), []byte("#!/bin/sh\necho hello\n"), 0o755)

	store, err := image.Open(filepath.Join(home, "images"), image.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := store.Import("docker.io/library/hello", rootfs); err != nil {
		log.Fatal(err)
	}
	// Build: a new image from a base plus files, the Lua way to write a
	// small Dockerfile.
	app, err := store.Build(image.BuildSpec{Name: "hello-app", From: "hello",
		Files: map[string]string{"/app/hello": filepath.Join(rootfs, "bin/hello")},
		Cmd:   []string{"/app/hello"}, Env: []string{"GREETING=hi"}})
	if err != nil {
		log.Fatal(err)
	}
	layers, cfg, err := store.Resolve("hello-app:latest")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.Name, len(layers), "layers")
	fmt.Println("cmd:", cfg.Cmd, "env:", cfg.Env)
	// Output:
	// hello-app:latest 2 layers
	// cmd: [/app/hello] env: [GREETING=hi]
}
