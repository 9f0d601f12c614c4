package core

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader is a small, strict JSON reader for the two JSON documents on
// the verification hot path: a token's header (validated only; jwx reads
// it) and its claims. It decodes straight into the fields it is asked for,
// skipping (and still validating) the rest, which is several times faster
// than reflection-based decoding. It is strict where encoding/json is
// lenient: object keys match exactly (not case-insensitively), a repeated
// member name is an error, and so is invalid UTF-8. [Claims.Decode] reads
// custom claims with the same rules (github.com/go-json-experiment/json,
// the future encoding/json/v2); a fuzz test holds the two to agreement.
type jsonReader struct {
	s     string
	i     int
	depth int
}

// The reader's errors. They never quote the input: a token's bytes must not
// reach an error text.
var (
	errJSON          = errors.New("invalid JSON")
	errDuplicateName = errors.New("JSON member name repeated")
)

const maxJSONDepth = 64

func (r *jsonReader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

func (r *jsonReader) literal(lit string) bool {
	if len(r.s)-r.i >= len(lit) && r.s[r.i:r.i+len(lit)] == lit {
		r.i += len(lit)
		return true
	}
	return false
}

// null consumes a null literal if one comes next.
func (r *jsonReader) null() bool {
	return r.peek() == 'n' && r.literal("null")
}

// object reads an object, calling field for each key with the reader placed
// on the value; field must consume the value. A member name that appears
// twice in the object is an error (RFC 8259 leaves it undefined; parsers
// disagree on which value wins).
func (r *jsonReader) object(field func(key string) error) error {
	if r.peek() != '{' {
		return errJSON
	}
	if r.depth++; r.depth > maxJSONDepth {
		return errJSON
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		r.depth--
		return nil
	}
	var names memberNames
	for {
		if r.peek() != '"' {
			return errJSON
		}
		key, err := r.rawString()
		if err != nil {
			return err
		}
		if !names.add(key) {
			return errDuplicateName
		}
		if r.peek() != ':' {
			return errJSON
		}
		r.i++
		if err := field(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return nil
		default:
			return errJSON
		}
	}
}

// memberNames is the set of member names of one object, on the stack for
// the small objects of tokens and in a map past that.
type memberNames struct {
	small [16]string
	n     int
	large map[string]struct{}
}

// add records name and reports whether it was new.
func (m *memberNames) add(name string) bool {
	if m.large != nil {
		if _, dup := m.large[name]; dup {
			return false
		}
		m.large[name] = struct{}{}
		return true
	}
	for _, s := range m.small[:m.n] {
		if s == name {
			return false
		}
	}
	if m.n < len(m.small) {
		m.small[m.n] = name
		m.n++
		return true
	}
	m.large = make(map[string]struct{}, 2*len(m.small))
	for _, s := range m.small {
		m.large[s] = struct{}{}
	}
	m.large[name] = struct{}{}
	return true
}

// array reads an array, calling elem with the reader placed on each value.
func (r *jsonReader) array(elem func() error) error {
	if r.peek() != '[' {
		return errJSON
	}
	if r.depth++; r.depth > maxJSONDepth {
		return errJSON
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return nil
		default:
			return errJSON
		}
	}
}

// rawString reads a string and returns its decoded value. Without escapes
// the result is a substring of the input: no copy.
func (r *jsonReader) rawString() (string, error) {
	if r.peek() != '"' {
		return "", errJSON
	}
	r.i++
	start := r.i
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			s := r.s[start:r.i]
			r.i++
			if !utf8.ValidString(s) {
				return "", errJSON
			}
			return s, nil
		case c == '\\':
			return r.escapedString(start)
		case c < 0x20:
			return "", errJSON
		}
		r.i++
	}
	return "", errJSON
}

// escapedString continues rawString once a backslash is met.
func (r *jsonReader) escapedString(start int) (string, error) {
	out := append([]byte(nil), r.s[start:r.i]...)
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(out) {
				return "", errJSON
			}
			return string(out), nil
		case c < 0x20:
			return "", errJSON
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			return "", errJSON
		}
		e := r.s[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r1, ok := r.hex4()
			if !ok {
				return "", errJSON
			}
			if utf16.IsSurrogate(r1) {
				// A lone surrogate is not a character: refused, rather than
				// read as U+FFFD (which would make "\ud800" and "\ufffd"
				// the same string).
				if !r.literal(`\u`) {
					return "", errJSON
				}
				r2, ok := r.hex4()
				d := utf16.DecodeRune(r1, r2)
				if !ok || d == utf8.RuneError {
					return "", errJSON
				}
				r1 = d
			}
			out = utf8.AppendRune(out, r1)
		default:
			return "", errJSON
		}
	}
	return "", errJSON
}

func (r *jsonReader) hex4() (rune, bool) {
	if len(r.s)-r.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(r.s[r.i:r.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(v), true //nolint:gosec // four hex digits: at most 0xFFFF
}

// str reads a string value; null leaves *dst unchanged.
func (r *jsonReader) str(dst *string) error {
	if r.null() {
		return nil
	}
	v, err := r.rawString()
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// numberLiteral reads a JSON number and reports whether it is an integer.
func (r *jsonReader) numberLiteral() (lit string, integer bool, err error) {
	r.ws()
	start := r.i
	if r.i < len(r.s) && r.s[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.s) && r.s[r.i] == '0':
		r.i++
	case r.i < len(r.s) && r.s[r.i] >= '1' && r.s[r.i] <= '9':
		r.digits()
	default:
		return "", false, errJSON
	}
	integer = true
	if r.i < len(r.s) && r.s[r.i] == '.' {
		r.i++
		if r.digits() == 0 {
			return "", false, errJSON
		}
		integer = false
	}
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.i++
		if r.i < len(r.s) && (r.s[r.i] == '+' || r.s[r.i] == '-') {
			r.i++
		}
		if r.digits() == 0 {
			return "", false, errJSON
		}
		integer = false
	}
	return r.s[start:r.i], integer, nil
}

func (r *jsonReader) digits() int {
	n := 0
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
		n++
	}
	return n
}

// float reads a number (or null: present is false).
func (r *jsonReader) float() (v float64, present bool, err error) {
	if r.null() {
		return 0, false, nil
	}
	lit, _, err := r.numberLiteral()
	if err != nil {
		return 0, false, err
	}
	v, err = strconv.ParseFloat(lit, 64)
	if err != nil {
		return 0, false, errJSON // out of range; the literal stays out of the error
	}
	return v, true, nil
}

// int reads an integer number; null leaves *dst unchanged.
func (r *jsonReader) int(dst *int) error {
	if r.null() {
		return nil
	}
	lit, integer, err := r.numberLiteral()
	if err != nil {
		return err
	}
	if !integer {
		return errJSON
	}
	n, err := strconv.Atoi(lit)
	if err != nil {
		return errJSON // out of range; the literal stays out of the error
	}
	*dst = n
	return nil
}

// skip reads and validates any value.
func (r *jsonReader) skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.object(func(string) error { return r.skip() })
	case c == '[':
		return r.array(r.skip)
	case c == '"':
		_, err := r.rawString()
		return err
	case c == 't':
		if r.literal("true") {
			return nil
		}
	case c == 'f':
		if r.literal("false") {
			return nil
		}
	case c == 'n':
		if r.literal("null") {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, _, err := r.numberLiteral()
		return err
	}
	return errJSON
}

// end checks that only white space follows the value.
func (r *jsonReader) end() error {
	if r.peek() != 0 || r.i != len(r.s) {
		return errJSON
	}
	return nil
}
