package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrResponseTooLarge is returned (wrapped) when a response body is larger
// than the cap set by [WithMaxResponseBytes].
var ErrResponseTooLarge = errors.New("bapi: response body too large")

// Response is the HTTP response of a call. The body has already been read
// and decoded; Body can be read again from the start.
type Response struct {
	*http.Response

	// TraceID is Clerk's trace id from the X-Clerk-Trace-Id header, if any.
	TraceID string

	// TotalCount is the total number of items reported by list operations
	// whose response carries a total_count; zero otherwise.
	TotalCount int64

	// Offset and Limit are the paging window of a list call.
	Offset, Limit int

	// NextOffset is the offset of the next page of a list call, or zero
	// when this page was shorter than Limit (the last one).
	NextOffset int
}

// ErrNoResponse is returned by the methods of a nil or empty [*Response]
// that need the HTTP response.
var ErrNoResponse = errors.New("bapi: no HTTP response")

// Cookies parses the Set-Cookie headers; nil for a nil or empty Response.
func (r *Response) Cookies() []*http.Cookie {
	if r == nil || r.Response == nil {
		return nil
	}
	return r.Response.Cookies()
}

// Location returns the Location header's URL, resolved against the request
// (see [http.Response.Location]); [ErrNoResponse] for a nil or empty
// Response.
func (r *Response) Location() (*url.URL, error) {
	if r == nil || r.Response == nil {
		return nil, ErrNoResponse
	}
	return r.Response.Location()
}

// ProtoAtLeast reports whether the response's HTTP version is at least
// major.minor; false for a nil or empty Response.
func (r *Response) ProtoAtLeast(major, minor int) bool {
	return r != nil && r.Response != nil && r.Response.ProtoAtLeast(major, minor)
}

// Write writes the response in HTTP/1.x wire format (see
// [http.Response.Write]); [ErrNoResponse] for a nil or empty Response.
func (r *Response) Write(w io.Writer) error {
	if r == nil || r.Response == nil {
		return ErrNoResponse
	}
	if w == nil {
		return errors.New("bapi: Response.Write: nil writer")
	}
	return r.Response.Write(w)
}

// setPage records the paging window of a list call that returned n items.
func (r *Response) setPage(offset, limit, defaultLimit, n int) {
	if r == nil {
		return
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	r.Offset, r.Limit = offset, limit
	if n >= limit && n > 0 {
		r.NextOffset = offset + n
	}
}

// request is one Backend API call, ready to send.
type request struct {
	method      string
	path        string // below the base URL, already escaped, starting with "/"
	query       url.Values
	body        []byte
	contentType string
	formValues  []string // the text fields of a multipart body
}

// values returns the strings the request sends (query values, JSON string
// values of the body, multipart text fields), for [Error.markEchoes].
func (r *request) values() []string {
	var out []string
	for _, vs := range r.query {
		out = append(out, vs...)
	}
	out = append(out, r.formValues...)
	if r.contentType == "application/json" {
		var v any
		if json.Unmarshal(r.body, &v) == nil {
			out = appendStrings(out, v)
		}
	}
	return out
}

func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case map[string]any:
		for _, e := range v {
			out = appendStrings(out, e)
		}
	case []any:
		for _, e := range v {
			out = appendStrings(out, e)
		}
	}
	return out
}

// newRequest builds a request whose body, if any, is v encoded as JSON.
func newRequest(method, path string, query url.Values, v any) (*request, error) {
	r := &request{method: method, path: path, query: query}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("bapi: encoding body of %s %s: %w", method, path, err)
		}
		r.body = b
		r.contentType = "application/json"
	}
	return r, nil
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// do sends req, retrying idempotent requests on transient failures, and
// decodes a successful JSON response into out (when out is not nil).
func (c *Client) do(ctx context.Context, req *request, out any) (*Response, error) {
	if c == nil || c.baseURL == nil || c.httpClient == nil || c.secretKey.IsZero() {
		return nil, ErrNilClient
	}
	if ctx == nil {
		return nil, errors.New("bapi: nil context")
	}
	target := c.baseURL.String() + req.path
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.attempt(ctx, req, target, out)
		if err == nil {
			return resp, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return resp, err
		}
		if !idempotent(req.method) || attempt >= c.maxRetries || !retryable(err) {
			return resp, err
		}
		d, ok := c.retryDelay(attempt, err)
		if !ok {
			return resp, err
		}
		if werr := c.wait(ctx, d); werr != nil {
			return resp, fmt.Errorf("bapi: %s %s: stopped retrying: %w (last error: %w)", req.method, route(req.path), werr, err)
		}
	}
}

// transportError is a failure to get a response at all (connection refused,
// reset, per-attempt timeout, ...). It is retried for idempotent requests.
type transportError struct{ err error }

// Error describes the failure, which never includes the secret key.
func (e *transportError) Error() string { return "bapi: " + e.err.Error() }

