package manifest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// maxQuantityExponent bounds the decimal exponent of a quantity. Parsing
// 1e-999999999 makes apimachinery build a billion-digit number (minutes of
// CPU); no resource needs more than a few dozen digits either way.
const maxQuantityExponent = 1000

// QuantityRangeError is a quantity whose exponent Min refuses to expand.
type QuantityRangeError struct {
	Path  Path
	Value string
}

func (e *QuantityRangeError) Error() string {
	return fmt.Sprintf("quantity %q at %s: exponent out of range (at most %d either way)", e.Value, e.Path.Render(0), maxQuantityExponent)
}

// checkQuantities finds the first quantity in v (by schema n) whose
// exponent is out of range.
func checkQuantities(v any, n *node, path Path) error {
	if n == nil {
		return nil
	}
	if n.quantity {
		var s string
		switch q := v.(type) {
		case string:
			s = q
		case json.Number:
			s = string(q)
		}
		if exponentTooLarge(s) {
			return &QuantityRangeError{Path: path, Value: s}
		}
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			child, p := n.elem, path.key(k)
			if !n.isMap {
				child, p = n.fields[k], path.child(k)
			}
			if err := checkQuantities(v[k], child, p); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkQuantities(e, n.elem, path.index(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// exponentTooLarge: s has an e/E exponent beyond ±maxQuantityExponent.
func exponentTooLarge(s string) bool {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 || i == len(s)-1 {
		return false
	}
	e, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		// Not a number (left to ParseQuantity's errors), or beyond int64.
		return strings.Trim(s[i+1:], "+-0123456789") == ""
	}
	return e > maxQuantityExponent || e < -maxQuantityExponent
}
