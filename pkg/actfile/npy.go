package actfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/denotation-go/denotation/internal/native"
)

// maxHeader bounds the header of one .npy array (NumPy's own headers are a few hundred bytes).
const maxHeader = 1 << 20

// maxElements bounds the number of elements of one array (2^40: far beyond any activation file
// that fits in memory, small enough that byte counts never overflow).
const maxElements = 1 << 40

// dtype is a NumPy array-protocol type string such as '<f4': byte order, kind, item size.
type dtype struct {
	descr string
	big   bool // '>' byte order
	kind  byte // 'f', 'i', 'u', 'b', 'U', 'S', or another kind that is refused where it is used
	size  int  // bytes per element
}

// array is one .npy array as stored: its type, order, shape and raw data.
type array struct {
	name    string
	dt      dtype
	fortran bool
	shape   []int
	data    []byte
	// f32 holds the values of a C-order float32 array in this machine's byte order, read straight
	// into it (data is then its byte view); nil for any other array.
	f32 []float32
}

// nativeFloat32 tells whether the array is a C-order float32 array in this machine's byte order
// (what numpy writes on x86 and ARM, and what WriteNPZ writes): its data can be read straight into
// float32 values.
func (a *array) nativeFloat32() bool {
	return a.dt.kind == 'f' && a.dt.size == 4 && !(a.fortran && len(a.shape) >= 2) && a.dt.big != native.LittleEndian
}

func (a *array) count() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

// shapeString writes a shape as NumPy prints it: (3, 4), (5,), ().
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// readNPY reads one .npy array of at most limit bytes from r.
func readNPY(name string, r io.Reader, limit int64) (*array, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, errors.New("truncated: shorter than a .npy header")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, errors.New("not a .npy array: no NumPy magic (\\x93NUMPY) at its start")
	}
	var hlen int
	var hdrSize int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		hlen, hdrSize = int(binary.LittleEndian.Uint16(b[:])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		h := binary.LittleEndian.Uint32(b[:])
		if h > maxHeader {
			return nil, fmt.Errorf(".npy header of %d bytes: at most %d are accepted", h, maxHeader)
		}
		hlen, hdrSize = int(h), 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d: want 1.0, 2.0 or 3.0", pre[6], pre[7])
	}
	if int64(hdrSize+hlen) > limit {
		return nil, fmt.Errorf("truncated: the .npy header needs %d bytes, the entry has %d", hdrSize+hlen, limit)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, errors.New("truncated .npy header")
	}
	if pre[6] < 3 {
		for _, c := range hdr {
			if c >= 0x80 {
				return nil, errors.New(".npy header is not ASCII (format 1.0 and 2.0 headers are latin-1 Python literals)")
			}
		}
	} else if !utf8.Valid(hdr) {
		return nil, errors.New(".npy format 3.0 header is not valid UTF-8")
	}
	a := &array{name: name}
	if err := a.parseHeader(string(hdr)); err != nil {
		var de *dtypeError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf(".npy header %q: %w", strings.TrimSpace(string(hdr)), err)
	}
	need := int64(a.count()) * int64(a.dt.size)
	if int64(hdrSize+hlen)+need > limit {
		return nil, fmt.Errorf("truncated: shape %s of %s needs %d bytes of data, the entry holds %d", shapeString(a.shape), a.dt.descr, need, limit-int64(hdrSize+hlen))
	}
	// need is within limit, the entry's size, so one allocation of it is bounded by the input.
	var data []byte
	if a.nativeFloat32() {
		a.f32 = make([]float32, a.count())
		data = native.Float32Bytes(a.f32)
	} else {
		data = make([]byte, need)
	}
	n, err := io.ReadFull(r, data)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("truncated: shape %s of %s needs %d bytes of data, found %d", shapeString(a.shape), a.dt.descr, need, n)
	}
	if err != nil {
		return nil, err
	}
	var extra [1]byte
	if m, _ := io.ReadFull(r, extra[:]); m > 0 {
		more, _ := io.Copy(io.Discard, r)
		return nil, fmt.Errorf("%d bytes of data for shape %s of %s, more than the %d it needs", need+1+more, shapeString(a.shape), a.dt.descr, need)
	}
	a.data = data
	return a, nil
}

