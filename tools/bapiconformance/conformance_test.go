package bapiconformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/clerkgo/clerk/core/bapi"
)

const defaultSpec = "../../../shared/clerk-bapi-2026-05-12.yml"

// loadSpec loads the spec named by CLERK_BAPI_SPEC (default: the shared copy
// beside the repository). A missing spec fails under CI and skips otherwise.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path := os.Getenv("CLERK_BAPI_SPEC")
	if path == "" {
		path = defaultSpec
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("spec not found at %s (set CLERK_BAPI_SPEC): %v", path, err)
		}
		t.Skipf("spec not found at %s (set CLERK_BAPI_SPEC); skipping", path)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(filepath.Clean(path))
	if err != nil {
		t.Fatalf("loading spec: %v", err)
	}
	return doc
}

type specOp struct {
	method, path string
	op           *openapi3.Operation
}

func specOps(doc *openapi3.T) map[string]specOp {
	ops := map[string]specOp{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = specOp{method: method, path: path, op: op}
		}
	}
	return ops
}

// TestEveryOperationHasAMethod fails when the spec has an operation that the
// generated client does not call, or the table names one the spec lacks.
func TestEveryOperationHasAMethod(t *testing.T) {
	doc := loadSpec(t)
	ops := specOps(doc)
	byID := map[string]call{}
	for _, c := range calls {
		if _, dup := byID[c.ID]; dup {
			t.Errorf("operation %s has two callers", c.ID)
		}
		byID[c.ID] = c
	}
	for id, o := range ops {
		c, ok := byID[id]
		if !ok {
			t.Errorf("operation %s (%s %s) has no client method", id, o.method, o.path)
			continue
		}
		if c.Method != o.method || c.Path != o.path {
			t.Errorf("operation %s: caller for %s %s, spec says %s %s", id, c.Method, c.Path, o.method, o.path)
		}
	}
	for id := range byID {
		if _, ok := ops[id]; !ok {
			t.Errorf("caller %s has no operation in the spec", id)
		}
	}
	if len(ops) != len(calls) {
		t.Errorf("spec has %d operations, client has %d callers", len(ops), len(calls))
	}
}

// seen is what the fake server recorded for the last request.
type seen struct {
	mu       sync.Mutex
	opID     string
	errs     []string
	status   int
	query    url.Values
	body     []byte
	ctype    string
	response any  // the JSON value the server answered with
	nulls    bool // answer with null for nullable properties
}

// fakeServer validates each request against the spec and answers with an
// instance of the success response's schema.
func fakeServer(t *testing.T, doc *openapi3.T, rec *seen) *httptest.Server {
	var router routers.Router
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		route, pathParams, err := router.FindRoute(r)
		if err != nil {
			rec.opID, rec.errs = "", []string{"no route: " + err.Error()}
			http.Error(w, "no route", http.StatusNotFound)
			return
		}
		rec.opID = route.Operation.OperationID
		rec.errs = nil
		rec.query = r.URL.Query()
		rec.ctype = r.Header.Get("Content-Type")
		if r.Body != nil {
			rec.body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(rec.body))
		}
		if got := r.Header.Get("Authorization"); got != "Bearer sk_test_conformance" {
			rec.errs = append(rec.errs, "Authorization header = "+got)
		}
		if got := r.Header.Get("Clerk-API-Version"); got != doc.Info.Version {
			rec.errs = append(rec.errs, "Clerk-API-Version header = "+got)
		}
		in := &openapi3filter.RequestValidationInput{
			Request: r, PathParams: pathParams, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
		}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			rec.errs = append(rec.errs, err.Error())
		}
		status, schema := successResponse(route.Operation)
		rec.status = status
		if schema == nil {
			w.WriteHeader(status)
			return
		}
		rec.response = example(schema, 0, ex{nulls: rec.nulls})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(rec.response)
	}))
	t.Cleanup(srv.Close)
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/v1"}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	router = r
	return srv
}