// Unwrap exposes the cause, such as a context or net error.
func (e *transportError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return true
	}
	var ae *Error
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// retryDelay is how long to wait before retry number attempt+1. It reports
// false when the server asks for a longer wait than the client allows.
func (c *Client) retryDelay(attempt int, err error) (time.Duration, bool) {
	var ae *Error
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		if ae.RetryAfter > c.maxRetryWait {
			return 0, false
		}
		return ae.RetryAfter, true
	}
	d := c.retryBase
	for i := 0; i < attempt && d < c.maxRetryWait; i++ {
		d *= 2
	}
	d = d/2 + time.Duration(c.jitter()*float64(d/2))
	if d > c.maxRetryWait {
		d = c.maxRetryWait
	}
	return d, true
}

// attempt sends req once.
func (c *Client) attempt(ctx context.Context, req *request, target string, out any) (*Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("bapi: building %s %s: %w", req.method, route(req.path), err)
	}
	hreq.Header.Set("Authorization", "Bearer "+c.secretKey.Reveal())
	hreq.Header.Set("Clerk-API-Version", APIVersion)
	hreq.Header.Set("User-Agent", c.userAgent)
	hreq.Header.Set("Accept", "application/json")
	if req.contentType != "" {
		hreq.Header.Set("Content-Type", req.contentType)
	}
	hresp, err := c.httpClient.Do(hreq)
	if err != nil {
		// net/http quotes the URL, whose path and query can carry a user
		// id, an email address or a phone number: keep the base URL and the
		// route only.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = c.baseURL.String() + route(req.path)
		}
		return nil, &transportError{err: err}
	}
	defer hresp.Body.Close()
	resp := &Response{Response: hresp, TraceID: hresp.Header.Get("X-Clerk-Trace-Id")}
	data, err := readCapped(hresp.Body, c.maxResponseBytes)
	hresp.Body = io.NopCloser(bytes.NewReader(data))
	failed := hresp.StatusCode < 200 || hresp.StatusCode > 299
	switch {
	case errors.Is(err, ErrResponseTooLarge) && failed:
		data = nil // an oversized error body: keep the status and headers only
	case errors.Is(err, ErrResponseTooLarge):
		return resp, fmt.Errorf("%w: %s %s: more than %d bytes", ErrResponseTooLarge, req.method, route(req.path), c.maxResponseBytes)
	case err != nil:
		return resp, &transportError{err: fmt.Errorf("reading response of %s %s: %w", req.method, route(req.path), err)}
	}
	if failed {
		e := decodeError(req.method, req.path, hresp.StatusCode, hresp.Header, data)
		e.redact(c.secretKey.Reveal())
		e.markEchoes(req.values())
		return resp, e
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, &decodingError{msg: fmt.Sprintf("bapi: decoding response of %s %s: %s", req.method, route(req.path), describeJSONError(err)), err: err}
		}
	}
	return resp, nil
}

// decodingError is a success response that does not decode. Its text
// describes the problem without quoting the body; Unwrap gives json's error.
type decodingError struct {
	msg string
	err error
}

// Error describes the call and the problem.
func (e *decodingError) Error() string { return e.msg }

// Unwrap exposes json's error (*json.SyntaxError, *json.UnmarshalTypeError).
func (e *decodingError) Unwrap() error { return e.err }

// describeJSONError says what is wrong without the number literals and
// characters of the body that json's own messages quote.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		kind, _, _ := strings.Cut(te.Value, " ") // "number 12.5" -> "number"
		into := "a Go value"
		if te.Field != "" {
			into = "field " + te.Struct + "." + te.Field
		}
		typ := "?"
		if te.Type != nil {
			typ = te.Type.String()
		}
		return fmt.Sprintf("json: cannot decode a %s into %s of type %s", kind, into, typ)
	case errors.As(err, &se):
		return fmt.Sprintf("json: invalid JSON at byte %d", se.Offset)
	}
	return "json: invalid response body"
}

// readCapped reads all of r, failing with ErrResponseTooLarge past max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return data, err
	}
	if int64(len(data)) > max {
		return data[:max], ErrResponseTooLarge
	}
	return data, nil
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date,
// capped at a day. Anything else is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	const maxRetryAfter = 24 * time.Hour
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// pathEscape escapes one path parameter.
func pathEscape(s string) string { return url.PathEscape(s) }

// ErrInvalidPathParam is returned (wrapped), before any request is sent,
// for a path parameter that is empty, "." or "..": escaped or not, such a
// segment would address another endpoint.
var ErrInvalidPathParam = errors.New("bapi: invalid path parameter")

// validPathParam reports whether s can be sent as a path segment: it is not
// empty, "." or "..". Anything else is escaped by pathEscape.
func validPathParam(s string) bool { return s != "" && s != "." && s != ".." }

// errPathParam is the error of a path parameter that validPathParam rejects.
// It names the argument, never its value.
func errPathParam(call, arg string) error {
	return fmt.Errorf("%w: %s: %s must not be empty, \".\" or \"..\"", ErrInvalidPathParam, call, arg)
}