// parseHeader reads the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
func (a *array) parseHeader(h string) error {
	p := &pyParser{s: h}
	v, err := p.value()
	if err != nil {
		return err
	}
	p.space()
	if p.i != len(p.s) {
		return fmt.Errorf("unexpected %q after the dict", p.rest())
	}
	d, ok := v.(map[string]any)
	if !ok {
		return errors.New("not a dict")
	}
	for k := range d {
		if k != "descr" && k != "fortran_order" && k != "shape" {
			return fmt.Errorf("unexpected key %q", k)
		}
	}
	switch x := d["descr"].(type) {
	case string:
		if a.dt, err = parseDtype(x); err != nil {
			return err
		}
	case nil:
		return errors.New("no 'descr'")
	default:
		return &dtypeError{"structured dtype (a record array): want a plain numeric array"}
	}
	switch x := d["fortran_order"].(type) {
	case bool:
		a.fortran = x
	case nil:
		return errors.New("no 'fortran_order'")
	default:
		return errors.New("'fortran_order' is not True or False")
	}
	sh, ok := d["shape"].([]any)
	if !ok {
		if d["shape"] == nil {
			return errors.New("no 'shape'")
		}
		return errors.New("'shape' is not a tuple")
	}
	n := int64(1)
	for _, x := range sh {
		dim, ok := x.(int64)
		if !ok || dim < 0 {
			return errors.New("'shape' holds something other than non-negative integers")
		}
		if dim > maxElements || (dim > 0 && n > maxElements/dim) {
			return fmt.Errorf("shape has more than %d elements", int64(maxElements))
		}
		n *= dim
		a.shape = append(a.shape, int(dim))
	}
	if n*int64(a.dt.size) > maxElements {
		return fmt.Errorf("array has more than %d bytes", int64(maxElements))
	}
	return nil
}

// dtypeError is an unsupported or unknown dtype (reported without the header around it).
type dtypeError struct{ msg string }

func (e *dtypeError) Error() string { return e.msg }

// parseDtype reads an array-protocol type string.
func parseDtype(s string) (dtype, error) {
	d, err := parseDtypeString(s)
	if err != nil {
		return d, &dtypeError{err.Error()}
	}
	return d, nil
}

func parseDtypeString(s string) (dtype, error) {
	d := dtype{descr: s}
	t := s
	if t != "" && strings.ContainsRune("<>|=", rune(t[0])) {
		d.big = t[0] == '>'
		t = t[1:]
	}
	if t == "" {
		return d, fmt.Errorf("dtype %q: no type", s)
	}
	d.kind = t[0]
	if d.kind == 'O' {
		return d, fmt.Errorf("dtype %q: an array of Python objects (pickled); save numbers, or strings with np.array(names, dtype=str)", s)
	}
	size, err := strconv.Atoi(t[1:])
	if err != nil || size < 0 || size > 1<<20 {
		return d, fmt.Errorf("dtype %q: not a plain NumPy type (e.g. <f4, <i8, <U5)", s)
	}
	d.size = size
	switch d.kind {
	case 'U':
		d.size = 4 * size
	case 'f', 'i', 'u', 'b', 'c', 'S', 'V', 'O', 'M', 'm', 'a':
	default:
		return d, fmt.Errorf("dtype %q: unknown kind %q", s, d.kind)
	}
	if d.kind == 'a' {
		d.kind = 'S'
	}
	return d, nil
}

// pyParser reads the subset of Python literals .npy headers use: dicts, tuples, lists, strings,
// integers, True, False and None.
type pyParser struct {
	s     string
	i     int
	depth int
}

func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

