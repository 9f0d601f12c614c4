// Package bapiconformance checks the generated Backend API client against the
// spec: every operation of the spec must have a method, and every method must
// send a request that a real OpenAPI validator accepts and decode a response
// built from the spec's schemas. The checks are its tests; this module exists
// so that the validator library stays out of the root module.
package bapiconformance

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/clerkgo/clerk/core/bapi"
)

// call invokes the client method of one operation with the given input.
type call struct {
	ID     string // operationId
	Method string
	Path   string
	Invoke func(ctx context.Context, c *bapi.Client, in *input) (any, *bapi.Response, error)
}

// input holds the values a conformance test passes to one method.
type input struct {
	Path  map[string]string // path parameters by spec name
	Query map[string]any    // query parameters by spec name: string, bool, float64, []string
	Body  []byte            // JSON body, or the text fields of a multipart body
	File  func() *bapi.File // file for multipart uploads
}

func (in *input) path(name string) string { return in.Path[name] }

// body decodes the JSON body into an array-body argument.
func (in *input) body(items any) error {
	if len(in.Body) == 0 {
		return nil
	}
	return json.Unmarshal(in.Body, items)
}

var fileType = reflect.TypeFor[*bapi.File]()

// params fills a params struct: body fields from the JSON body, query fields
// (tagged url) from Query and file fields (tagged form) from File.
func (in *input) params(p any) error {
	if len(in.Body) > 0 {
		if err := json.Unmarshal(in.Body, p); err != nil {
			return fmt.Errorf("decoding example body into %T: %w", p, err)
		}
	}
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if name := f.Tag.Get("url"); name != "" {
			val, ok := in.Query[name]
			if !ok {
				continue
			}
			if err := set(v.Field(i), val); err != nil {
				return fmt.Errorf("%T.%s: %w", p, f.Name, err)
			}
		}
		if f.Tag.Get("form") != "" && f.Type == fileType && in.File != nil {
			v.Field(i).Set(reflect.ValueOf(in.File()))
		}
	}
	return nil
}

func set(fv reflect.Value, val any) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(fmt.Sprint(val))
	case reflect.Int, reflect.Int64:
		f, ok := number(val)
		if !ok {
			return fmt.Errorf("want a number, got %T", val)
		}
		fv.SetInt(int64(f))
	case reflect.Float64:
		f, ok := number(val)
		if !ok {
			return fmt.Errorf("want a number, got %T", val)
		}
		fv.SetFloat(f)
	case reflect.Bool:
		b, ok := val.(bool)
		if !ok {
			return fmt.Errorf("want a bool, got %T", val)
		}
		fv.SetBool(b)
	case reflect.Pointer:
		ptr := reflect.New(fv.Type().Elem())
		if err := set(ptr.Elem(), val); err != nil {
			return err
		}
		fv.Set(ptr)
	case reflect.Slice:
		vals, ok := val.([]any)
		if !ok {
			vals = []any{val}
		}
		s := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
		for i, e := range vals {
			if err := set(s.Index(i), e); err != nil {
				return err
			}
		}
		fv.Set(s)
	default:
		return fmt.Errorf("unsupported kind %s", fv.Kind())
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}
