package printers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// referenceTable decodes a Table with encoding/json, as DecodeTable did
// before it read rows itself: what the direct reading must reproduce.
func referenceTable(t *testing.T, data []byte, bare bool) ([]parsedRow, []Column, string) {
	t.Helper()
	var in struct {
		Kind     string
		Metadata struct{ ResourceVersion string }
		Columns  []Column `json:"columnDefinitions"`
		Rows     []struct {
			Cells      []any
			Conditions []RowCondition
			Object     *struct {
				Metadata struct {
					Name, Namespace string
					Labels          map[string]string
				}
			}
		}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&in); err != nil {
		t.Fatalf("reference decode: %v\n%s", err, data)
	}
	var rows []parsedRow
	for _, r := range in.Rows {
		row := parsedRow{cells: r.Cells, conditions: r.Conditions}
		for i, c := range row.cells {
			row.cells[i] = cellValue(c)
		}
		if r.Object != nil && !bare {
			row.hasObject, row.name, row.ns, row.labels = true, r.Object.Metadata.Name, r.Object.Metadata.Namespace, r.Object.Metadata.Labels
		}
		rows = append(rows, row)
	}
	return rows, in.Columns, in.Metadata.ResourceVersion
}

// TestDecodeTableMatchesEncodingJSON: DecodeTable reads what
// encoding/json reads from Tables with escapes, unicode, odd numbers,
// nested cells, conditions, nulls, unknown fields and any spacing, also
// when the input arrives a byte at a time (every piece is then cut short
// and read again).
func TestDecodeTableMatchesEncodingJSON(t *testing.T) {
	cols := `"columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"d","priority":0},{"name":"N","type":"integer","format":"","description":"","priority":1}]`
	tables := map[string]string{
		"plain": `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"12"},` + cols +
			`,"rows":[{"cells":["web-1",3],"object":{"kind":"PartialObjectMetadata","metadata":{"name":"web-1","namespace":"default","uid":"u","labels":{"app":"web","env":"prod"},"creationTimestamp":"2026-11-26T10:00:00Z","ownerReferences":[{"name":"rc","controller":true}]}}},` +
			`{"cells":["web-2",-0.5],"conditions":[{"type":"Completed","status":"True","reason":"Succeeded"}],"object":{"metadata":{"name":"web-2","namespace":"other"}}}]}`,
		"escapes": `{"kind":"Table","metadata":{},` + cols + `,"rows":[{"cells":["\u003cnone\u003e \"q\" \\ \/ \b\f\n\r\t é \u00e9 \ud83d\ude00 \ud800 x",1e3],` +
			`"object":{"metadata":{"name":"n\u0041","labels":{"k\u002fy":"v\u0026w","":""}}}}]}`,
		"numbers and literals": `{"kind":"Table",` + cols + `,"rows":[{"cells":[0,-1,9223372036854775807,9223372036854775808,1.5,2.0,1E2,-3e-2,true,false,null]}]}`,
		"nested cells":         `{"kind":"Table",` + cols + `,"rows":[{"cells":[{"a":[1,2.5,"x"],"b":null},[],[{"c":{}}]]}]}`,
		"nulls": `{"kind":"Table","metadata":null,"columnDefinitions":null,"rows":[{"cells":null,"conditions":null,"object":null},` +
			`{"cells":[],"object":{"metadata":null}},{"object":{"metadata":{"name":null,"namespace":null,"labels":null}}}]}`,
		"no rows":       `{"kind":"Table","rows":null}`,
		"empty rows":    `{"rows":[],"kind":"Table"}`,
		"unknown first": `{"extra":{"deep":[1,{"x":"]}"}],"s":"}\""},"kind":"Table","rows":[{"more":[true],"cells":["a"]}]}`,
		"invalid utf-8": "{\"kind\":\"Table\",\"rows\":[{\"cells\":[\"a\xffb\"],\"object\":{\"metadata\":{\"name\":\"\xc3\",\"labels\":{\"\xff\":\"\xfe\"}}}}]}",
		"spacing":       " \n{ \"kind\" : \"Table\" ,\t\"rows\" : [ { \"cells\" : [ 1 , \"a\" , true ] , \"object\" : { \"metadata\" : { \"name\" : \"x\" , \"labels\" : { \"a\" : \"b\" } } } } , { } ] } \n",
	}
	for name, data := range tables {
		var indented bytes.Buffer
		if err := json.Indent(&indented, []byte(data), "", "  "); err != nil {
			t.Fatalf("%s: bad test JSON: %v", name, err)
		}
		for _, include := range []string{IncludeMetadata, IncludeNone} {
			wantRows, wantCols, wantRV := referenceTable(t, []byte(data), include == IncludeNone)
			for variant, in := range map[string]func() *bytes.Reader{
				"compact":  func() *bytes.Reader { return bytes.NewReader([]byte(data)) },
				"indented": func() *bytes.Reader { return bytes.NewReader(indented.Bytes()) },
			} {
				for _, oneByte := range []bool{false, true} {
					r := any(in()).(interface{ Read([]byte) (int, error) })
					if oneByte {
						r = iotest.OneByteReader(r)
					}
					got, rv, err := DecodeTable(r, "pods", include)
					if err != nil {
						t.Fatalf("%s, %s, %s, one byte %v: %v", name, include, variant, oneByte, err)
					}
					if rv != wantRV || !reflect.DeepEqual(got.Columns, wantCols) || len(got.Rows) != len(wantRows) {
						t.Fatalf("%s, %s, %s: rv %q columns %v rows %d; want %q %v %d", name, include, variant, rv, got.Columns, len(got.Rows), wantRV, wantCols, len(wantRows))
					}
					for i, row := range got.Rows {
						have := parsedRow{cells: row.Cells, conditions: row.Conditions}
						if len(have.cells) == 0 && len(wantRows[i].cells) == 0 {
							have.cells = wantRows[i].cells // nil and empty print alike
						}
						if row.Object != nil {
							m := row.Object.GetObjectMeta()
							have.hasObject, have.name, have.ns, have.labels = true, m.Name, m.Namespace, m.Labels
						}
						if !reflect.DeepEqual(have, wantRows[i]) {
							t.Errorf("%s, %s, %s, one byte %v, row %d:\n got %#v\nwant %#v", name, include, variant, oneByte, i, have, wantRows[i])
						}
					}
				}
			}
		}
	}
}