// value parses one Python literal of an .npy header at p.i: a dict, tuple or list (recursively),
// a string, an integer, True or False (None is rejected).
//
// Why it is long: it is a recursive-descent parser whose switch has one case per literal kind;
// each case is short and they read best side by side.
func (p *pyParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 16 {
		return nil, errors.New("nested too deeply")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		d := map[string]any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errors.New("dict key is not a string")
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("want ':' at %q", p.rest())
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if _, dup := d[ks]; dup {
				return nil, fmt.Errorf("key %q twice", ks)
			}
			d[ks] = v
			if err := p.sep('}'); err != nil {
				return nil, err
			}
		}
	case c == '(' || c == '[':
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.i++
		l := []any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return l, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			if err := p.sep(end); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		j := strings.IndexByte(p.s[p.i+1:], c)
		if j < 0 {
			return nil, errors.New("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+j]
		if strings.IndexByte(v, '\\') >= 0 {
			return nil, errors.New("escapes in strings are not supported")
		}
		p.i += j + 2
		return v, nil
	case c == '-' || (c >= '0' && c <= '9'):
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		// Python 2 long literals (3L) appear in old files.
		v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", p.s[p.i:j])
		}
		if j < len(p.s) && p.s[j] == 'L' {
			j++
		}
		p.i = j
		return v, nil
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				if w.v == nil {
					return nil, errors.New("None is not a value here")
				}
				return w.v, nil
			}
		}
		return nil, fmt.Errorf("unexpected %q", p.rest())
	}
}

// sep consumes ',' or sees the closing byte end.
func (p *pyParser) sep(end byte) error {
	p.space()
	if p.i >= len(p.s) {
		return errors.New("unexpected end")
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return nil
	case end:
		return nil
	}
	return fmt.Errorf("want ',' or %q at %q", end, p.rest())
}

// order returns the byte order of the array's elements.
func (a *array) order() binary.ByteOrder {
	if a.dt.big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// cIndex maps each position of the array in C (row-major) order to its element index in the
// stored order: the identity for C-order arrays, the transposition for Fortran-order ones.
func (a *array) cIndex() func(yield func(c, stored int) bool) {
	return func(yield func(c, stored int) bool) {
		n := a.count()
		if !a.fortran || len(a.shape) < 2 {
			for i := range n {
				if !yield(i, i) {
					return
				}
			}
			return
		}
		k := len(a.shape)
		stride := make([]int, k) // Fortran strides, in elements
		s := 1
		for i := range k {
			stride[i] = s
			s *= a.shape[i]
		}
		idx := make([]int, k)
		off := 0
		for c := range n {
			if !yield(c, off) {
				return
			}
			for d := k - 1; d >= 0; d-- {
				idx[d]++
				off += stride[d]
				if idx[d] < a.shape[d] {
					break
				}
				off -= a.shape[d] * stride[d]
				idx[d] = 0
			}
		}
	}
}

// floats decodes a float32 or float64 array into float32 values in C order, refusing NaN, ±Inf
// and float64 values beyond float32's range.
func (a *array) floats() ([]float32, error) {
	if a.dt.kind != 'f' || (a.dt.size != 4 && a.dt.size != 8) {
		return nil, fmt.Errorf("dtype %s %s: want float32 or float64 (convert with .astype(np.float32))", a.dt.descr, kindWords(a.dt))
	}
	if out, ok, err := a.float32sNative(); ok {
		return out, err
	}
	bo := a.order()
	out := make([]float32, a.count())
	for c, k := range a.cIndex() {
		var v float32
		if a.dt.size == 4 {
			v = math.Float32frombits(bo.Uint32(a.data[4*k:]))
		} else {
			x := math.Float64frombits(bo.Uint64(a.data[8*k:]))
			if !math.IsNaN(x) && !math.IsInf(x, 0) && math.Abs(x) > math.MaxFloat32 {
				return nil, fmt.Errorf("value %g at %s does not fit in float32", x, a.position(c))
			}
			v = float32(x)
		}
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("value %v at %s: activations must be finite", v, a.position(c))
		}
		out[c] = v
	}
	return out, nil
}

// float32sNative is floats for an array read straight into float32 values (nativeFloat32): a pass
// that checks every value is finite, and no copy. ok is false for any other array.
func (a *array) float32sNative() (out []float32, ok bool, err error) {
	if a.f32 == nil {
		return nil, false, nil
	}
	for c, v := range a.f32 {
		if math.Float32bits(v)&0x7f800000 == 0x7f800000 { // exponent all ones: Inf or NaN
			return nil, true, fmt.Errorf("value %v at %s: activations must be finite", v, a.position(c))
		}
	}
	return a.f32, true, nil
}

