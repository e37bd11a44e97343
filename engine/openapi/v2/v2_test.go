package openapiv2

import (
	"testing"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
)

func TestProtobuf(t *testing.T) {
	b, err := Protobuf()
	if err != nil {
		t.Fatal(err)
	}
	var doc openapi_v2.Document
	if err := proto.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Swagger != "2.0" || len(doc.Paths.Path) != 14 || len(doc.Definitions.AdditionalProperties) == 0 {
		t.Fatalf("swagger %q, %d paths", doc.Swagger, len(doc.Paths.Path))
	}
}
