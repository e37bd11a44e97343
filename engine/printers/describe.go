package printers

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// Related holds the objects `kubectl describe` shows beside the object
// itself. Events may be every event of the namespace: Describe keeps
// those about the object. Pods may be every pod: a replication
// controller counts the pods it controls, a node lists the
// non-terminated pods bound to it.
type Related struct {
	Events []*api.Event
	Pods   []*api.Pod
}

// Describe writes `kubectl describe` for a Pod, Node, Namespace or
// ReplicationController, with its events. now is the time ages count to,
// and the zone timestamps print in.
func Describe(w io.Writer, obj api.Object, events []*api.Event, now time.Time) error {
	return DescribeWith(w, obj, Related{Events: events}, now)
}

// DescribeWith is Describe with the pods that the descriptions of
// replication controllers (Pods Status) and nodes (Non-terminated Pods,
// Allocated resources) need.
func DescribeWith(w io.Writer, obj api.Object, rel Related, now time.Time) error {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0) // kubectl's tabbedString
	d := &describer{w: tw, now: now}
	switch o := obj.(type) {
	case *api.Pod:
		d.pod(o, eventsAbout(rel.Events, o.ObjectMeta, "Pod"))
	case *api.Node:
		d.node(o, nodePods(rel.Pods, o.Name), eventsAbout(rel.Events, o.ObjectMeta, "Node"))
	case *api.Namespace:
		d.namespace(o)
	case *api.ReplicationController:
		d.rc(o, rel.Pods, eventsAbout(rel.Events, o.ObjectMeta, "ReplicationController"))
	default:
		return fmt.Errorf("%w: no description has been implemented for %T", ErrUnknownKind, obj)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// describer is kubectl's PrefixWriter over a tabwriter: two spaces per
// level, terminal escapes made harmless.
type describer struct {
	w   io.Writer
	now time.Time
}

const (
	level0 = iota
	level1
	level2
	level3
)

func (d *describer) write(level int, format string, a ...any) {
	s := fmt.Sprintf(strings.Repeat("  ", level)+format, a...)
	io.WriteString(d.w, EscapeTerminal(s)) //nolint:errcheck // a bytes.Buffer behind a tabwriter: Flush reports
}

// stamp formats t as kubectl's describe does (RFC 1123 with a numeric
// zone), in the zone of now.
func (d *describer) stamp(t time.Time) string {
	return t.In(d.now.Location()).Format(time.RFC1123Z)
}

func (d *describer) since(t time.Time) string { return age(t, d.now) }

// labels is printLabelsMultiline: sorted k=v lines aligned after the title.
func (d *describer) labels(title string, m map[string]string) {
	d.labelsIndent("", title, m)
}

func (d *describer) labelsIndent(indent, title string, m map[string]string) {
	d.write(level0, "%s%s:\t", indent, title)
	if len(m) == 0 {
		d.write(level0, "<none>\n")
		return
	}
	for i, k := range sortedKeys(m) {
		if i != 0 {
			d.write(level0, "%s\t", indent)
		}
		d.write(level0, "%s=%s\n", k, m[k])
	}
}

// maxAnnotationLen is where kubectl starts folding annotation values.
const maxAnnotationLen = 140

// annotations is printAnnotationsMultiline: long or multi-line values go
// on their own indented lines, cut at 138 bytes; kubectl's
// last-applied-configuration is skipped.
func (d *describer) annotations(title string, m map[string]string) {
	d.write(level0, "%s:\t", title)
	keys := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		if k != "kubectl.kubernetes.io/last-applied-configuration" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		d.write(level0, "<none>\n")
		return
	}
	for i, k := range keys {
		if i != 0 {
			d.write(level0, "\t")
		}
		v := strings.TrimSuffix(m[k], "\n")
		if len(v)+len(k)+2 <= maxAnnotationLen && !strings.Contains(v, "\n") {
			d.write(level0, "%s: %s\n", k, v)
			continue
		}
		d.write(level0, "%s:\n", k)
		for _, line := range strings.Split(v, "\n") {
			d.write(level0, "\t  %s\n", shorten(line, maxAnnotationLen-2))
		}
	}
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tolerations is printTolerationsMultilineWithIndent.
func (d *describer) tolerations(indent, title string, ts []api.Toleration) {
	d.write(level0, "%s%s:\t", indent, title)
	if len(ts) == 0 {
		d.write(level0, "<none>\n")
		return
	}
	ts = append([]api.Toleration(nil), ts...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Key < ts[j].Key })
	for i, t := range ts {
		if i != 0 {
			d.write(level0, "%s\t", indent)
		}
		d.write(level0, "%s\n", tolerationString(t))
	}
}

func tolerationString(t api.Toleration) string {
	s := t.Key
	if t.Value != "" {
		s += "=" + t.Value
	}
	if t.Effect != "" {
		s += ":" + t.Effect
	}
	if t.Operator == "Exists" && t.Value == "" {
		if t.Key != "" || t.Effect != "" {
			s += " op=Exists"
		} else {
			s += "op=Exists"
		}
	}
	if t.TolerationSeconds != nil {
		s += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
	}
	return s
}

