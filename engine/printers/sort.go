package printers

import (
	"fmt"
	"reflect"
	"sort"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/util/jsonpath"
)

// sortOrder returns the order of data (unstructured objects, nil for a row
// without one) by the --sort-by expression, as kubectl sorts: a table's
// rows by TableSorter (sorted once when listed and once when printed), a
// list's objects by SortObjects. The first value found for each object is
// compared; objects without one sort first.
func sortOrder(data []any, sortBy string, table bool) ([]int, error) {
	field, err := relaxedJSONPath(sortBy)
	if err != nil {
		if !table {
			return nil, err
		}
		field = sortBy
	}
	parser := jsonpath.New("sorting").AllowMissingKeys(true)
	if err := parser.Parse(field); err != nil {
		if table {
			return nil, outputErrorf("sorting error: %v", err)
		}
		return nil, &OutputError{Msg: err.Error()}
	}
	s := &sorter{field: field, order: make([]int, len(data)), values: make([][][]reflect.Value, len(data)), table: table}
	found := false
	for i, d := range data {
		s.order[i] = i
		if d == nil {
			continue
		}
		if s.values[i], err = parser.FindResults(d); err != nil {
			return nil, &OutputError{Msg: err.Error()}
		}
		found = found || (len(s.values[i]) > 0 && len(s.values[i][0]) > 0)
	}
	if len(data) > 0 && !found {
		return nil, outputErrorf("couldn't find any field with path %q in the list of objects", field)
	}
	sort.Sort(s)
	if table && len(data) > 1 {
		sort.Sort(s)
	}
	return s.order, s.err
}

// sorter is kubectl's RuntimeSort / TableSorter over precomputed values.
type sorter struct {
	field  string
	order  []int
	values [][][]reflect.Value
	table  bool
	err    error
}

func (s *sorter) Len() int { return len(s.order) }

func (s *sorter) Swap(i, j int) {
	s.order[i], s.order[j] = s.order[j], s.order[i]
	s.values[i], s.values[j] = s.values[j], s.values[i]
}

func (s *sorter) Less(i, j int) bool {
	iv, jv := s.values[i], s.values[j]
	if len(iv) == 0 || len(iv[0]) == 0 {
		return true
	}
	if len(jv) == 0 || len(jv[0]) == 0 {
		return false
	}
	less, err := isLess(iv[0][0], jv[0][0])
	if err != nil && s.err == nil {
		in := "*unstructured.Unstructured"
		if s.table {
			in = "[][][]reflect.Value"
		}
		s.err = outputErrorf("Field %s in %s is an unsortable type: %s, err: %v", s.field, in, iv[0][0].Kind(), err)
	}
	return less
}

// isLess is kubectl's comparison of two jsonpath results: numbers by
// value, strings as quantities when both parse as one, otherwise in
// natural order; other types cannot be sorted.
func isLess(i, j reflect.Value) (bool, error) {
	switch i.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return i.Int() < j.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return i.Uint() < j.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return i.Float() < j.Float(), nil
	case reflect.String:
		return naturalLess(i.String(), j.String()), nil
	case reflect.Pointer:
		return isLess(i.Elem(), j.Elem())
	case reflect.Interface:
		return isLessInterface(i, j)
	}
	return false, fmt.Errorf("unsortable type: %v", i.Kind())
}

func isLessInterface(i, j reflect.Value) (bool, error) {
	switch {
	case i.IsNil() && j.IsNil():
		return false, nil
	case i.IsNil():
		return true, nil
	case j.IsNil():
		return false, nil
	}
	switch iv := i.Interface().(type) {
	case int64:
		if jv, ok := j.Interface().(int64); ok {
			return iv < jv, nil
		}
	case float64:
		if jv, ok := j.Interface().(float64); ok {
			return iv < jv, nil
		}
	case string:
		if jv, ok := j.Interface().(string); ok {
			return stringLess(iv, jv), nil
		}
	default:
		return false, fmt.Errorf("unsortable type: %T", iv)
	}
	return false, fmt.Errorf("unsortable interface: %v", i.Kind())
}

// stringLess compares quantities as quantities ("100Mi" < "1Gi"), other
// strings in natural order.
func stringLess(a, b string) bool {
	qa, err := resource.ParseQuantity(a)
	if err != nil {
		return naturalLess(a, b)
	}
	qb, err := resource.ParseQuantity(b)
	if err != nil {
		return naturalLess(a, b)
	}
	return qa.Cmp(qb) < 0
}

// naturalLess is github.com/fvbommel/sortorder's NaturalLess, which kubectl
// sorts strings with: digit runs compare as numbers ("abc2" < "abc12"),
// with fewer leading zeros first on a tie, digits before other bytes.
func naturalLess(s1, s2 string) bool {
	i1, i2 := 0, 0
	for i1 < len(s1) && i2 < len(s2) {
		c1, c2 := s1[i1], s2[i2]
		d1, d2 := isDigit(c1), isDigit(c2)
		switch {
		case d1 != d2:
			return d1
		case !d1:
			if c1 != c2 {
				return c1 < c2
			}
			i1++
			i2++
		default:
			for ; i1 < len(s1) && s1[i1] == '0'; i1++ {
			}
			for ; i2 < len(s2) && s2[i2] == '0'; i2++ {
			}
			nz1, nz2 := i1, i2
			for ; i1 < len(s1) && isDigit(s1[i1]); i1++ {
			}
			for ; i2 < len(s2) && isDigit(s2[i2]); i2++ {
			}
			if l1, l2 := i1-nz1, i2-nz2; l1 != l2 {
				return l1 < l2
			}
			if n1, n2 := s1[nz1:i1], s2[nz2:i2]; n1 != n2 {
				return n1 < n2
			}
			if nz1 != nz2 {
				return nz1 < nz2
			}
		}
	}
	return len(s1) < len(s2)
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
