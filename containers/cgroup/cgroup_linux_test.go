package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const hybridMountinfo = `25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
31 25 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755
33 31 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
36 31 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
37 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
38 31 0:33 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
`

const hybridSelf = `8:pids:/
4:memory:/process_api/abc
1:cpu,cpuacct:/user
0::/
`

func TestSelf(t *testing.T) {
	tests := []struct {
		name      string
		mode      Mode
		self      string
		mountinfo string
		want      map[string]string
		wantErr   bool
	}{
		{
			name: "hybrid v1", mode: V1, self: hybridSelf, mountinfo: hybridMountinfo,
			want: map[string]string{
				"memory": "/sys/fs/cgroup/memory/process_api/abc",
				"cpu":    "/sys/fs/cgroup/cpu,cpuacct/user",
				"pids":   "/sys/fs/cgroup/pids",
			},
		},
		{
			name: "unified", mode: V2, self: "0::/user.slice/s.scope\n",
			mountinfo: "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			want:      map[string]string{"": "/sys/fs/cgroup/user.slice/s.scope"},
		},
		{
			name: "container root offset", mode: V2, self: "0::/pod/ctr\n",
			mountinfo: "30 25 0:26 /pod /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			want:      map[string]string{"": "/sys/fs/cgroup/ctr"},
		},
		{
			name: "v1 without pids", mode: V1, self: "4:memory:/\n1:cpu:/\n",
			mountinfo: hybridMountinfo, wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := self(tc.mode, []byte(tc.self), []byte(tc.mountinfo))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("self = %v, want an error", g)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(g.Dirs) != fmt.Sprint(tc.want) {
				t.Errorf("dirs = %v, want %v", g.Dirs, tc.want)
			}
		})
	}
}

func TestLimitFiles(t *testing.T) {
	v1 := Group{Mode: V1, Dirs: map[string]string{"memory": "/m", "cpu": "/c", "pids": "/p"}}
	v2 := Group{Mode: V2, Dirs: map[string]string{"": "/u"}}
	tests := []struct {
		name string
		g    Group
		l    Limits
		want string
	}{
		{name: "v1 all", g: v1, l: Limits{MemoryBytes: 1 << 20, CPUMilli: 500, Pids: 7},
			want: "/m/memory.limit_in_bytes=1048576 /c/cpu.cfs_period_us=100000 /c/cpu.cfs_quota_us=50000 /p/pids.max=7"},
		{name: "v2 all", g: v2, l: Limits{MemoryBytes: 1 << 20, CPUMilli: 250, Pids: 7},
			want: "/u/memory.max=1048576 /u/memory.swap.max=0 /u/cpu.max=25000 100000 /u/pids.max=7"},
		{name: "tiny cpu clamps to 1ms", g: v1, l: Limits{CPUMilli: 1},
			want: "/c/cpu.cfs_period_us=100000 /c/cpu.cfs_quota_us=1000"},
		{name: "none", g: v2, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, w := range tc.g.limitFiles(tc.l) {
				got = append(got, w.dir+"/"+w.file+"="+w.value)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %q\nwant %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestSetWritesV2Files(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"memory.max", "cpu.max", "pids.max"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := Group{Mode: V2, Dirs: map[string]string{"": dir}}
	if err := g.Set(Limits{MemoryBytes: 4096, CPUMilli: 2000, Pids: 3}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"memory.max": "4096", "cpu.max": "200000 100000", "pids.max": "3"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != want {
			t.Errorf("%s = %q, want %q", f, b, want)
		}
	}
	missing := Group{Mode: V2, Dirs: map[string]string{"": t.TempDir()}}
	if err := missing.Set(Limits{Pids: 3}); err == nil {
		t.Error("Set without pids.max succeeded, want ErrNoController")
	}
}

// TestRealGroup creates a group on this machine, limits it, moves a thread
// in and removes it.
func TestRealGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	mode := Detect()
	base, err := Self(mode)
	if err != nil {
		t.Skip("no usable cgroup hierarchy: ", err)
	}
	g := base.Child(fmt.Sprintf("min-test-%d", os.Getpid())).Child("pod")
	t.Cleanup(func() {
		if err := base.Child(fmt.Sprintf("min-test-%d", os.Getpid())).Remove(5 * time.Second); err != nil {
			t.Error(err)
		}
	})
	if err := g.Create(); err != nil {
		t.Fatal(err)
	}
	if err := g.Set(Limits{MemoryBytes: 64 << 20, CPUMilli: 500, Pids: 16}); err != nil {
		t.Fatal(err)
	}
	if mode == V1 {
		b, _ := os.ReadFile(filepath.Join(g.Dirs["memory"], "memory.limit_in_bytes"))
		if strings.TrimSpace(string(b)) != fmt.Sprint(64<<20) {
			t.Errorf("memory.limit_in_bytes = %q", b)
		}
		// A thread moved in shows up; it leaves when it exits.
		var err error
		OnThrowawayThread(func() { err = g.AddThread(unix.Gettid()) })
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := g.OOMKills(); err != nil || n != 0 {
		t.Errorf("OOMKills = %d, %v; want 0", n, err)
	}
	if !g.Exists() {
		t.Error("group does not exist after Create")
	}
}

func TestRoot(t *testing.T) {
	g, err := Root(Detect())
	if err != nil {
		t.Skip("no usable cgroup hierarchy: ", err)
	}
	for c, d := range g.Dirs {
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			t.Errorf("root of %q: %v", c, err)
		}
	}
}

func TestSelfAndRootAgree(t *testing.T) {
	mode := Detect()
	self, err := Self(mode)
	if err != nil {
		t.Skip("no usable cgroup hierarchy: ", err)
	}
	root, err := Root(mode)
	if err != nil {
		t.Fatal(err)
	}
	self2, root2, err := SelfAndRoot(mode)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(self2) != fmt.Sprint(self) || fmt.Sprint(root2) != fmt.Sprint(root) {
		t.Errorf("SelfAndRoot = %v, %v; want %v, %v", self2, root2, self, root)
	}
}

// TestRemoveIfEmpty: a parent with a child group stays; once empty it goes.
func TestRemoveIfEmpty(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	base, err := Self(Detect())
	if err != nil {
		t.Skip("no usable cgroup hierarchy: ", err)
	}
	parent := base.Child(fmt.Sprintf("min-test-empty-%d", os.Getpid()))
	t.Cleanup(func() { parent.Remove(5 * time.Second) })
	child := parent.Child("pod")
	if err := child.Create(); err != nil {
		t.Fatal(err)
	}
	if err := parent.RemoveIfEmpty(); err != nil {
		t.Fatalf("RemoveIfEmpty with a child: %v", err)
	}
	if !child.Exists() {
		t.Fatal("RemoveIfEmpty removed a parent in use")
	}
	if err := child.Remove(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := parent.RemoveIfEmpty(); err != nil {
		t.Fatal(err)
	}
	if parent.Exists() {
		t.Error("empty parent left")
	}
	if err := parent.RemoveIfEmpty(); err != nil {
		t.Errorf("RemoveIfEmpty of a removed group: %v", err)
	}
}
