package api

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateSeccompProfiles(t *testing.T) {
	pod := func(podSP, ctrSP SeccompProfile) *PodSpec {
		return &PodSpec{SecurityContext: PodSecurityContext{SeccompProfile: podSP},
			Containers: []Container{{Name: "c", SecurityContext: SecurityContext{SeccompProfile: ctrSP}}}}
	}
	tests := []struct {
		name string
		spec *PodSpec
		want []string // the error texts, in order
	}{
		{name: "none", spec: pod(SeccompProfile{}, SeccompProfile{})},
		{name: "runtime default and unconfined", spec: pod(SeccompProfile{Type: "RuntimeDefault"}, SeccompProfile{Type: "Unconfined"})},
		{name: "localhost", spec: pod(SeccompProfile{}, SeccompProfile{Type: "Localhost", LocalhostProfile: "profiles/audit.json"})},
		{name: "unknown type", spec: pod(SeccompProfile{Type: "Default"}, SeccompProfile{}),
			want: []string{`spec.securityContext.seccompProfile.type: Unsupported value: "Default": supported values: "Localhost", "RuntimeDefault", "Unconfined"`}},
		{name: "type required", spec: pod(SeccompProfile{}, SeccompProfile{LocalhostProfile: "p.json"}),
			want: []string{`spec.containers[0].securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set`,
				`spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "p.json": can only be set when seccomp type is Localhost`}},
		{name: "localhost without a profile", spec: pod(SeccompProfile{Type: "Localhost"}, SeccompProfile{}),
			want: []string{`spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost`}},
		{name: "absolute profile", spec: pod(SeccompProfile{}, SeccompProfile{Type: "Localhost", LocalhostProfile: "/etc/p.json"}),
			want: []string{`spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "/etc/p.json": must be a relative path`}},
		{name: "climbing profile", spec: pod(SeccompProfile{}, SeccompProfile{Type: "Localhost", LocalhostProfile: "a/../../p.json"}),
			want: []string{`spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "a/../../p.json": must not contain '..'`}},
		{name: "profile with another type", spec: pod(SeccompProfile{Type: "RuntimeDefault", LocalhostProfile: "p.json"}, SeccompProfile{}),
			want: []string{`spec.securityContext.seccompProfile.localhostProfile: Invalid value: "p.json": can only be set when seccomp type is Localhost`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateSeccompProfiles(tc.spec, field.NewPath("spec"))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// ValidateObject checks the profiles: a pod with a bad one is refused at
// create, not when its container starts.
func TestValidateObjectChecksSeccompProfiles(t *testing.T) {
	p := goodPod()
	SetDefaults(p)
	p.Spec.Containers[0].SecurityContext.SeccompProfile = SeccompProfile{Type: "Bogus"}
	errs := ValidateObject(p)
	if len(errs) != 1 || errs[0].Field != "spec.containers[0].securityContext.seccompProfile.type" {
		t.Fatalf("errors %v", errs)
	}
}