// ints decodes an integer array in C order into int64 values (uint64 values above MaxInt64 are
// refused).
func (a *array) ints() ([]int64, error) {
	if (a.dt.kind != 'i' && a.dt.kind != 'u') || (a.dt.size != 1 && a.dt.size != 2 && a.dt.size != 4 && a.dt.size != 8) {
		return nil, fmt.Errorf("dtype %s %s: want integers (e.g. .astype(np.int64))", a.dt.descr, kindWords(a.dt))
	}
	bo := a.order()
	out := make([]int64, a.count())
	signed := a.dt.kind == 'i'
	for c, k := range a.cIndex() {
		b := a.data[k*a.dt.size:]
		var v int64
		switch a.dt.size {
		case 1:
			if v = int64(b[0]); signed {
				v = int64(int8(b[0]))
			}
		case 2:
			if v = int64(bo.Uint16(b)); signed {
				v = int64(int16(bo.Uint16(b)))
			}
		case 4:
			if v = int64(bo.Uint32(b)); signed {
				v = int64(int32(bo.Uint32(b)))
			}
		case 8:
			u := bo.Uint64(b)
			if !signed && u > math.MaxInt64 {
				return nil, fmt.Errorf("value %d at %s is too large", u, a.position(c))
			}
			v = int64(u)
		}
		out[c] = v
	}
	return out, nil
}

// strings decodes a 'U' (UTF-32) or 'S' (bytes) array in C order, without NumPy's trailing NULs.
func (a *array) strings() ([]string, error) {
	if a.dt.kind != 'U' && a.dt.kind != 'S' {
		return nil, fmt.Errorf("dtype %s %s: want strings (np.array(names, dtype=str))", a.dt.descr, kindWords(a.dt))
	}
	bo := a.order()
	out := make([]string, a.count())
	sz := a.dt.size
	for c, k := range a.cIndex() {
		b := a.data[k*sz : (k+1)*sz]
		if a.dt.kind == 'S' {
			b = bytes.TrimRight(b, "\x00")
			if !utf8.Valid(b) {
				return nil, fmt.Errorf("string at %s is not valid UTF-8", a.position(c))
			}
			out[c] = string(b)
			continue
		}
		var sb strings.Builder
		for j := 0; j+4 <= len(b); j += 4 {
			r := rune(bo.Uint32(b[j:]))
			if r == 0 {
				if bytes.IndexFunc(b[j:], func(r rune) bool { return r != 0 }) >= 0 {
					return nil, fmt.Errorf("string at %s has a NUL character inside", a.position(c))
				}
				break
			}
			if !utf8.ValidRune(r) {
				return nil, fmt.Errorf("string at %s holds an invalid character (code %d)", a.position(c), uint32(r))
			}
			sb.WriteRune(r)
		}
		out[c] = sb.String()
	}
	return out, nil
}

// bools decodes a bool array in C order.
func (a *array) bools() ([]bool, error) {
	if a.dt.kind != 'b' || a.dt.size != 1 {
		return nil, fmt.Errorf("dtype %s: want bool", a.dt.descr)
	}
	out := make([]bool, a.count())
	for c, k := range a.cIndex() {
		switch a.data[k] {
		case 0:
		case 1:
			out[c] = true
		default:
			return nil, fmt.Errorf("bool at %s has byte value %d", a.position(c), a.data[k])
		}
	}
	return out, nil
}

// position names element c (C order) by its index: [3, 17].
func (a *array) position(c int) string {
	idx := make([]string, len(a.shape))
	for d := len(a.shape) - 1; d >= 0; d-- {
		if a.shape[d] > 0 {
			idx[d] = strconv.Itoa(c % a.shape[d])
			c /= a.shape[d]
		}
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// kindWords says what a dtype is in words, for error messages.
func kindWords(d dtype) string {
	switch d.kind {
	case 'f':
		return fmt.Sprintf("(float%d)", 8*d.size)
	case 'i':
		return fmt.Sprintf("(int%d)", 8*d.size)
	case 'u':
		return fmt.Sprintf("(uint%d)", 8*d.size)
	case 'b':
		return "(bool)"
	case 'c':
		return "(complex)"
	case 'U', 'S':
		return "(strings)"
	case 'O':
		return "(Python objects, pickled)"
	case 'M', 'm':
		return "(dates or times)"
	case 'V':
		return "(raw bytes)"
	}
	return ""
}
