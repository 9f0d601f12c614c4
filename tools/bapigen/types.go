package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// goType is one named Go type to emit.
type goType struct {
	Name       string
	Doc        string
	Underlying string  // for non-struct types
	Fields     []field // for structs
	Request    bool
}

type field struct {
	Name       string
	Type       string
	JSON       string // spec property name
	Tag        string
	Deprecated bool
	Required   bool
	Enum       []string
}

// prop is a property gathered from a schema and its allOf/oneOf parts.
type prop struct {
	Name     string
	Schema   *Schema
	Required bool
}

type typeRegistry struct {
	spec     *Spec
	types    map[string]*goType
	order    []string
	inline   map[string]string // canonical schema + mode -> type name
	building map[string]bool
}

func newRegistry(s *Spec) *typeRegistry {
	return &typeRegistry{spec: s, types: map[string]*goType{}, inline: map[string]string{}, building: map[string]bool{}}
}

func (r *typeRegistry) add(t *goType) {
	r.types[t.Name] = t
	r.order = append(r.order, t.Name)
}

// unique returns name, or name with a number when it is taken.
func (r *typeRegistry) unique(name string) string {
	if _, ok := r.types[name]; !ok && !r.building[name] && !reserved[name] {
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s%d", name, i)
		if _, ok := r.types[n]; !ok && !r.building[n] && !reserved[n] {
			return n
		}
	}
}

// typeRenames gives short names to inline types whose derived name reads badly.
var typeRenames = map[string]string{
	"JWKSKeysItem":              "JWK",
	"CreateAPIKeyResult":        "APIKeyWithSecret",
	"GetAPIKeysResultItem":      "APIKey",
	"CreateM2MTokenResult":      "M2MTokenWithSecret",
	"GetM2MTokensResultItem":    "M2MToken",
	"OAuthAccessTokenValueItem": "OAuthProviderToken",
	"DisableMFAResult":          "UserIDResult",
}

// reserved names belong to the hand-written part of the package.
var reserved = map[string]bool{
	"Client": true, "Option": true, "Error": true, "ErrorDetail": true, "Response": true,
	"Nullable": true, "File": true, "Services": true,
}

// compType returns the Go type of a component schema, emitting it once.
func (r *typeRegistry) compType(name string) string {
	gn := goName(name)
	if reserved[gn] {
		gn = "Clerk" + gn
	}
	if _, ok := r.types[gn]; ok || r.building[gn] {
		return gn
	}
	s := r.spec.schema(name)
	if s == nil {
		panic("unknown schema " + name)
	}
	r.building[gn] = true
	defer delete(r.building, gn)
	if r.isStruct(s) {
		r.structType(gn, s, false, fmt.Sprintf("%s is the %s object of the Backend API.", gn, name))
		return gn
	}
	u := r.typeOf(s, gn+"Value", false)
	r.add(&goType{Name: gn, Underlying: u, Doc: fmt.Sprintf("%s is the %s schema of the Backend API.", gn, name)})
	return gn
}

// isStruct reports whether s becomes a Go struct.
func (r *typeRegistry) isStruct(s *Schema) bool {
	if s.Ref != "" {
		return r.isStruct(r.spec.schema(refName(s.Ref)))
	}
	if len(s.AllOf) == 1 && len(s.Properties) == 0 {
		return r.isStruct(s.AllOf[0])
	}
	if len(s.OneOf) == 1 && len(s.Properties) == 0 {
		return r.isStruct(s.OneOf[0])
	}
	props, _ := r.collect(s)
	return len(props) > 0
}

// collect gathers the properties of an object schema, merging allOf parts
// and, for unions (oneOf/anyOf), every variant.
func (r *typeRegistry) collect(s *Schema) (props []prop, union bool) {
	seen := map[string]int{}
	addAll := func(ps []prop, forceOptional bool) {
		for _, p := range ps {
			if forceOptional {
				p.Required = false
			}
			if i, ok := seen[p.Name]; ok {
				props[i].Required = props[i].Required || p.Required
				continue
			}
			seen[p.Name] = len(props)
			props = append(props, p)
		}
	}
	var walk func(s *Schema) []prop
	walk = func(s *Schema) []prop {
		if s.Ref != "" {
			return walk(r.spec.schema(refName(s.Ref)))
		}
		var out []prop
		req := map[string]bool{}
		for _, n := range s.Required {
			req[n] = true
		}
		for _, part := range s.AllOf {
			out = append(out, walk(part)...)
		}
		for _, p := range s.Properties {
			out = append(out, prop{Name: p.Key, Schema: p.Value, Required: req[p.Key]})
		}
		for _, part := range append(append([]*Schema{}, s.OneOf...), s.AnyOf...) {
			if part.Ref == "" && len(part.Properties) == 0 && len(part.AllOf) == 0 {
				continue // a required-only constraint
			}
			union = true
			out = append(out, walk(part)...)
		}
		// properties required by the object but defined in a part
		for i := range out {
			if req[out[i].Name] {
				out[i].Required = true
			}
		}
		return out
	}
	addAll(walk(s), false)
	return props, union
}

// canonical is a stable text form of a schema, to reuse identical inline types.
func canonical(s *Schema, req bool) string {
	b, _ := json.Marshal(s)
	return fmt.Sprintf("%v|%s", req, b)
}

