package bapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// serviceMethod is one exported method of one service of [Services].
type serviceMethod struct {
	name    string // "Users.Get"
	service reflect.Type
	method  reflect.Method
	strings int // how many path parameters (string arguments) it takes
}

// serviceMethods lists every exported method of every service.
func serviceMethods(t *testing.T) []serviceMethod {
	t.Helper()
	var out []serviceMethod
	st := reflect.TypeFor[Services]()
	for i := range st.NumField() {
		f := st.Field(i)
		for j := range f.Type.NumMethod() {
			m := f.Type.Method(j)
			sm := serviceMethod{name: f.Name + "." + m.Name, service: f.Type, method: m}
			for k := 2; k < m.Type.NumIn(); k++ { // receiver, ctx, ...
				if m.Type.In(k).Kind() == reflect.String {
					sm.strings++
				}
			}
			out = append(out, sm)
		}
	}
	if len(out) < 249 {
		t.Fatalf("found %d service methods, want at least one per operation (249)", len(out))
	}
	return out
}

// call invokes m on the service sv (possibly a nil pointer) with ctx, the
// given path parameters and zero values for everything else, and returns
// the error it reports. An iterator (ListAll) is ranged over until its first
// error.
func (m serviceMethod) call(sv reflect.Value, ctx context.Context, path []string) error {
	mt := m.method.Type
	args := []reflect.Value{sv, reflect.ValueOf(ctx)}
	p := 0
	for k := 2; k < mt.NumIn(); k++ {
		in := mt.In(k)
		if in.Kind() == reflect.String {
			args = append(args, reflect.ValueOf(path[p]))
			p++
			continue
		}
		args = append(args, reflect.Zero(in))
	}
	out := m.method.Func.Call(args)
	last := out[len(out)-1]
	if last.Type() == reflect.TypeFor[error]() {
		err, _ := last.Interface().(error)
		return err
	}
	// iter.Seq2[*T, error]: range until the first error.
	seq := last
	var err error
	yieldType := seq.Type().In(0)
	yield := reflect.MakeFunc(yieldType, func(vals []reflect.Value) []reflect.Value {
		if e, ok := vals[1].Interface().(error); ok && e != nil {
			err = e
			return []reflect.Value{reflect.ValueOf(false)}
		}
		return []reflect.Value{reflect.ValueOf(true)}
	})
	seq.Call([]reflect.Value{yield})
	return err
}

// TestPathParamsRejected passes "", "." and ".." as each path parameter of
// every method: each must fail with ErrInvalidPathParam before any request
// ("/organizations/org_x/memberships/.." would address another endpoint).
func TestPathParamsRejected(t *testing.T) {
	var hits atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, map[string]any{})
	})
	sv := reflect.ValueOf(c.Services)
	checked, slots := 0, 0
	for _, m := range serviceMethods(t) {
		slots += 3 * m.strings
		for i := range m.strings {
			for _, bad := range []string{"", ".", ".."} {
				path := make([]string, m.strings)
				for k := range path {
					path[k] = "id_1"
				}
				path[i] = bad
				svc := sv.FieldByName(strings.Split(m.name, ".")[0])
				err := m.call(svc, context.Background(), path)
				if !errors.Is(err, ErrInvalidPathParam) {
					t.Errorf("%s with path %q: err = %v, want ErrInvalidPathParam", m.name, path, err)
					continue
				}
				if !strings.Contains(err.Error(), strings.TrimSuffix(m.name, "All")) {
					t.Errorf("%s: error does not name the call: %v", m.name, err)
				}
				checked++
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	if checked != slots || slots < 500 {
		t.Errorf("%d of %d calls passed", checked, slots)
	}
}

// TestPathParamsThatLookLikeDots are fine: only a whole "." or ".." segment
// walks the path.
func TestPathParamsThatLookLikeDots(t *testing.T) {
	var got []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		writeJSON(w, 200, map[string]any{})
	})
	for _, id := range []string{"...", ".x", "x..", "%2e%2e", " .."} {
		if _, _, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	want := "[/v1/organizations/org_1/memberships/... /v1/organizations/org_1/memberships/.x /v1/organizations/org_1/memberships/x.. /v1/organizations/org_1/memberships/%252e%252e /v1/organizations/org_1/memberships/%20..]"
	if s := "[" + strings.Join(got, " ") + "]"; s != want {
		t.Errorf("paths = %s\nwant    %s", s, want)
	}
}
