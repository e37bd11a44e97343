package bindings

import (
	"net"
	"reflect"
	"strings"
	"testing"
)

func TestParseForwardPorts(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  []forwardPort
		err   string
	}{
		{"pair", []string{"8888:8080"}, []forwardPort{{8888, 8080}}, ""},
		{"same port", []string{"8080"}, []forwardPort{{8080, 8080}}, ""},
		{"any local", []string{":8080", "0:9090"}, []forwardPort{{0, 8080}, {0, 9090}}, ""},
		{"bad local", []string{"x:80"}, nil, `error parsing local port 'x': strconv.ParseUint: parsing "x": invalid syntax`},
		{"bad remote", []string{"80:99999"}, nil, `error parsing remote port '99999': strconv.ParseUint: parsing "99999": value out of range`},
		{"zero remote", []string{"80:0"}, nil, "remote port cannot be zero"},
		{"three parts", []string{"1:2:3"}, nil, "invalid port format '1:2:3'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseForwardPorts(tc.specs)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestForwardListen(t *testing.T) {
	tests := []struct {
		name      string
		addresses []string
		hosts     []string // the loopback ones that may be absent are not listed
		err       string
	}{
		{"localhost by default", nil, []string{"127.0.0.1"}, ""},
		{"an IP", []string{"127.0.0.1"}, []string{"127.0.0.1"}, ""},
		{"not an IP", []string{"nowhere"}, nil, "nowhere is not a valid IP"},
		{"an address this machine lacks", []string{"192.0.2.1"}, nil, "Listeners failed to create"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addrs, err := forwardAddresses(tc.addresses)
			var lns []net.Listener
			if err == nil {
				lns, err = listen(addrs, 0)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			port := lns[0].Addr().(*net.TCPAddr).Port
			for _, ln := range lns {
				if p := ln.Addr().(*net.TCPAddr).Port; p != port {
					t.Errorf("listener on port %d, want %d on every address", p, port)
				}
				ln.Close()
			}
			if got := lns[0].Addr().(*net.TCPAddr).IP.String(); got != tc.hosts[0] {
				t.Errorf("first listener on %s, want %s", got, tc.hosts[0])
			}
		})
	}
}
