package bapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/clerkgo/clerk/internal/secret"
)

// ErrRedirect matches (with [errors.Is]) the [*Error] of a 3xx answer. The
// client never follows a redirect: every request carries the secret key, and
// a redirect could lead it to another host or to plain http.
var ErrRedirect = errors.New("bapi: redirect refused")

// Error is a non-2xx answer of the Backend API. Use [errors.As] to reach it
// through wrapping, or the helpers [IsNotFound], [IsRateLimited], ...
//
// Clerk's messages and meta can echo values of the request (a token being
// verified, an email address), and the path carries identifiers (a user id,
// an organization slug), so an Error prints as a bounded summary: the call
// by its method and the first segment of its path ("GET /users/…"), the
// status, Clerk's error codes and the trace id. That holds for Error, every
// fmt verb, slog and encoding/json. The full Path, the messages and the
// meta stay in the fields for programs to read.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Method and Path name the call that failed (the path without the base
	// URL). Path is not printed in full: see [Error.Error].
	Method, Path string
	// Errors is Clerk's errors[] list; empty when the body was not Clerk JSON.
	Errors []ErrorDetail
	// Meta is the top-level meta object of the error body, if any.
	Meta map[string]any
	// TraceID is clerk_trace_id from the body, else the X-Clerk-Trace-Id header.
	TraceID string
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration

	// echoed holds the codes and trace id of the answer that repeat a value
	// of the request; the summary leaves them out.
	echoed map[string]bool
}

// ErrorDetail is one entry of Clerk's errors[] list.
type ErrorDetail struct {
	Code        string         `json:"code"`
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message,omitempty"`
	Meta        map[string]any `json:"meta,omitempty"`
}

// Limits of the identifiers an Error prints.
const (
	maxPrintedCode  = 64
	maxPrintedTrace = 128
)

// printable returns s when it looks like an identifier that Clerk would
// send (letters, digits, "_", "-", ".", ":"; bounded) and repeats no value of
// the request; "" otherwise.
func (e *Error) printable(s string, max int) string {
	if s == "" || len(s) > max || e.echoed[s] {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':') {
			return ""
		}
	}
	return s
}

// route is the path as the summary prints it: its first segment (the
// resource, such as "users"), and "/…" for the rest, which holds the
// call's path parameters.
func (e *Error) route() string { return route(e.Path) }

// route is how an error text shows a request path: its first segment and
// "…" for the rest, since the rest can carry an identifier (a user id, an
// email address in a lookup). Error.Path keeps the full path.
func route(path string) string {
	first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if first == "" && rest == "" {
		return path
	}
	for i := 0; i < len(first); i++ {
		if c := first[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			first = "…"
			break
		}
	}
	if rest != "" {
		return "/" + first + "/…"
	}
	return "/" + first
}

// codes returns the printable codes of Clerk's errors.
func (e *Error) codes() []string {
	var out []string
	for _, d := range e.Errors {
		if c := e.printable(d.Code, maxPrintedCode); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Error describes the failure: the call (method and first path segment),
// the status, Clerk's first error code and the trace id. It never includes
// Clerk's messages or meta, nor the path's parameters.
func (e *Error) Error() string {
	if e == nil {
		return "bapi: <nil *Error>"
	}
	var b strings.Builder
	b.WriteString("bapi: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.route())
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.isRedirect() {
		b.WriteString(" (redirect refused)")
	}
	if len(e.Errors) > 0 {
		if code := e.printable(e.Errors[0].Code, maxPrintedCode); code != "" {
			b.WriteString(": " + code)
		}
		if len(e.Errors) > 1 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Errors)-1)
		}
	}
	if tr := e.printable(e.TraceID, maxPrintedTrace); tr != "" {
		b.WriteString(" [trace " + tr + "]")
	}
	return b.String()
}

// GoString is the %#v form: the summary's fields in Go syntax.
func (e *Error) GoString() string {
	if e == nil {
		return "(*bapi.Error)(nil)"
	}
	return fmt.Sprintf("&bapi.Error{StatusCode:%d, Method:%q, Path:%q, Codes:%#v, TraceID:%q}",
		e.StatusCode, e.Method, e.route(), e.codes(), e.printable(e.TraceID, maxPrintedTrace))
}

// Format prints the summary of [Error.Error] for every fmt verb (%#v is
// [Error.GoString]), so that no verb reaches the messages or meta.
func (e *Error) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = io.WriteString(f, e.GoString())
			return
		}
		fmt.Fprintf(f, fmt.FormatString(f, 's'), e.Error())
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), e.Error())
	default:
		_, _ = io.WriteString(f, e.Error())
	}
}

