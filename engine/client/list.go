package client

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// decodeList reads a list response in one pass, each item straight into a
// new object of kind k. Decoding into raw items first and then each item
// again scanned every byte three times; a list of 1,000 pods is over a
// megabyte, and this was half of a `minish get pods`.
func decodeList(k api.Kind, r io.Reader) (*cluster.List, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	out := &cluster.List{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch key {
		case "metadata":
			var m wire.ListMeta
			if err := dec.Decode(&m); err != nil {
				return nil, err
			}
			out.ResourceVersion = m.ResourceVersion
		case "items":
			if err := decodeItems(dec, k, out); err != nil {
				return nil, err
			}
		default: // kind, apiVersion: the path already said which
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
		}
	}
	return out, expectDelim(dec, '}')
}

// decodeItems reads the items array (or null) into out.Items.
func decodeItems(dec *json.Decoder, k api.Kind, out *cluster.List) error {
	t, err := dec.Token()
	if err != nil || t == nil { // "items": null
		return err
	}
	if t != json.Delim('[') {
		return fmt.Errorf("items: want an array, got %v", t)
	}
	for i := 0; dec.More(); i++ {
		o := k.New()
		if err := dec.Decode(o); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		out.Items = append(out.Items, o)
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("want %q, got %v", d, t)
	}
	return nil
}
