package openapi

import (
	"crypto/sha512"
	_ "embed"
	"encoding/hex"
	"strings"
	"sync"
)

//go:embed api_v1.json
var v1 []byte

// V1 is the OpenAPI v3 document of /openapi/v3/api/v1. Callers must not
// change it.
func V1() []byte { return v1 }

// Hash is the document's content hash, the ?hash= of its URL in the
// /openapi/v3 index (the apiserver uses the upper-case hex of SHA-512).
var Hash = sync.OnceValue(func() string {
	sum := sha512.Sum512(v1)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
})
