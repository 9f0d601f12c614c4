package bapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestNilAndZeroServices calls every method of every service of a nil or
// zero client: each must return ErrNilClient, never panic.
func TestNilAndZeroServices(t *testing.T) {
	var initialized Services
	initialized.init(&Client{}) // services of a zero Client
	receivers := map[string]reflect.Value{
		"nil services (zero Client)": reflect.ValueOf(Client{}.Services),
		"services of a zero Client":  reflect.ValueOf(initialized),
	}
	for rname, sv := range receivers {
		for _, m := range serviceMethods(t) {
			path := make([]string, m.strings)
			for k := range path {
				path[k] = "id_1"
			}
			svc := sv.FieldByName(strings.Split(m.name, ".")[0])
			err := callNoPanic(t, rname+" "+m.name, func() error { return m.call(svc, context.Background(), path) })
			if !errors.Is(err, ErrNilClient) {
				// Multipart uploads check their required file first.
				if strings.Contains(m.name, "Logo") && strings.Contains(fmt.Sprint(err), "file") {
					continue
				}
				t.Errorf("%s %s: err = %v, want ErrNilClient", rname, m.name, err)
			}
		}
	}
}

func callNoPanic(t *testing.T, name string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", name, r)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// TestNilAndZeroValues calls every exported method of the package's other
// types on a nil and a zero receiver, with zero arguments.
func TestNilAndZeroValues(t *testing.T) {
	receivers := []reflect.Value{
		reflect.ValueOf((*Client)(nil)), reflect.ValueOf(&Client{}),
		reflect.ValueOf((*Error)(nil)), reflect.ValueOf(&Error{}),
		reflect.ValueOf((*Response)(nil)), reflect.ValueOf(&Response{}),
		reflect.ValueOf((*Nullable[string])(nil)), reflect.ValueOf(&Nullable[string]{}),
		reflect.ValueOf((*File)(nil)), reflect.ValueOf(&ErrorDetail{}),
	}
	calls := 0
	for _, rv := range receivers {
		rt := rv.Type()
		for i := range rt.NumMethod() {
			m := rt.Method(i)
			if m.Name == "Format" { // needs a fmt.State; see the fmt tests
				continue
			}
			if rv.IsNil() && rt.Elem().Kind() == reflect.Struct && isValueMethod(rt.Elem(), m.Name) {
				continue // a value method: Go dereferences the nil pointer before the call
			}
			args := []reflect.Value{rv}
			for k := 1; k < m.Type.NumIn(); k++ {
				args = append(args, reflect.Zero(m.Type.In(k)))
			}
			name := fmt.Sprintf("(%s %v).%s", rt, rv.IsNil(), m.Name)
			callNoPanic(t, name, func() error { m.Func.Call(args); return nil })
			calls++
		}
	}
	if calls < 20 {
		t.Errorf("only %d methods called", calls)
	}
	// Formatting nil and zero values through fmt and slog works too.
	for _, v := range []any{(*Client)(nil), &Client{}, (*Error)(nil), &Error{}} {
		for _, verb := range formatVerbs {
			_ = fmt.Sprintf(verb, v)
		}
	}
	if got := fmt.Sprint((*Client)(nil)); !strings.Contains(got, "bapi.Client") {
		t.Errorf("nil client prints as %q", got)
	}
	if err := (*Nullable[string])(nil).UnmarshalJSON([]byte(`"x"`)); err == nil {
		t.Error("UnmarshalJSON into a nil *Nullable: no error")
	}
	if _, err := (*Response)(nil).Location(); err == nil {
		t.Error("Location of a nil *Response: no error")
	}
}

func isValueMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}