// LogValue is the error as slog logs it: the summary's fields.
func (e *Error) LogValue() slog.Value {
	if e == nil {
		return slog.StringValue(e.Error())
	}
	attrs := []slog.Attr{slog.Int("status", e.StatusCode), slog.String("method", e.Method), slog.String("path", e.route())}
	if codes := e.codes(); len(codes) > 0 {
		attrs = append(attrs, slog.String("codes", strings.Join(codes, ",")))
	}
	if tr := e.printable(e.TraceID, maxPrintedTrace); tr != "" {
		attrs = append(attrs, slog.String("trace_id", tr))
	}
	if e.RetryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", e.RetryAfter))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON encodes the summary (status, method, path as Error prints
// it, codes, trace id), never Clerk's messages or meta.
func (e *Error) MarshalJSON() ([]byte, error) {
	if e == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Status  int      `json:"status"`
		Method  string   `json:"method,omitempty"`
		Path    string   `json:"path,omitempty"`
		Codes   []string `json:"codes,omitempty"`
		TraceID string   `json:"trace_id,omitempty"`
	}{e.StatusCode, e.Method, e.route(), e.codes(), e.printable(e.TraceID, maxPrintedTrace)})
}

// Is reports whether target is [ErrRedirect] and e is a 3xx answer.
func (e *Error) Is(target error) bool { return target == ErrRedirect && e.isRedirect() }

func (e *Error) isRedirect() bool { return e != nil && e.StatusCode >= 300 && e.StatusCode <= 399 }

// HasCode reports whether one of Clerk's errors has the given code
// (for example "form_identifier_exists").
func (e *Error) HasCode(code string) bool {
	if e == nil {
		return false
	}
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// decodeError builds an *Error from a non-2xx response. A body that is not
// Clerk's JSON keeps the status and nothing else.
func decodeError(method, path string, status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: method, Path: path}
	var payload struct {
		Errors       []ErrorDetail  `json:"errors"`
		Meta         map[string]any `json:"meta"`
		ClerkTraceID string         `json:"clerk_trace_id"`
	}
	if json.Unmarshal(body, &payload) == nil {
		e.Errors = payload.Errors
		e.Meta = payload.Meta
		e.TraceID = payload.ClerkTraceID
	}
	if e.TraceID == "" && header != nil {
		e.TraceID = header.Get("X-Clerk-Trace-Id")
	}
	if header != nil {
		e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	}
	return e
}

// StatusCode returns the HTTP status of an *Error in err's chain, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is a 401 answer (bad or missing secret key).
func IsUnauthorized(err error) bool { return StatusCode(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403 answer.
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// IsConflict reports whether err is a 409 answer.
func IsConflict(err error) bool { return StatusCode(err) == http.StatusConflict }

// IsUnprocessable reports whether err is a 422 answer (validation failed).
func IsUnprocessable(err error) bool { return StatusCode(err) == http.StatusUnprocessableEntity }

// IsRateLimited reports whether err is a 429 answer; see [Error.RetryAfter].
func IsRateLimited(err error) bool { return StatusCode(err) == http.StatusTooManyRequests }

// redact removes the secret key from the server-provided text of e, meta
// included, in case a proxy or server echoes the Authorization header back.
func (e *Error) redact(key string) {
	if key == "" {
		return
	}
	r := strings.NewReplacer(key, secret.Redacted)
	e.TraceID = r.Replace(e.TraceID)
	redactMap(e.Meta, r)
	for i := range e.Errors {
		d := &e.Errors[i]
		d.Code, d.Message, d.LongMessage = r.Replace(d.Code), r.Replace(d.Message), r.Replace(d.LongMessage)
		redactMap(d.Meta, r)
	}
}

func redactMap(m map[string]any, r *strings.Replacer) {
	for k, v := range m {
		m[k] = redactValue(v, r)
	}
}

func redactValue(v any, r *strings.Replacer) any {
	switch v := v.(type) {
	case string:
		return r.Replace(v)
	case map[string]any:
		redactMap(v, r)
	case []any:
		for i := range v {
			v[i] = redactValue(v[i], r)
		}
	}
	return v
}

// minEchoLen is the shortest request value that counts as echoed: shorter
// strings are too common to hide and too short to be secrets.
const minEchoLen = 8

// markEchoes records the codes and the trace id of e that repeat one of the
// request's values (or contain one), so that the summary leaves them out.
func (e *Error) markEchoes(values []string) {
	texts := []string{e.TraceID}
	for _, d := range e.Errors {
		texts = append(texts, d.Code)
	}
	for _, t := range texts {
		if t == "" {
			continue
		}
		for _, v := range values {
			if len(v) >= minEchoLen && strings.Contains(t, v) || len(t) >= minEchoLen && strings.Contains(v, t) {
				if e.echoed == nil {
					e.echoed = map[string]bool{}
				}
				e.echoed[t] = true
				break
			}
		}
	}
}
