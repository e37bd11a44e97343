package printers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The copied column descriptions stay Kubernetes' own.
func TestColumnDescriptionsMatchObjectMeta(t *testing.T) {
	doc := metav1.ObjectMeta{}.SwaggerDoc()
	if descName() != doc["name"] {
		t.Errorf("descName() = %q, want ObjectMeta's %q", descName(), doc["name"])
	}
	if descAge() != doc["creationTimestamp"] {
		t.Errorf("descAge() = %q, want ObjectMeta's %q", descAge(), doc["creationTimestamp"])
	}
}