// successResponse returns the first 2xx status of op and its JSON schema.
func successResponse(op *openapi3.Operation) (int, *openapi3.Schema) {
	codes := make([]string, 0)
	for code := range op.Responses.Map() {
		if strings.HasPrefix(code, "2") {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		return http.StatusOK, nil
	}
	var status int
	fmt.Sscan(codes[0], &status)
	resp := op.Responses.Value(codes[0])
	if resp == nil || resp.Value == nil {
		return status, nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return status, nil
	}
	return status, mt.Schema.Value
}

// buildInput makes example parameter values and a body for op.
func buildInput(o specOp, nulls bool) (*input, error) {
	m := ex{request: true, nulls: nulls}
	in := &input{Path: map[string]string{}, Query: map[string]any{}}
	for _, pr := range o.op.Parameters {
		p := pr.Value
		v := example(p.Schema.Value, 1, m)
		if v == nil {
			continue // a nullable query parameter left out
		}
		switch p.In {
		case "path":
			in.Path[p.Name] = fmt.Sprint(v)
		case "query":
			in.Query[p.Name] = v
		}
	}
	if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
		for ct, mt := range rb.Value.Content {
			body := example(mt.Schema.Value, 0, m)
			if ct == "multipart/form-data" {
				if m, ok := body.(map[string]any); ok {
					for k, p := range mt.Schema.Value.Properties {
						if p.Value.Format == "binary" {
							delete(m, k)
						}
					}
				}
				in.File = func() *bapi.File {
					return &bapi.File{Name: "logo.png", ContentType: "image/png", Reader: bytes.NewReader([]byte("\x89PNG\r\n\x1a\nfake"))}
				}
			}
			b, err := json.Marshal(body)
			if err != nil {
				return nil, err
			}
			in.Body = b
		}
	}
	return in, nil
}

// ex says how to build examples: for a request (read-only properties left
// out) and with null for every nullable property below the top level.
type ex struct{ request, nulls bool }

// example builds a value that satisfies s (for the schemas of this spec).
func example(s *openapi3.Schema, depth int, m ex) any {
	if s == nil {
		return "x"
	}
	if m.nulls && s.Nullable && depth > 0 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := example(part.Value, depth, m).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		if len(s.Properties) > 0 {
			for k, v := range objectExample(s, depth, m) {
				merged[k] = v
			}
		}
		if len(merged) > 0 || len(s.AllOf) > 1 {
			return merged
		}
		return example(s.AllOf[0].Value, depth, m)
	}
	if len(s.OneOf) > 0 && len(s.Properties) == 0 {
		return example(s.OneOf[0].Value, depth, m)
	}
	if len(s.AnyOf) > 0 && len(s.Properties) == 0 && s.AnyOf[0].Value.Type == nil && len(s.AnyOf[0].Value.Properties) == 0 {
		// required-only alternatives on a typeless schema: nothing to add
	} else if len(s.AnyOf) > 0 && len(s.Properties) == 0 {
		return example(s.AnyOf[0].Value, depth, m)
	}
	switch {
	case s.Type.Is("string"):
		return stringExample(s)
	case s.Type.Is("integer"):
		if s.Min != nil {
			if s.ExclusiveMin.IsTrue() {
				return int64(*s.Min) + 1
			}
			return int64(*s.Min)
		}
		return int64(1)
	case s.Type.Is("number"):
		if s.Min != nil {
			if s.ExclusiveMin.IsTrue() {
				return *s.Min + 1
			}
			return *s.Min
		}
		return 1.5
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("array"):
		n := 1
		if s.MinItems > 1 {
			n = int(s.MinItems)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = example(s.Items.Value, depth+1, m)
		}
		return out
	}
	if len(s.Properties) > 0 || s.Type.Is("object") {
		return objectExample(s, depth, m)
	}
	return "x"
}