// events is DescribeEvents: oldest first, "Age" as kubectl shows it,
// "(xN over M)" for repeated events.
func (d *describer) events(evs []*api.Event) {
	if len(evs) == 0 {
		d.write(level0, "Events:\t<none>\n")
		return
	}
	evs = append([]*api.Event(nil), evs...)
	sort.Sort(byEventTime(evs))
	d.write(level0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
	d.write(level1, "----\t------\t----\t----\t-------\n")
	for _, e := range evs {
		first := d.since(e.EventTime.Time)
		if e.EventTime.IsZero() {
			first = d.since(e.FirstTimestamp.Time)
		}
		interval := first
		if e.Count > 1 {
			interval = fmt.Sprintf("%s (x%d over %s)", d.since(e.LastTimestamp.Time), e.Count, first)
		}
		source := e.Source.Component
		if source == "" {
			source = e.ReportingController
		}
		d.write(level1, "%v\t%v\t%s\t%v\t%v\n", e.Type, e.Reason, interval, source, strings.TrimSpace(e.Message))
	}
}

// byEventTime is kubectl's SortableEvents: by last timestamp, or event
// time when there is none.
type byEventTime []*api.Event

func (l byEventTime) Len() int           { return len(l) }
func (l byEventTime) Swap(i, j int)      { l[i], l[j] = l[j], l[i] }
func (l byEventTime) Less(i, j int) bool { return eventTime(l[i]).Before(eventTime(l[j])) }

func eventTime(e *api.Event) time.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp.Time
	}
	return e.EventTime.Time
}

// eventsAbout keeps the events whose involved object is m: same name and
// namespace, the same kind when the event names one, the same UID when
// both carry one (a node's events may carry its name as UID, as the
// kubelet reports them).
func eventsAbout(evs []*api.Event, m api.ObjectMeta, kind string) []*api.Event {
	var out []*api.Event
	for _, e := range evs {
		ref := e.InvolvedObject
		if ref.Name != m.Name || ref.Namespace != m.Namespace {
			continue
		}
		if ref.Kind != "" && ref.Kind != kind {
			continue
		}
		if ref.UID != "" && m.UID != "" && ref.UID != m.UID && !(kind == "Node" && ref.UID == m.Name) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func printBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func (d *describer) namespace(ns *api.Namespace) {
	d.write(level0, "Name:\t%s\n", ns.Name)
	d.labels("Labels", ns.Labels)
	d.annotations("Annotations", ns.Annotations)
	d.write(level0, "Status:\t%s\n", ns.Status.Phase)
	// Min has no ResourceQuota or LimitRange kinds; a Kubernetes namespace
	// without them describes so.
	d.write(level0, "\n")
	d.write(level0, "No resource quota.\n")
	d.write(level0, "\n")
	d.write(level0, "No LimitRange resource.\n")
}

func (d *describer) rc(rc *api.ReplicationController, pods []*api.Pod, evs []*api.Event) {
	d.write(level0, "Name:\t%s\n", rc.Name)
	d.write(level0, "Namespace:\t%s\n", rc.Namespace)
	d.write(level0, "Selector:\t%s\n", labels.FormatLabels(rc.Spec.Selector))
	d.labels("Labels", rc.Labels)
	d.annotations("Annotations", rc.Annotations)
	d.write(level0, "Replicas:\t%d current / %d desired\n", rc.Status.Replicas, desiredReplicas(rc))
	running, waiting, succeeded, failed := controlledPhases(rc, pods)
	d.write(level0, "Pods Status:\t%d Running / %d Waiting / %d Succeeded / %d Failed\n", running, waiting, succeeded, failed)
	d.podTemplate(rc.Spec.Template)
	d.events(evs)
}

// controlledPhases counts the pods rc controls (selected by its selector,
// with it as controller owner) by phase.
func controlledPhases(rc *api.ReplicationController, pods []*api.Pod) (running, waiting, succeeded, failed int) {
	sel := labels.SelectorFromSet(rc.Spec.Selector)
	for _, p := range pods {
		if p.Namespace != rc.Namespace || !sel.Matches(labels.Set(p.Labels)) || controllerUID(p) != rc.UID {
			continue
		}
		switch p.Status.Phase {
		case "Running":
			running++
		case "Pending":
			waiting++
		case "Succeeded":
			succeeded++
		case "Failed":
			failed++
		}
	}
	return
}

func controllerUID(p *api.Pod) string {
	if ref := controllerRef(p.ObjectMeta); ref != nil {
		return ref.UID
	}
	return ""
}

func controllerRef(m api.ObjectMeta) *api.OwnerReference {
	for i, r := range m.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return &m.OwnerReferences[i]
		}
	}
	return nil
}

// podTemplate is DescribePodTemplate.
func (d *describer) podTemplate(t *api.PodTemplateSpec) {
	d.write(level0, "Pod Template:\n")
	if t == nil {
		d.write(level1, "<unset>")
		return
	}
	d.labels("  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		d.annotations("  Annotations", t.Annotations)
	}
	d.containers("Containers", t.Spec.Containers, nil, "  ")
	d.write(level0, "  Volumes:\t<none>\n")
	d.labels("  Node-Selectors", t.Spec.NodeSelector)
	d.tolerations("", "  Tolerations", t.Spec.Tolerations)
}
