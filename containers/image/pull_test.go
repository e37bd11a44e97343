package image

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// loopbackRegistry serves go-containerregistry's in-memory registry on
// 127.0.0.1 and returns its host:port.
func loopbackRegistry(t *testing.T) (string, func()) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), srv.Close
}

func TestPull(t *testing.T) {
	host, _ := loopbackRegistry(t)
	img := craftedImage(t)
	ref, err := name.ParseReference(host + "/team/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	got, err := s.Pull(context.Background(), host+"/team/app:v1", PullOptions{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != host+"/team/app:v1" {
		t.Errorf("name = %q", got.Name)
	}
	checkCrafted(t, s, host+"/team/app:v1", img)
}

func TestPullErrors(t *testing.T) {
	host, _ := loopbackRegistry(t)
	deadHost, stop := loopbackRegistry(t)
	stop()
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		name     string
		ctx      context.Context
		ref      string
		notFound bool
	}{
		{"missing repository", ctx, host + "/nobody/here:v1", true},
		{"unreachable registry", ctx, deadHost + "/team/app:v1", false},
		{"cancelled", cancelled, host + "/team/app:v1", false},
		{"invalid reference", ctx, host + "/UPPER:v1", false},
	}
	s := openStore(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Pull(c.ctx, c.ref, PullOptions{})
			if !errors.Is(err, ErrPull) {
				t.Fatalf("err = %v, want ErrPull", err)
			}
			if errors.Is(err, ErrImageNotFound) != c.notFound {
				t.Errorf("errors.Is(err, ErrImageNotFound) = %v, want %v (%v)", !c.notFound, c.notFound, err)
			}
		})
	}
	if imgs, _ := s.List(); len(imgs) != 0 {
		t.Errorf("failed pulls left %v", imgs)
	}
}
