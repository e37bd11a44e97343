package api

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
)

// vectorRow is one data line of a reference vector file, fields unescaped.
type vectorRow struct {
	line   int
	fields []string
}

// readVectors reads testdata/vectors/<name>, a copy of the reference
// vectors the project was given (../shared/reference/vectors beside the
// repository), kept here so that a clone alone runs the tests: comment lines start with #, fields are TAB-separated
// with \t \n \r \\ escapes.
func readVectors(t *testing.T, name string, minFields int) []vectorRow {
	t.Helper()
	path := filepath.Join("testdata", "vectors", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reference vectors: %v", err)
	}
	defer f.Close()
	var rows []vectorRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") || text == "" {
			continue
		}
		raw := strings.Split(text, "\t")
		if len(raw) < minFields {
			t.Fatalf("%s:%d: %d fields, want at least %d", name, n, len(raw), minFields)
		}
		fields := make([]string, len(raw))
		for i, r := range raw {
			fields[i] = unescapeVector(r)
		}
		rows = append(rows, vectorRow{line: n, fields: fields})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", name)
	}
	return rows
}

func unescapeVector(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func parseLabelSet(t *testing.T, s string) labels.Set {
	set := labels.Set{}
	if s == "" {
		return set
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("bad label set %q", s)
		}
		set[k] = v
	}
	return set
}

func TestVectorsSelectors(t *testing.T) {
	for _, r := range readVectors(t, "selectors.tsv", 4) {
		sel, set, want, detail := r.fields[0], r.fields[1], r.fields[2], r.fields[3]
		t.Run(sel, func(t *testing.T) {
			s, err := ParseSelector(sel)
			if want == "error" {
				if err == nil {
					t.Fatalf("line %d: %q parsed, want error %q", r.line, sel, detail)
				}
				if err.Error() != detail {
					t.Fatalf("line %d: error\n got %q\nwant %q", r.line, err.Error(), detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("line %d: %q: %v", r.line, sel, err)
			}
			if got := s.Matches(parseLabelSet(t, set)); got != (want == "match") {
				t.Errorf("line %d: %q on %q: matches=%v, want %s", r.line, sel, set, got, want)
			}
			if got := "String()=" + s.String(); got != detail {
				t.Errorf("line %d: %q: %s, want %s", r.line, sel, got, detail)
			}
		})
	}
}

// checkMessages compares messages with the vector's expected column.
func checkMessages(t *testing.T, r vectorRow, got []string) {
	t.Helper()
	want, msgs := r.fields[1], r.fields[2]
	if want == "valid" {
		if len(got) != 0 {
			t.Errorf("line %d: %q: unexpected errors %q", r.line, r.fields[0], got)
		}
		return
	}
	if joined := strings.Join(got, " | "); joined != msgs {
		t.Errorf("line %d: %q:\n got %q\nwant %q", r.line, r.fields[0], joined, msgs)
	}
}

func TestVectorsLabelKeys(t *testing.T) {
	for _, r := range readVectors(t, "label_keys.tsv", 3) {
		checkMessages(t, r, ValidateLabelKey(r.fields[0]))
	}
}

func TestVectorsLabelValues(t *testing.T) {
	for _, r := range readVectors(t, "label_values.tsv", 3) {
		checkMessages(t, r, ValidateLabelValue(r.fields[0]))
	}
}

func TestVectorsNamespaceNames(t *testing.T) {
	for _, r := range readVectors(t, "names_label.tsv", 3) {
		checkMessages(t, r, NameIsDNSLabel(r.fields[0], false))
		// The same rule through object validation.
		ns := &Namespace{ObjectMeta: ObjectMeta{Name: r.fields[0]}}
		SetDefaults(ns)
		errs := ValidateObject(ns)
		if (len(errs) == 0) != (r.fields[1] == "valid") {
			t.Errorf("line %d: ValidateObject(namespace %q) = %v", r.line, r.fields[0], errs)
		}
	}
}

func TestVectorsSubdomainNames(t *testing.T) {
	for _, r := range readVectors(t, "names_subdomain.tsv", 3) {
		name := r.fields[0]
		pod := &Pod{ObjectMeta: ObjectMeta{Name: name, Namespace: "default"},
			Spec: PodSpec{Containers: []Container{{Name: "c", Image: "busybox"}}}}
		SetDefaults(pod)
		errs := ValidateObject(pod)
		if name == "" {
			// The vector notes the empty name surfaces as the metadata rule.
			want := "metadata.name: Required value: name or generateName is required"
			if len(errs) != 1 || errs[0].Error() != want {
				t.Errorf("line %d: empty name: %v, want %q", r.line, errs, want)
			}
			continue
		}
		checkMessages(t, r, NameIsDNSSubdomain(name, false))
		if (len(errs) == 0) != (r.fields[1] == "valid") {
			t.Errorf("line %d: ValidateObject(pod %q) = %v", r.line, name, errs)
		}
	}
}

func TestVectorsQuantities(t *testing.T) {
	for _, r := range readVectors(t, "quantities.tsv", 7) {
		in, canon := r.fields[0], r.fields[1]
		q, err := resource.ParseQuantity(in)
		if msg, isErr := strings.CutPrefix(canon, "error: "); isErr {
			if err == nil || err.Error() != msg {
				t.Errorf("line %d: ParseQuantity(%q) error = %v, want %q", r.line, in, err, msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d: ParseQuantity(%q): %v", r.line, in, err)
			continue
		}
		if got := q.String(); got != r.fields[4] {
			t.Errorf("line %d: %q echoed %q, want %q", r.line, in, got, r.fields[4])
		}
		fresh := canonical(q)
		if fresh != canon {
			t.Errorf("line %d: %q canonical %q, want %q", r.line, in, fresh, canon)
		}
		if got := itoa(q.MilliValue()); got != r.fields[2] {
			t.Errorf("line %d: %q MilliValue %s, want %s", r.line, in, got, r.fields[2])
		}
		if got := itoa(q.Value()); got != r.fields[3] {
			t.Errorf("line %d: %q Value %s, want %s", r.line, in, got, r.fields[3])
		}
		if got := string(q.Format); got != r.fields[6] {
			t.Errorf("line %d: %q format %s, want %s", r.line, in, got, r.fields[6])
		}
		// Stored form: what SetDefaults makes of it in a container's limits.
		pod := &Pod{Spec: PodSpec{Containers: []Container{{Resources: ResourceRequirements{
			Limits: ResourceList{"cpu": q.DeepCopy()}}}}}}
		SetDefaults(pod)
		for name, l := range map[string]ResourceList{"limits": pod.Spec.Containers[0].Resources.Limits, "requests": pod.Spec.Containers[0].Resources.Requests} {
			stored := l["cpu"]
			if got := stored.String(); got != r.fields[5] {
				t.Errorf("line %d: %q stored in %s as %q, want %q", r.line, in, name, got, r.fields[5])
			}
		}
	}
}

// canonical is what a freshly computed Quantity prints (CanonicalizeBytes).
func canonical(q resource.Quantity) string {
	b, suffix := q.CanonicalizeBytes(nil)
	return string(b) + string(suffix)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
