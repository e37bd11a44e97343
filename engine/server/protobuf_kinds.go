package server

import (
	"bytes"
	"encoding/json"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/minspace/min/engine/api"
)

// client-go's generated typed clients (kubernetes.Clientset) post every
// core/v1 kind, DeleteOptions and Scale as protobuf unless told otherwise. Those bodies are read
// with Kubernetes' own generated messages, then turned into JSON and
// decoded as a JSON body is: one set of rules for what Min accepts, and
// fields Min does not support are dropped as in a JSON body without
// fieldValidation=Strict (protobuf has no unknown fields to report).

// generatedMessage is the k8s.io/api message of kind.
func generatedMessage(kind string) (interface{ Unmarshal([]byte) error }, bool) {
	switch kind {
	case "Pod":
		return &corev1.Pod{}, true
	case "Node":
		return &corev1.Node{}, true
	case "ReplicationController":
		return &corev1.ReplicationController{}, true
	case "Event":
		return &corev1.Event{}, true
	case "Namespace":
		return &corev1.Namespace{}, true
	}
	return nil, false
}

// message is a generated protobuf message of k8s.io/api or apimachinery.
type message interface{ Unmarshal([]byte) error }

// decodeGenerated decodes raw, the message of an Unknown envelope, as an
// object of kind k.
func decodeGenerated(raw []byte, k api.Kind) (api.Object, error) {
	msg, ok := generatedMessage(k.Kind)
	if !ok {
		return nil, errUnsupportedMedia(protobufType, "application/json")
	}
	b, err := messageJSON(raw, msg)
	if err != nil {
		return nil, err
	}
	obj := k.New()
	if err := json.Unmarshal(b, obj); err != nil {
		return nil, err
	}
	tm := obj.GetTypeMeta()
	tm.Kind, tm.APIVersion = k.Kind, "v1"
	return obj, nil
}

// messageJSON decodes raw into msg and returns msg as JSON.
func messageJSON(raw []byte, msg message) ([]byte, error) {
	if err := msg.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", errProto, err)
	}
	return json.Marshal(msg)
}

// protobufBodyJSON turns a whole protobuf body (magic, Unknown envelope,
// message) into the JSON of msg, for the bodies that are no object of
// the path's kind: DeleteOptions and Scale.
func protobufBodyJSON(body []byte, msg message) ([]byte, error) {
	if !bytes.HasPrefix(body, protobufMagic) {
		return nil, api.NewBadRequest("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
	}
	_, _, raw, err := unknownEnvelope(body[len(protobufMagic):])
	if err == nil {
		var b []byte
		if b, err = messageJSON(raw, msg); err == nil {
			return b, nil
		}
	}
	return nil, api.NewBadRequest(fmt.Sprintf("the body of the request could not be decoded: %v", err))
}

// newDeleteOptionsMessage and newScaleMessage are the messages of those
// bodies.
func newDeleteOptionsMessage() message { return &metav1.DeleteOptions{} }
func newScaleMessage() message         { return &autoscalingv1.Scale{} }
