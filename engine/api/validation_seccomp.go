package api

import (
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// seccompTypes in the order Kubernetes lists them as supported values.
var seccompTypes = []string{SeccompProfileLocalhost, SeccompProfileRuntimeDefault, SeccompProfileUnconfined}

// validateSeccompProfiles is Kubernetes' validateSeccompProfileField for
// the pod's securityContext and each container's, with its texts. An
// empty profile counts as absent (Min's types are values).
func validateSeccompProfiles(s *PodSpec, fldPath *field.Path) field.ErrorList {
	errs := validateSeccompProfile(s.SecurityContext.SeccompProfile, fldPath.Child("securityContext", "seccompProfile"))
	for i := range s.Containers {
		p := fldPath.Child("containers").Index(i).Child("securityContext", "seccompProfile")
		errs = append(errs, validateSeccompProfile(s.Containers[i].SecurityContext.SeccompProfile, p)...)
	}
	return errs
}

func validateSeccompProfile(sp SeccompProfile, fldPath *field.Path) field.ErrorList {
	if sp == (SeccompProfile{}) {
		return nil
	}
	var errs field.ErrorList
	switch sp.Type {
	case SeccompProfileLocalhost, SeccompProfileRuntimeDefault, SeccompProfileUnconfined:
	case "":
		errs = append(errs, field.Required(fldPath.Child("type"), "type is required when seccompProfile is set"))
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("type"), sp.Type, seccompTypes))
	}
	lp := fldPath.Child("localhostProfile")
	switch {
	case sp.Type == SeccompProfileLocalhost && sp.LocalhostProfile == "":
		errs = append(errs, field.Required(lp, "must be set when seccomp type is Localhost"))
	case sp.Type == SeccompProfileLocalhost:
		errs = append(errs, validateLocalDescendingPath(sp.LocalhostProfile, lp)...)
	case sp.LocalhostProfile != "":
		errs = append(errs, field.Invalid(lp, sp.LocalhostProfile, "can only be set when seccomp type is Localhost"))
	}
	return errs
}

// validateLocalDescendingPath: a relative path without "..".
func validateLocalDescendingPath(p string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(p) {
		errs = append(errs, field.Invalid(fldPath, p, "must be a relative path"))
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			errs = append(errs, field.Invalid(fldPath, p, "must not contain '..'"))
			break
		}
	}
	return errs
}
