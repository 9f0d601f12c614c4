package main

import (
	"fmt"
	"sort"
	"strings"
)

// method is one generated service method.
type method struct {
	Service     string // service field name, e.g. Users
	Name        string // method name, e.g. Get
	OperationID string
	HTTPMethod  string
	Path        string
	Deprecated  bool

	PathParams []pathParam
	Params     *goType // nil when the operation has no query or body
	Query      []queryParam
	BodyKind   string // "", "json", "multipart", "array"
	BodyItem   string // element type of an array body
	Multipart  []field

	Result      string // Go result type, "" for none
	ListItem    string // struct type of list items, when the result is a list
	ListWrapper string // JSON field holding the items in a wrapped list
	HasTotal    bool
	Paged       bool
	PageSize    int
	DefaultLim  int
}

type pathParam struct {
	Name string // spec name
	Arg  string // Go argument name
}

type queryParam struct {
	Name       string
	Field      string
	Type       string // Go type of the field
	Required   bool
	Deprecated bool
}

type service struct {
	Name    string
	Tag     string
	Methods []*method
}

type generator struct {
	spec     *Spec
	reg      *typeRegistry
	services map[string]*service
	methods  []*method
}

func newGenerator(s *Spec) *generator {
	return &generator{spec: s, reg: newRegistry(s), services: map[string]*service{}}
}

func (g *generator) run() error {
	for _, p := range g.spec.Components.Schemas {
		g.reg.compType(p.Key)
	}
	ops, err := g.spec.operations()
	if err != nil {
		return err
	}
	for _, o := range ops {
		m, err := g.method(o)
		if err != nil {
			return fmt.Errorf("%s %s (%s): %w", o.Method, o.Path, o.Op.OperationID, err)
		}
		svc := g.services[m.Service]
		if svc == nil {
			svc = &service{Name: m.Service, Tag: o.Op.Tags[0]}
			g.services[m.Service] = svc
		}
		for _, other := range svc.Methods {
			if other.Name == m.Name || (other.Paged && other.Name+"All" == m.Name) || (m.Paged && m.Name+"All" == other.Name) {
				return fmt.Errorf("method name clash in %s: %s (%s and %s)", m.Service, m.Name, other.OperationID, m.OperationID)
			}
		}
		svc.Methods = append(svc.Methods, m)
		g.methods = append(g.methods, m)
	}
	return nil
}

