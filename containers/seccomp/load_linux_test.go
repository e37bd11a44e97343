package seccomp

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	moby "github.com/moby/profiles/seccomp"
)

func TestLoad(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("profiles are compiled for amd64")
	}
	tests := []struct {
		name    string
		profile string
		wantErr string
	}{
		{name: "allow all but mkdir", profile: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`},
		{name: "by capability", profile: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}`},
		{name: "not JSON", profile: `{`, wantErr: "seccomp:"},
		{name: "bad action", profile: `{"defaultAction":"SCMP_ACT_NOPE"}`, wantErr: "SCMP_ACT_NOPE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := Load([]byte(tc.profile))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(prog) < 4 {
				t.Fatalf("%d instructions, %v", len(prog), err)
			}
		})
	}
}

// TestLoadDockerDefault: Docker's own profile, as JSON, compiles to the
// program checked into containers/shim.
func TestLoadDockerDefault(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("profiles are compiled for amd64")
	}
	b, err := json.Marshal(moby.DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	want := dockerDefault(t)
	if len(prog) != len(want) {
		t.Fatalf("%d instructions, want %d", len(prog), len(want))
	}
	for i := range want {
		if prog[i].Code != want[i].Op || prog[i].Jt != want[i].Jt || prog[i].Jf != want[i].Jf || prog[i].K != want[i].K {
			t.Fatalf("instruction %d: %+v, want %+v", i, prog[i], want[i])
		}
	}
}
