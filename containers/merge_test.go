package containers

import (
	"errors"
	"strings"
	"testing"
)

func TestArgv(t *testing.T) {
	img := ImageConfig{Entrypoint: []string{"/ep"}, Cmd: []string{"c1", "c2"}}
	tests := []struct {
		name    string
		c       ContainerSpec
		img     ImageConfig
		want    string
		wantErr bool
	}{
		{name: "image only", img: img, want: "/ep c1 c2"},
		{name: "command replaces entrypoint and cmd", c: ContainerSpec{Command: []string{"sh"}}, img: img, want: "sh"},
		{name: "command and args", c: ContainerSpec{Command: []string{"sh"}, Args: []string{"-c", "x"}}, img: img, want: "sh -c x"},
		{name: "args replace cmd", c: ContainerSpec{Args: []string{"a"}}, img: img, want: "/ep a"},
		{name: "cmd only image", img: ImageConfig{Cmd: []string{"sleep", "1"}}, want: "sleep 1"},
		{name: "nothing", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := argv(tc.c, tc.img)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("argv = %v, %v; want ErrInvalid", got, err)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("argv = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	tests := []struct {
		name     string
		img, ctr []string
		want     string
	}{
		{name: "default path", want: defaultPath},
		{name: "image path wins", img: []string{"PATH=/x", "A=1"}, want: "PATH=/x A=1"},
		{name: "container overrides", img: []string{"A=1", "B=2"}, ctr: []string{"B=3", "C=4"}, want: defaultPath + " A=1 B=3 C=4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(env(tc.img, tc.ctr), " "); got != tc.want {
				t.Errorf("env = %q, want %q", got, tc.want)
			}
		})
	}
}
