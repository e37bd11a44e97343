package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/minspace/min/engine/api"
)

// Kubernetes' protobuf encoding. kubectl 1.32's `create namespace` posts
// protobuf (its only fallback is CBOR, so a 415 would fail the command):
// that body is read here by hand. It is the magic "k8s\x00" and a
// runtime.Unknown envelope {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3
// contentEncoding, 4 contentType} whose raw bytes are the generated
// message of the kind: for v1.Namespace {1 metadata, 2 spec {1
// finalizers}, 3 status}, ObjectMeta {1 name, 2 generateName, 3
// namespace, 11 labels, 12 annotations} with map entries {1 key, 2
// value}; kubectl sets no other field. The other kinds, which client-go's
// typed clients post, go through k8s.io/api's generated messages
// (protobuf_kinds.go). Replies stay JSON, which both accept.

const protobufType = "application/vnd.kubernetes.protobuf"

var protobufMagic = []byte("k8s\x00")

// errProto is a malformed protobuf body.
var errProto = errors.New("malformed protobuf")

// pbField is one field of a protobuf message: varints in num, the rest in
// bytes.
type pbField struct {
	tag   int
	wire  int
	num   uint64
	bytes []byte
}

// pbFields splits a message into its fields.
func pbFields(b []byte) ([]pbField, error) {
	var out []pbField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errProto
		}
		b = b[n:]
		f := pbField{tag: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case 0: // varint
			if f.num, n = binary.Uvarint(b); n <= 0 {
				return nil, errProto
			}
			b = b[n:]
		case 1: // fixed64
			if len(b) < 8 {
				return nil, errProto
			}
			b = b[8:]
		case 2: // length-delimited
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return nil, errProto
			}
			f.bytes, b = b[n:n+int(l)], b[n+int(l):]
		case 5: // fixed32
			if len(b) < 4 {
				return nil, errProto
			}
			b = b[4:]
		default:
			return nil, errProto
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeProtobuf decodes a protobuf body of kind k: Namespace by hand (what
// kubectl sends), the other kinds through k8s.io/api (protobuf_kinds.go).
func decodeProtobuf(body []byte, k api.Kind) (api.Object, error) {
	bad := func(err error) error {
		return api.NewBadRequest(fmt.Sprintf("the object provided is unrecognized (must be of type %s): %v", k.Kind, err))
	}
	if !bytes.HasPrefix(body, protobufMagic) {
		return nil, bad(errors.New("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"))
	}
	apiVersion, kind, raw, err := unknownEnvelope(body[len(protobufMagic):])
	if err != nil {
		return nil, bad(err)
	}
	if kind != k.Kind || apiVersion != "v1" {
		return nil, bad(fmt.Errorf("kind %q in version %q cannot be handled here", kind, apiVersion))
	}
	if k.Kind != "Namespace" {
		obj, err := decodeGenerated(raw, k)
		if err != nil && errors.Is(err, errProto) {
			return nil, bad(err)
		}
		return obj, err
	}
	ns, err := namespaceMessage(raw)
	if err != nil {
		return nil, bad(err)
	}
	return ns, nil
}

// unknownEnvelope reads runtime.Unknown.
func unknownEnvelope(b []byte) (apiVersion, kind string, raw []byte, err error) {
	fs, err := pbFields(b)
	if err != nil {
		return "", "", nil, err
	}
	for _, f := range fs {
		switch {
		case f.tag == 1 && f.wire == 2:
			tm, err := pbFields(f.bytes)
			if err != nil {
				return "", "", nil, err
			}
			for _, t := range tm {
				if t.wire == 2 && t.tag == 1 {
					apiVersion = string(t.bytes)
				} else if t.wire == 2 && t.tag == 2 {
					kind = string(t.bytes)
				}
			}
		case f.tag == 2 && f.wire == 2:
			raw = f.bytes
		case f.tag == 3 && f.wire == 2 && len(f.bytes) > 0:
			return "", "", nil, fmt.Errorf("content encoding %q is not supported", f.bytes)
		}
	}
	return apiVersion, kind, raw, nil
}

// namespaceMessage reads a v1.Namespace.
func namespaceMessage(b []byte) (*api.Namespace, error) {
	fs, err := pbFields(b)
	if err != nil {
		return nil, err
	}
	ns := &api.Namespace{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Namespace"}}
	for _, f := range fs {
		if f.tag == 1 && f.wire == 2 {
			if err := objectMeta(f.bytes, &ns.ObjectMeta); err != nil {
				return nil, err
			}
		}
	}
	return ns, nil
}

// objectMeta reads the ObjectMeta fields a create can set.
func objectMeta(b []byte, m *api.ObjectMeta) error {
	fs, err := pbFields(b)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.wire != 2 {
			continue
		}
		switch f.tag {
		case 1:
			m.Name = string(f.bytes)
		case 2:
			m.GenerateName = string(f.bytes)
		case 3:
			m.Namespace = string(f.bytes)
		case 11:
			if m.Labels, err = mapEntry(m.Labels, f.bytes); err != nil {
				return err
			}
		case 12:
			if m.Annotations, err = mapEntry(m.Annotations, f.bytes); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapEntry adds one {1 key, 2 value} entry to m.
func mapEntry(m map[string]string, b []byte) (map[string]string, error) {
	fs, err := pbFields(b)
	if err != nil {
		return m, err
	}
	var k, v string
	for _, f := range fs {
		if f.wire == 2 && f.tag == 1 {
			k = string(f.bytes)
		} else if f.wire == 2 && f.tag == 2 {
			v = string(f.bytes)
		}
	}
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m, nil
}