// typeOf returns the Go type for s; name is used when s needs a new named type.
func (r *typeRegistry) typeOf(s *Schema, name string, req bool) string {
	if s == nil {
		return "any"
	}
	if s.Ref != "" {
		return r.compType(refName(s.Ref))
	}
	if len(s.AllOf) == 1 && len(s.Properties) == 0 {
		return r.typeOf(s.AllOf[0], name, req)
	}
	if len(s.OneOf) == 1 && len(s.Properties) == 0 {
		return r.typeOf(s.OneOf[0], name, req)
	}
	if r.isStruct(s) {
		key := canonical(s, req)
		if n, ok := r.inline[key]; ok {
			return n
		}
		if v, ok := typeRenames[name]; ok {
			name = v
		} else if !req {
			if obj := objectName(s); obj != "" && r.free(obj) {
				name = obj
			}
		}
		n := r.unique(name)
		r.inline[key] = n
		r.structType(n, s, req, "")
		return n
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return "json.RawMessage"
	}
	switch s.Type {
	case "array":
		return "[]" + r.elemType(s.Items, name+"Item", req)
	case "string":
		if s.Format == "binary" {
			return "*File"
		}
		return "string"
	case "integer":
		return "int64"
	case "number":
		return "float64"
	case "boolean":
		return "bool"
	case "object", "":
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			return "map[string]" + r.elemType(s.AdditionalProperties.Schema, name+"Value", req)
		}
		if s.Type == "object" {
			return "map[string]any"
		}
	}
	return "any"
}

// plainZero reports whether a type's zero value already means "absent"
// (so no pointer is needed for an optional field).
func plainZero(t string) bool {
	return strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "map[") || t == "any" || t == "json.RawMessage" || strings.HasPrefix(t, "*")
}

// isNullable reports whether the schema allows null.
func isNullable(s *Schema) bool { return s != nil && s.Nullable }

// fieldType returns the Go type and JSON options of a property.
func (r *typeRegistry) fieldType(p prop, parent string, req, union bool) (string, string) {
	t := r.typeOf(p.Schema, parent+goName(p.Name), req)
	nullable := isNullable(p.Schema)
	if req {
		switch {
		case t == "*File":
			return t, "-"
		case nullable:
			return "Nullable[" + t + "]", "omitzero"
		case p.Required:
			return t, ""
		case plainZero(t):
			return t, "omitempty"
		default:
			return "*" + t, "omitempty"
		}
	}
	switch {
	case plainZero(t):
		return t, "omitempty"
	case union && !nullable && p.Required && r.isScalar(t):
		return t, "omitempty"
	case p.Required && !nullable && !union:
		return t, ""
	default:
		return "*" + t, "omitempty"
	}
}

func (r *typeRegistry) isScalar(t string) bool {
	switch t {
	case "string", "int64", "float64", "bool":
		return true
	}
	return false
}

// structType emits a struct type for an object schema.
func (r *typeRegistry) structType(name string, s *Schema, req bool, doc string) {
	r.building[name] = true
	defer delete(r.building, name)
	props, union := r.collect(s)
	t := &goType{Name: name, Doc: doc, Request: req}
	used := map[string]bool{}
	for _, p := range props {
		t.Fields = append(t.Fields, r.field(p, name, req, union, used))
	}
	if t.Doc == "" {
		if union {
			t.Doc = fmt.Sprintf("%s holds any of the object variants the API may answer with; fields of the other variants stay empty.", name)
		} else if req {
			t.Doc = fmt.Sprintf("%s is an object sent in a request body.", name)
		} else {
			t.Doc = fmt.Sprintf("%s is an object returned by the Backend API.", name)
		}
	} else if union {
		t.Doc += " It holds any of several variants; fields of the other variants stay empty."
	}
	r.add(t)
}

// sortedTypes returns the registered types by name.
func (r *typeRegistry) sortedTypes() []*goType {
	names := append([]string(nil), r.order...)
	sort.Strings(names)
	out := make([]*goType, 0, len(names))
	for _, n := range names {
		out = append(out, r.types[n])
	}
	return out
}

// free reports whether a type name is still unused.
func (r *typeRegistry) free(name string) bool {
	_, taken := r.types[name]
	return !taken && !r.building[name] && !reserved[name]
}

// objectName names an inline object after its "object" discriminator when
// the schema pins it to one value ("api_key" -> APIKey).
func objectName(s *Schema) string {
	o, ok := s.Properties.Get("object")
	if !ok || o == nil || len(o.Enum) != 1 {
		return ""
	}
	v, ok := o.Enum[0].(string)
	if !ok || v == "" {
		return ""
	}
	return goName(v)
}

// elemType is the Go type of array items and map values: a pointer when they
// may be null, so that null survives decoding and encoding.
func (r *typeRegistry) elemType(s *Schema, name string, req bool) string {
	t := r.typeOf(s, name, req)
	if isNullable(s) && !plainZero(t) {
		return "*" + t
	}
	return t
}

// field builds the struct field for a property; used collects the field
// names of the struct so far, to keep them unique.
func (r *typeRegistry) field(p prop, parent string, req, union bool, used map[string]bool) field {
	ft, opt := r.fieldType(p, parent, req, union)
	fn := goName(p.Name)
	for used[fn] {
		fn += "_"
	}
	used[fn] = true
	tag := p.Name
	if opt == "-" {
		tag = "-"
	} else if opt != "" {
		tag += "," + opt
	}
	f := field{Name: fn, Type: ft, JSON: p.Name, Tag: fmt.Sprintf("`json:%q`", tag), Required: p.Required}
	if p.Schema != nil {
		f.Deprecated = p.Schema.Deprecated
		if !union {
			for _, e := range p.Schema.Enum {
				if es, ok := e.(string); ok {
					f.Enum = append(f.Enum, es)
				}
			}
		}
	}
	return f
}