func (g *generator) sortedServices() []*service {
	var out []*service
	for _, s := range g.services {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (g *generator) methodName(op *Operation) string {
	if n, ok := methodNames[op.OperationID]; ok {
		return n
	}
	if op.NameOverride != "" && !operationIDNamed[op.Tags[0]] {
		return goName(op.NameOverride)
	}
	return goName(op.OperationID)
}

func (g *generator) method(o *specOp) (*method, error) {
	op := o.Op
	if len(op.Tags) == 0 {
		return nil, fmt.Errorf("no tag")
	}
	m := &method{
		Service:     serviceName(op.Tags[0]),
		Name:        g.methodName(op),
		OperationID: op.OperationID,
		HTTPMethod:  o.Method,
		Path:        o.Path,
		Deprecated:  op.Deprecated,
	}
	opName := goName(op.OperationID)
	params := &goType{Name: g.reg.unique(opName + "Params"), Request: true,
		Doc: fmt.Sprintf("%s holds the query and body parameters of %s.%s.", opName+"Params", m.Service, m.Name)}
	// Reserve the name while nested types are built.
	g.reg.building[params.Name] = true
	defer delete(g.reg.building, params.Name)

	// Path parameters, in the order of the path template.
	byName := map[string]*Parameter{}
	for _, raw := range op.Parameters {
		p := g.spec.param(raw)
		if p == nil {
			return nil, fmt.Errorf("unresolved parameter %s", raw.Ref)
		}
		byName[p.In+":"+p.Name] = p
	}
	for _, seg := range strings.Split(o.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			if byName["path:"+name] == nil {
				return nil, fmt.Errorf("path parameter %s not declared", name)
			}
			m.PathParams = append(m.PathParams, pathParam{Name: name, Arg: lowerName(name)})
		}
	}
	used := map[string]bool{}
	hasLimit, hasOffset := false, false
	for _, raw := range op.Parameters {
		p := g.spec.param(raw)
		switch p.In {
		case "path":
			continue
		case "query":
		default:
			return nil, fmt.Errorf("parameter %s in %s is not supported", p.Name, p.In)
		}
		q := queryParam{Name: p.Name, Field: goName(p.Name), Required: p.Required, Deprecated: p.Deprecated}
		if p.Deprecated && fieldClash(g.spec, op.Parameters, p) {
			q.Field = "Legacy" + q.Field
		}
		s := p.Schema
		switch {
		case p.Name == "limit" || p.Name == "offset":
			q.Type = "int"
			if p.Name == "limit" {
				hasLimit = true
				m.DefaultLim = 10
				if s != nil {
					if d, ok := s.Default.(int); ok {
						m.DefaultLim = d
					}
					m.PageSize = 100
					if s.Maximum != nil && int(*s.Maximum) < m.PageSize {
						m.PageSize = int(*s.Maximum)
					}
				}
			} else {
				hasOffset = true
			}
		case s == nil:
			q.Type = "string"
		case s.Type == "array":
			q.Type = "[]string"
			if s.Items == nil || s.Items.Type != "string" {
				return nil, fmt.Errorf("query array %s of non-strings", p.Name)
			}
		case s.Type == "boolean":
			q.Type = "*bool"
			if p.Required {
				q.Type = "bool"
			}
		case s.Type == "integer":
			q.Type = "int64"
		case s.Type == "number":
			q.Type = "float64"
		case s.Type == "string" || s.Type == "":
			q.Type = "string"
		default:
			return nil, fmt.Errorf("query parameter %s of type %s", p.Name, s.Type)
		}
		used[q.Field] = true
		m.Query = append(m.Query, q)
		params.Fields = append(params.Fields, field{Name: q.Field, Type: q.Type, JSON: p.Name, Tag: fmt.Sprintf("`json:\"-\" url:%q`", p.Name), Deprecated: p.Deprecated})
	}

	// Request body.
	if rb := op.RequestBody; rb != nil {
		if len(rb.Content) != 1 {
			return nil, fmt.Errorf("%d body content types", len(rb.Content))
		}
		ct, media := rb.Content[0].Key, rb.Content[0].Value
		s := media.Schema
		resolved := s
		if s.Ref != "" {
			resolved = g.spec.schema(refName(s.Ref))
		}
		switch {
		case ct == "multipart/form-data":
			m.BodyKind = "multipart"
		case ct == "application/json" && resolved.Type == "array":
			m.BodyKind = "array"
			m.BodyItem = g.reg.typeOf(resolved.Items, opName+"Item", true)
		case ct == "application/json":
			m.BodyKind = "json"
		default:
			return nil, fmt.Errorf("body content type %s", ct)
		}
		if m.BodyKind != "array" {
			props, _ := g.reg.collect(resolved)
			for _, p := range props {
				if used[goName(p.Name)] {
					return nil, fmt.Errorf("body property %s clashes with a query parameter", p.Name)
				}
				f := g.reg.field(p, opName, true, false, used)
				if m.BodyKind == "multipart" {
					switch f.Type {
					case "*File":
						f.Tag = fmt.Sprintf("`json:\"-\" form:%q`", p.Name)
					case "*string", "string":
						f.Tag = fmt.Sprintf("`json:%q form:%q`", p.Name+",omitempty", p.Name)
					default:
						return nil, fmt.Errorf("multipart field %s of type %s", p.Name, f.Type)
					}
					m.Multipart = append(m.Multipart, f)
				}
				params.Fields = append(params.Fields, f)
			}
		}
	}
	if len(params.Fields) > 0 {
		m.Params = params
		g.reg.add(params)
	}

	// Response.
	if err := g.result(m, op, opName); err != nil {
		return nil, err
	}
	if hasLimit && hasOffset && m.ListItem != "" {
		m.Paged = true
		if strings.HasPrefix(m.Name, "Get") {
			m.Name = "List" + strings.TrimPrefix(m.Name, "Get")
		}
	}
	return m, nil
}

// result sets the result type of m from its success response.
func (g *generator) result(m *method, op *Operation, opName string) error {
	var resp *Response
	respRef := ""
	for _, r := range op.Responses {
		if strings.HasPrefix(r.Key, "2") {
			resp = g.spec.response(r.Value)
			respRef = r.Value.Ref
			break
		}
	}
	if resp == nil {
		return fmt.Errorf("no success response")
	}
	media, ok := resp.Content.Get("application/json")
	if !ok || media.Schema == nil {
		return nil
	}
	s := media.Schema
	resolved := s
	if s.Ref != "" {
		resolved = g.spec.schema(refName(s.Ref))
	}
	base := opName + "Result"
	if respRef != "" {
		base = goName(refName(respRef))
	}
	// A plain array of objects.
	if resolved.Type == "array" && resolved.Items != nil {
		item := g.reg.typeOf(resolved.Items, base+"Item", false)
		if g.reg.types[item] != nil && g.reg.types[item].Fields != nil {
			m.Result = "[]*" + item
			m.ListItem = item
			return nil
		}
		m.Result = "[]" + item
		return nil
	}
	// A list wrapped with its total count: {data: [...], total_count: n}.
	if props, union := g.reg.collect(resolved); !union && len(props) == 2 {
		var arr, total *prop
		for i := range props {
			p := &props[i]
			ps := p.Schema
			if ps.Ref != "" {
				ps = g.spec.schema(refName(ps.Ref))
			}
			switch {
			case p.Name == "total_count":
				total = p
			case ps.Type == "array":
				arr = p
			}
		}
		if arr != nil && total != nil {
			items := arr.Schema
			if items.Ref != "" {
				items = g.spec.schema(refName(items.Ref))
			}
			item := g.reg.typeOf(items.Items, base+"Item", false)
			if g.reg.types[item] != nil && g.reg.types[item].Fields != nil {
				m.Result = "[]*" + item
				m.ListItem = item
				m.ListWrapper = arr.Name
				m.HasTotal = true
				return nil
			}
		}
	}
	name := base
	if s.Ref != "" {
		name = goName(refName(s.Ref))
	}
	t := g.reg.typeOf(s, name, false)
	if g.reg.types[t] != nil && g.reg.types[t].Fields != nil {
		m.Result = "*" + t
	} else {
		m.Result = t
	}
	return nil
}

// fieldClash reports whether another query parameter of the operation maps
// to the same Go field name as p (frontendApi and frontend_api).
func fieldClash(s *Spec, params []*Parameter, p *Parameter) bool {
	for _, raw := range params {
		o := s.param(raw)
		if o != p && o.In == "query" && goName(o.Name) == goName(p.Name) {
			return true
		}
	}
	return false
}
