package server

import (
	"fmt"
	"net/url"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/minspace/min/engine/api"
)

// initialEventsEnd is the annotation of the bookmark that closes the
// initial events of a watch-list stream (metav1.InitialEventsAnnotationKey).
const initialEventsEnd = "k8s.io/initial-events-end"

// notOlderThan is the only resourceVersionMatch a watch accepts.
const notOlderThan = "NotOlderThan"

// watchStart is how a watch begins: with the current objects as ADDED
// (initial), and then, for a watch-list stream (sendInitialEvents=true),
// with the bookmark that says they are all there (endBookmark).
type watchStart struct {
	initial     bool
	endBookmark bool
}

// startOf reads sendInitialEvents, resourceVersionMatch and
// allowWatchBookmarks as the apiserver does. Without sendInitialEvents
// the legacy rule holds: resourceVersion "" or "0" sends the current
// objects, any other continues after that revision. With it, the value
// decides, at any resourceVersion.
func startOf(q url.Values) (watchStart, error) {
	rv := q.Get("resourceVersion")
	send, given := q.Get("sendInitialEvents"), q.Has("sendInitialEvents")
	if errs := validateWatchList(q, given); len(errs) > 0 {
		err := api.NewInvalid("ListOptions.meta.k8s.io", "", errs)
		err.Details.Kind, err.Details.Group = "ListOptions", "meta.k8s.io"
		return watchStart{}, err
	}
	if !given {
		return watchStart{initial: rv == "" || rv == "0"}, nil
	}
	on := send == "true"
	return watchStart{initial: on, endBookmark: on}, nil
}

// validateWatchList is k8s.io/apimachinery's validateWatchOptions (with the
// WatchList feature on) and the apiserver's rule that a watch-list stream
// needs bookmarks.
func validateWatchList(q url.Values, given bool) field.ErrorList {
	var errs field.ErrorList
	match := q.Get("resourceVersionMatch")
	send := q.Get("sendInitialEvents")
	if given {
		if _, err := strconv.ParseBool(send); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("sendInitialEvents"), send, "must be true or false"))
		}
		if match != notOlderThan {
			errs = append(errs, field.Forbidden(field.NewPath("resourceVersionMatch"), fmt.Sprintf("sendInitialEvents requires setting resourceVersionMatch to %s", notOlderThan)))
		}
	}
	if match != "" {
		if !given {
			errs = append(errs, field.Forbidden(field.NewPath("resourceVersionMatch"), "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
		}
		if match != notOlderThan {
			errs = append(errs, field.NotSupported(field.NewPath("resourceVersionMatch"), match, []string{notOlderThan}))
		}
		if q.Get("continue") != "" {
			errs = append(errs, field.Forbidden(field.NewPath("resourceVersionMatch"), "resourceVersionMatch is forbidden when continue is provided"))
		}
	}
	if send == "true" && q.Get("allowWatchBookmarks") != "true" {
		errs = append(errs, field.Forbidden(field.NewPath("allowWatchBookmarks"), "allowWatchBookmarks must be set to true when sendInitialEvents is set to true"))
	}
	return errs
}

// checkNotOlderThan fails, as the apiserver does after waiting in vain,
// when the snapshot at revision have is older than the resourceVersion the
// client asked for (Min's store has no lagging cache to wait for).
func checkNotOlderThan(want, have string) error {
	if want == "" || want == "0" {
		return nil
	}
	w, err := strconv.ParseUint(want, 10, 64)
	if err != nil {
		return api.NewBadRequest(fmt.Sprintf("invalid resource version %q", want))
	}
	if h, err := strconv.ParseUint(have, 10, 64); err == nil && w > h {
		err := api.NewTimeout(fmt.Sprintf("Too large resource version: %d, current: %d", w, h))
		err.Details = &api.StatusDetails{Causes: []api.StatusCause{{Type: "ResourceVersionTooLarge", Message: "Too large resource version"}}}
		return err
	}
	return nil
}