func objectExample(s *openapi3.Schema, depth int, m ex) map[string]any {
	out := map[string]any{}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for name, p := range s.Properties {
		if p.Value.ReadOnly && m.request {
			continue
		}
		if depth > 6 && !required[name] {
			continue
		}
		out[name] = example(p.Value, depth+1, m)
	}
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil {
		out["key"] = example(s.AdditionalProperties.Schema.Value, depth+1, m)
	} else if len(s.Properties) == 0 && (s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) {
		out["key"] = "value"
	}
	return out
}

func stringExample(s *openapi3.Schema) string {
	if ex, ok := s.Example.(string); ok && (s.Pattern != "" || s.Format != "") {
		return ex
	}
	v := "x_1"
	if s.Pattern != "" {
		if ex, err := patternExample(s.Pattern); err == nil && uint64(len(ex)) >= s.MinLength {
			return ex
		}
	}
	switch s.Format {
	case "date-time":
		v = "2026-05-12T10:00:00Z"
	case "date":
		v = "2026-05-12"
	case "email":
		v = "ada@example.com"
	case "uri", "url":
		v = "https://example.com/a"
	case "uuid":
		v = "4f2b1a9c-8e4d-4c6b-9a51-6f5e2d3c1b0a"
	}
	for uint64(len(v)) < s.MinLength {
		v += "x"
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

// TestConformance calls every operation's method against the validating fake,
// once with a value in every property and once with null in every nullable
// one (requests and responses).
func TestConformance(t *testing.T) {
	for _, nulls := range []bool{false, true} {
		name := "values"
		if nulls {
			name = "nulls"
		}
		t.Run(name, func(t *testing.T) { testConformance(t, nulls) })
	}
}

func testConformance(t *testing.T, nulls bool) {
	doc := loadSpec(t)
	ops := specOps(doc)
	rec := &seen{nulls: nulls}
	srv := fakeServer(t, doc, rec)
	client, err := bapi.NewClient("sk_test_conformance", bapi.WithBaseURL(srv.URL), bapi.WithMaxRetries(-1))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		o, ok := ops[c.ID]
		if !ok {
			continue // reported by TestEveryOperationHasAMethod
		}
		t.Run(c.ID, func(t *testing.T) {
			in, err := buildInput(o, nulls)
			if err != nil {
				t.Fatal(err)
			}
			rec.mu.Lock()
			rec.opID, rec.errs, rec.status = "(no request)", nil, 0
			rec.mu.Unlock()
			result, resp, err := c.Invoke(context.Background(), client, in)
			rec.mu.Lock()
			opID, errs, status := rec.opID, rec.errs, rec.status
			sentQuery, sentBody, sentType, answered := rec.query, rec.body, rec.ctype, rec.response
			rec.mu.Unlock()
			if opID != c.ID {
				t.Errorf("server routed the request to %q, want %q", opID, c.ID)
			}
			for _, e := range errs {
				t.Errorf("invalid request: %s", e)
			}
			if err != nil {
				t.Fatalf("call failed: %v", err)
			}
			if resp == nil || resp.StatusCode != status {
				t.Errorf("response = %+v, want status %d", resp, status)
			}
			if _, schema := successResponse(o.op); schema != nil && isNil(result) {
				t.Errorf("no result decoded")
			}
			checkQuery(t, in, sentQuery)
			checkBody(t, in, sentType, sentBody)
			if answered != nil && !isNil(result) {
				checkDecoded(t, answered, result)
			}
		})
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		return rv.IsNil()
	}
	return false
}

// patternExample builds a short string matching a regular expression: the
// first alternative, the first character of each class, minimal repeats.
func patternExample(pattern string) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			r := re.Rune[0]
			for i := 0; i+1 < len(re.Rune); i += 2 {
				if lo, hi := re.Rune[i], re.Rune[i+1]; lo <= 'a' && 'a' <= hi {
					r = 'a'
					break
				}
			}
			b.WriteRune(r)
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture:
			walk(re.Sub[0])
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				walk(sub)
			}
		case syntax.OpAlternate:
			walk(re.Sub[0])
		case syntax.OpStar, syntax.OpQuest:
		case syntax.OpPlus:
			walk(re.Sub[0])
		case syntax.OpRepeat:
			n := re.Min
			if n == 0 && re.Max != 0 {
				n = 1
			}
			for range n {
				walk(re.Sub[0])
			}
		}
	}
	walk(re)
	out := b.String()
	if !regexp.MustCompile(pattern).MatchString(out) {
		return "", fmt.Errorf("no example for %s", pattern)
	}
	return out, nil
}