// Damaged or cut-off Tables are errors, never a partial table.
func TestDecodeTableDamaged(t *testing.T) {
	whole := `{"kind":"Table","rows":[{"cells":["a",1],"object":{"metadata":{"name":"a","labels":{"x":"y"}}}}]}`
	for i := 1; i < len(whole); i++ {
		if _, _, err := DecodeTable(iotest.OneByteReader(strings.NewReader(whole[:i])), "pods", ""); err == nil {
			t.Errorf("cut after %d bytes (%q): no error", i, whole[:i])
		}
	}
	for _, bad := range []string{
		`{"kind":"Table","rows":[{"cells":[tru]}]}`,
		`{"kind":"Table","rows":[{"cells":[01]}]}`,
		`{"kind":"Table","rows":[{"cells":[1.]}]}`,
		`{"kind":"Table","rows":[{"cells":[-]}]}`,
		`{"kind":"Table","rows":[{"cells":["a" "b"]}]}`,
		`{"kind":"Table","rows":[{"cells":["\x"]}]}`,
		`{"kind":"Table","rows":[{"cells":"a"}]}`,
		`{"kind":"Table","rows":[{"object":{"metadata":{"labels":{"a":1}}}}]}`,
		`{"kind":"Table","rows":[{"object":{"metadata":{"name":{}}}}]}`,
		`{"kind":"Table","rows":{}}`,
		`{"kind":"Table","rows":[{"cells":[1]},]}`,
		`{"kind":"Table" "rows":[]}`,
		`{"kind":5,"rows":[]}`,
		`["kind","Table"]`,
	} {
		if _, _, err := DecodeTable(strings.NewReader(bad), "pods", ""); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
