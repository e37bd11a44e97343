package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/minspace/min/containers"
	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/engine/api"
)

// Image back-off, as the kubelet's: 10 s doubling to 5 min.
const (
	imageBackoffInitial = 10 * time.Second
	imageBackoffMax     = 5 * time.Minute
)

// start runs a pod: images first (the busybox image is assembled on
// demand; any other must have been imported or pulled, since Min never
// reaches out to a registry on its own), then the sandbox and containers.
func (k *kubelet) start(ctx context.Context, p *api.Pod, rec *podRecord) {
	k.writeStatus(p, rec, k.creatingStatus(p))
	ids, err := k.ensureImages(p)
	if err == nil {
		var spec containers.PodSpec
		if spec, err = k.runtimeSpec(p); err != nil {
			k.createFailed(p, rec, err)
		} else if err = k.rt.RunPod(ctx, spec); err != nil {
			k.e.events.record(p, "Warning", "Failed", "kubelet", "Error: "+err.Error())
		}
	}
	k.mu.Lock()
	rec.starting = false
	if err != nil {
		rec.pullFail++
		rec.retryAt = time.Now().Add(backoff(rec.pullFail))
		k.mu.Unlock()
		return
	}
	rec.pullFail, rec.started, rec.imageIDs = 0, true, ids
	k.syncStatus(rec) // the Running status first: events are not on the pod's way to Running
	k.mu.Unlock()
	for _, c := range p.Spec.Containers {
		k.e.events.record(p, "Normal", "Created", "kubelet", "Created container: "+c.Name)
		k.e.events.record(p, "Normal", "Started", "kubelet", "Started container "+c.Name)
	}
}

func backoff(failures int) time.Duration {
	d := imageBackoffInitial
	for i := 1; i < failures && d < imageBackoffMax; i++ {
		d *= 2
	}
	return min(d, imageBackoffMax)
}

// ensureImages finds every container's image; a missing one puts the pod
// in ErrImagePull, then ImagePullBackOff, as Kubernetes does.
func (k *kubelet) ensureImages(p *api.Pod) (map[string]string, error) {
	ids := map[string]string{}
	for _, c := range p.Spec.Containers {
		img, err := k.images.Get(c.Image)
		if err != nil && isBusybox(c.Image) {
			img, err = k.images.EnsureBusybox()
		}
		if err != nil {
			k.imageFailed(p, c, err)
			return nil, err
		}
		ids[c.Name] = img.ID
		k.e.events.record(p, "Normal", "Pulled", "kubelet", fmt.Sprintf("Container image %q already present on machine", c.Image))
	}
	return ids, nil
}

func isBusybox(ref string) bool {
	n, err := image.Normalize(ref)
	return err == nil && n == image.BusyboxName
}

func (k *kubelet) imageFailed(p *api.Pod, c api.Container, err error) {
	k.mu.Lock()
	rec := k.pods[p.UID]
	first := rec == nil || rec.pullFail == 0
	k.mu.Unlock()
	f := pullFailure(c.Image, err, first)
	for _, ev := range f.events {
		k.e.events.record(p, ev.typ, ev.reason, "kubelet", ev.msg)
	}
	st := k.creatingStatus(p)
	for i := range st.ContainerStatuses {
		if st.ContainerStatuses[i].Name == c.Name {
			st.ContainerStatuses[i].State.Waiting = &f.waiting
		}
	}
	k.writeStatus(p, rec, st)
}

// imageFailure is what the kubelet reports when a container's image is
// missing: the container's waiting state and the events.
type imageFailure struct {
	waiting api.ContainerStateWaiting
	events  []kubeletEvent
}

type kubeletEvent struct{ typ, reason, msg string }

// pullFailure follows the kubelet: the first failed pull is ErrImagePull
// (events "Failed to pull image" and "Error: ErrImagePull"); while it backs
// off, ImagePullBackOff (events Normal BackOff "Back-off pulling image" and
// "Error: ImagePullBackOff"). Min pulls no image on its own, so every
// attempt is a look in the image store, and the first message says how to
// get the image.
func pullFailure(image string, err error, first bool) imageFailure {
	if first {
		msg := fmt.Sprintf("Failed to pull image %q: %v (Min pulls no image on its own: load it with image.import, image.pull or minish image load)", image, err)
		return imageFailure{
			waiting: api.ContainerStateWaiting{Reason: "ErrImagePull", Message: msg},
			events:  []kubeletEvent{{"Warning", "Failed", msg}, {"Warning", "Failed", "Error: ErrImagePull"}},
		}
	}
	msg := fmt.Sprintf("Back-off pulling image %q", image)
	return imageFailure{
		waiting: api.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: msg},
		events:  []kubeletEvent{{"Normal", "BackOff", msg}, {"Warning", "Failed", "Error: ImagePullBackOff"}},
	}
}

// createFailed reports a container the kubelet could not create (its
// config, such as a seccomp profile, is unusable): event and waiting reason
// CreateContainerError, as the kubelet reports a runtime's refusal.
func (k *kubelet) createFailed(p *api.Pod, rec *podRecord, err error) {
	k.e.events.record(p, "Warning", "Failed", "kubelet", "Error: "+err.Error())
	st := k.creatingStatus(p)
	for i := range st.ContainerStatuses {
		st.ContainerStatuses[i].State.Waiting = &api.ContainerStateWaiting{Reason: "CreateContainerError", Message: err.Error()}
	}
	k.writeStatus(p, rec, st)
}

// runtimeSpec turns a pod into what the runtime needs.
func (k *kubelet) runtimeSpec(p *api.Pod) (containers.PodSpec, error) {
	spec := containers.PodSpec{UID: p.UID, Namespace: p.Namespace, Name: p.Name, Hostname: p.Spec.Hostname,
		RestartPolicy: p.Spec.RestartPolicy, TerminationGracePeriod: 30 * time.Second,
		ShareProcessNamespace: p.Spec.ShareProcessNamespace != nil && *p.Spec.ShareProcessNamespace}
	if g := p.Spec.TerminationGracePeriodSeconds; g != nil {
		spec.TerminationGracePeriod = time.Duration(*g) * time.Second
	}
	for _, c := range p.Spec.Containers {
		cs := containers.ContainerSpec{Name: c.Name, Image: c.Image, Command: c.Command, Args: c.Args,
			WorkingDir: c.WorkingDir}
		for _, e := range c.Env {
			cs.Env = append(cs.Env, e.Name+"="+e.Value)
		}
		if q, ok := c.Resources.Limits["memory"]; ok {
			cs.Limits.MemoryBytes = q.Value()
		}
		if q, ok := c.Resources.Limits["cpu"]; ok {
			cs.Limits.CPUMilli = q.MilliValue()
		}
		if err := k.seccomp(p, &c, &cs); err != nil {
			return spec, err
		}
		spec.Containers = append(spec.Containers, cs)
	}
	return spec, nil
}
