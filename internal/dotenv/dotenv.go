// Package dotenv parses .env files as godotenv and Docker Compose read them:
// KEY=VALUE lines, blank lines and "#" comment lines, an optional "export "
// prefix, inline comments after white space ("KEY=value  # note"),
// single-quoted values taken literally, double-quoted values with \n, \r,
// \t, \", \\ and \$ escapes, quoted values over several lines, $VAR and
// ${VAR} expanded in unquoted and double-quoted values (from earlier lines
// of the file, else a lookup function), a leading UTF-8 byte order mark and
// CRLF line ends. Errors name the line, never a value.
//
// It is internal: applications call core.LoadEnvFile.
package dotenv

import (
	"bytes"
	"fmt"
	"strings"
)

// Var is one assignment of a .env file.
type Var struct{ Key, Value string }

// SyntaxError is a .env syntax error at a line. It never quotes the file,
// which holds secrets: its message is "<line>: <problem>".
type SyntaxError struct {
	Line    int    // 1-based
	Problem string // what is wrong, in words of the syntax only
}

// Error returns "<line>: <problem>".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%d: %s", e.Line, e.Problem) }

// Parse parses the bytes of a .env file into its assignments, in file
// order. lookup resolves variables the file refers to but does not set
// (os.LookupEnv, typically; nil for none). A syntax error is a
// [*SyntaxError].
func Parse(data []byte, lookup func(string) (string, bool)) ([]Var, error) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	src := strings.ReplaceAll(string(data), "\r\n", "\n")
	p := parser{src: src, line: 1, lookup: lookup, set: map[string]string{}}
	var out []Var
	for {
		p.skipBlank()
		if p.i >= len(p.src) {
			return out, nil
		}
		v, err := p.assignment()
		if err != nil {
			return nil, err
		}
		p.set[v.Key] = v.Value
		out = append(out, v)
	}
}

type parser struct {
	src    string
	i      int
	line   int
	lookup func(string) (string, bool)
	set    map[string]string // assigned so far, for expansion
}

func (p *parser) fail(problem string) error {
	return &SyntaxError{Line: p.line, Problem: problem}
}

// skipBlank skips white space, empty lines and comment lines.
func (p *parser) skipBlank() {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == '\n':
			p.line++
			p.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			p.i++
		case c == '#':
			p.skipLine()
		default:
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (p *parser) skipLine() {
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		p.i++
	}
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'):
		return true
	case !first && ((c >= '0' && c <= '9') || c == '.' || c == '-'):
		return true
	}
	return false
}

// assignment reads KEY=VALUE up to the end of its (last) line.
func (p *parser) assignment() (Var, error) {
	if strings.HasPrefix(p.src[p.i:], "export ") || strings.HasPrefix(p.src[p.i:], "export\t") {
		p.i += len("export ")
		for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
			p.i++
		}
	}
	start := p.i
	for p.i < len(p.src) && isKeyByte(p.src[p.i], p.i == start) {
		p.i++
	}
	key := p.src[start:p.i]
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if key == "" || p.i >= len(p.src) || (p.src[p.i] != '=' && p.src[p.i] != ':') {
		return Var{}, p.fail("expected KEY=VALUE")
	}
	p.i++
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	var (
		value string
		err   error
	)
	switch {
	case p.i < len(p.src) && p.src[p.i] == '\'':
		value, err = p.singleQuoted()
	case p.i < len(p.src) && p.src[p.i] == '"':
		value, err = p.doubleQuoted()
	default:
		value = p.unquoted()
	}
	if err != nil {
		return Var{}, err
	}
	return Var{Key: key, Value: value}, nil
}

// unquoted reads to the end of the line; a '#' after white space starts a
// comment; the value is trimmed and expanded.
func (p *parser) unquoted() string {
	start := p.i
	end := -1
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		if p.src[p.i] == '#' && (p.i == start || p.src[p.i-1] == ' ' || p.src[p.i-1] == '\t') && end < 0 {
			end = p.i
		}
		p.i++
	}
	if end < 0 {
		end = p.i
	}
	return p.expand(strings.TrimSpace(p.src[start:end]))
}

// singleQuoted reads a literal value up to the closing quote.
func (p *parser) singleQuoted() (string, error) {
	p.i++ // opening quote
	start, line := p.i, p.line
	for p.i < len(p.src) && p.src[p.i] != '\'' {
		if p.src[p.i] == '\n' {
			p.line++
		}
		p.i++
	}
	if p.i >= len(p.src) {
		p.line = line
		return "", p.fail("unterminated single-quoted value")
	}
	v := p.src[start:p.i]
	p.i++
	return v, p.trailer()
}

// doubleQuoted reads a value with escapes up to the closing quote.
func (p *parser) doubleQuoted() (string, error) {
	p.i++ // opening quote
	line := p.line
	var b strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return p.expandEscaped(b.String()), p.trailer()
		case c == '\\' && p.i+1 < len(p.src):
			p.i += 2
			switch e := p.src[p.i-1]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(e)
			case '$':
				b.WriteString(escapedDollar)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		case c == '\n':
			p.line++
		}
		b.WriteByte(c)
		p.i++
	}
	p.line = line
	return "", p.fail("unterminated double-quoted value")
}

// trailer accepts only white space and a comment after a closing quote.
func (p *parser) trailer() error {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if p.i < len(p.src) && p.src[p.i] != '\n' && p.src[p.i] != '#' {
		return p.fail("unexpected characters after a quoted value")
	}
	p.skipLine()
	return nil
}

// escapedDollar stands for a "\$" while a double-quoted value is expanded.
const escapedDollar = "\x00$"

func (p *parser) expandEscaped(s string) string {
	return strings.ReplaceAll(p.expand(s), "\x00", "")
}

// expand replaces $VAR and ${VAR} with earlier assignments of the file,
// else the environment, else "". A "$" not followed by a name stays.
func (p *parser) expand(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || (i > 0 && s[i-1] == '\x00') || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		var name string
		j := i + 1
		if s[j] == '{' {
			k := strings.IndexByte(s[j:], '}')
			if k < 0 {
				b.WriteByte(c)
				continue
			}
			name, j = s[j+1:j+k], j+k+1
		} else {
			for j < len(s) && isKeyByte(s[j], j == i+1) && s[j] != '.' && s[j] != '-' {
				j++
			}
			name = s[i+1 : j]
		}
		if name == "" {
			b.WriteByte(c)
			continue
		}
		if v, ok := p.set[name]; ok {
			b.WriteString(v)
		} else if v, ok := p.lookup(name); ok {
			b.WriteString(v)
		}
		i = j - 1
	}
	return b.String()
}