// checkQuery compares the query the client sent with the example values:
// every parameter present, lists as repeated keys.
func checkQuery(t *testing.T, in *input, got url.Values) {
	t.Helper()
	want := url.Values{}
	for name, v := range in.Query {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				want.Add(name, fmt.Sprint(e))
			}
		default:
			s := fmt.Sprint(v)
			if s == "0" || s == "" {
				continue // zero values are not sent
			}
			want.Set(name, s)
		}
	}
	if !reflect.DeepEqual(want, got) && !(len(want) == 0 && len(got) == 0) {
		t.Errorf("query = %v, want %v", got, want)
	}
}

// checkBody compares the body the client sent with the example body, so a
// property the params type lost would show.
func checkBody(t *testing.T, in *input, ctype string, got []byte) {
	t.Helper()
	if len(in.Body) == 0 {
		return
	}
	var want map[string]any
	if strings.HasPrefix(ctype, "multipart/form-data") {
		_, params, _ := mime.ParseMediaType(ctype)
		form, err := multipart.NewReader(bytes.NewReader(got), params["boundary"]).ReadForm(1 << 20)
		if err != nil {
			t.Errorf("multipart body: %v", err)
			return
		}
		if len(form.File) != 1 {
			t.Errorf("multipart body has %d files, want 1", len(form.File))
		}
		if err := json.Unmarshal(in.Body, &want); err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if vals := form.Value[k]; len(vals) != 1 || vals[0] != fmt.Sprint(v) {
				t.Errorf("multipart field %s = %q, want %v", k, vals, v)
			}
		}
		return
	}
	var wantAny, gotAny any
	if err := json.Unmarshal(in.Body, &wantAny); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &gotAny); err != nil {
		t.Errorf("body is not JSON: %v", err)
		return
	}
	if !reflect.DeepEqual(wantAny, gotAny) {
		t.Errorf("body = %s\nwant   %s", got, in.Body)
	}
}

// checkDecoded re-encodes the decoded result and reports every property of
// the server's answer that the Go types dropped.
func checkDecoded(t *testing.T, answered, result any) {
	t.Helper()
	b, err := json.Marshal(result)
	if err != nil {
		t.Errorf("re-encoding result: %v", err)
		return
	}
	var got, want any
	_ = json.Unmarshal(b, &got)
	wb, _ := json.Marshal(answered)
	_ = json.Unmarshal(wb, &want)
	if obj, ok := want.(map[string]any); ok {
		// Wrapped lists are unwrapped into a slice: compare the items.
		if _, isList := got.([]any); isList {
			for _, v := range obj {
				if arr, ok := v.([]any); ok {
					want = arr
				}
			}
		}
	}
	var missing []string
	lost(want, got, "", &missing)
	for _, m := range missing {
		t.Errorf("response property %s was not decoded", m)
	}
}

func lost(want, got any, path string, missing *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, v := range w {
			if empty(v) {
				continue
			}
			gv, ok := g[k]
			if !ok {
				*missing = append(*missing, path+"/"+k)
				continue
			}
			lost(v, gv, path+"/"+k, missing)
		}
	case []any:
		g, _ := got.([]any)
		for i, v := range w {
			if i >= len(g) {
				*missing = append(*missing, fmt.Sprintf("%s/%d", path, i))
				continue
			}
			lost(v, g[i], fmt.Sprintf("%s/%d", path, i), missing)
		}
	}
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
