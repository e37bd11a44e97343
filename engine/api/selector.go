package api

import "k8s.io/apimachinery/pkg/labels"

// Selector is a parsed label selector (apimachinery's labels.Selector).
type Selector = labels.Selector

// ParseSelector parses a label selector in Kubernetes' full grammar
// (=, ==, !=, in, notin, key, !key, >, <; comma = AND), with Kubernetes'
// error texts. The empty string selects everything.
func ParseSelector(s string) (Selector, error) { return labels.Parse(s) }

// SelectorFromSet is the AND of key=value equalities of m (nodeSelector,
// RC selectors); an empty map selects everything.
func SelectorFromSet(m map[string]string) Selector { return labels.SelectorFromSet(m) }

// FormatLabels prints labels as kubectl does: k=v sorted by key and
// comma-joined, or <none>.
func FormatLabels(m map[string]string) string { return labels.FormatLabels(m) }
