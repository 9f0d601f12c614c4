package main

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// The subset of OpenAPI 3.0 the generator reads.

// Ordered is a YAML mapping that keeps its key order.
type Ordered[T any] []Pair[T]

// Pair is one key of an Ordered mapping.
type Pair[T any] struct {
	Key   string
	Value T
}

// UnmarshalYAML decodes a mapping, keeping the order of keys.
func (o *Ordered[T]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		var v T
		if err := n.Content[i+1].Decode(&v); err != nil {
			return err
		}
		*o = append(*o, Pair[T]{Key: n.Content[i].Value, Value: v})
	}
	return nil
}

// Get returns the value of key.
func (o Ordered[T]) Get(key string) (T, bool) {
	for _, p := range o {
		if p.Key == key {
			return p.Value, true
		}
	}
	var zero T
	return zero, false
}

// Spec is an OpenAPI document.
type Spec struct {
	Info struct {
		Version string `yaml:"version"`
	} `yaml:"info"`
	Paths      Ordered[Ordered[yaml.Node]] `yaml:"paths"`
	Components struct {
		Schemas    Ordered[*Schema]      `yaml:"schemas"`
		Responses  map[string]*Response  `yaml:"responses"`
		Parameters map[string]*Parameter `yaml:"parameters"`
	} `yaml:"components"`
}

// Schema is a JSON schema object.
type Schema struct {
	Ref                  string           `yaml:"$ref"`
	Type                 string           `yaml:"type"`
	Format               string           `yaml:"format"`
	Nullable             bool             `yaml:"nullable"`
	Deprecated           bool             `yaml:"deprecated"`
	Enum                 []any            `yaml:"enum"`
	Properties           Ordered[*Schema] `yaml:"properties"`
	Required             []string         `yaml:"required"`
	Items                *Schema          `yaml:"items"`
	AdditionalProperties *AdditionalProps `yaml:"additionalProperties"`
	AllOf                []*Schema        `yaml:"allOf"`
	OneOf                []*Schema        `yaml:"oneOf"`
	AnyOf                []*Schema        `yaml:"anyOf"`
	Default              any              `yaml:"default"`
	Maximum              *float64         `yaml:"maximum"`
}

// AdditionalProps is either a boolean or a schema.
type AdditionalProps struct {
	Allowed bool
	Schema  *Schema
}

// UnmarshalYAML decodes true/false or a schema.
func (a *AdditionalProps) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&a.Allowed)
	}
	a.Allowed = true
	return n.Decode(&a.Schema)
}

// Parameter is an operation parameter.
type Parameter struct {
	Ref        string  `yaml:"$ref"`
	Name       string  `yaml:"name"`
	In         string  `yaml:"in"`
	Required   bool    `yaml:"required"`
	Deprecated bool    `yaml:"deprecated"`
	Schema     *Schema `yaml:"schema"`
}

// MediaType is one content type of a body.
type MediaType struct {
	Schema *Schema `yaml:"schema"`
}

// RequestBody is an operation's request body.
type RequestBody struct {
	Required bool                `yaml:"required"`
	Content  Ordered[*MediaType] `yaml:"content"`
}

// Response is one response of an operation.
type Response struct {
	Ref     string              `yaml:"$ref"`
	Content Ordered[*MediaType] `yaml:"content"`
}

// Operation is one method on one path.
type Operation struct {
	OperationID  string             `yaml:"operationId"`
	Tags         []string           `yaml:"tags"`
	Deprecated   bool               `yaml:"deprecated"`
	NameOverride string             `yaml:"x-speakeasy-name-override"`
	Parameters   []*Parameter       `yaml:"parameters"`
	RequestBody  *RequestBody       `yaml:"requestBody"`
	Responses    Ordered[*Response] `yaml:"responses"`
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}

// loadSpec reads and decodes the document at path.
func loadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Spec
	if err := yaml.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// operations lists every operation in document order.
func (s *Spec) operations() ([]*specOp, error) {
	var ops []*specOp
	for _, p := range s.Paths {
		for _, m := range p.Value {
			if !httpMethods[m.Key] {
				if m.Key == "parameters" {
					return nil, fmt.Errorf("%s: path-level parameters are not supported", p.Key)
				}
				continue
			}
			var op Operation
			if err := m.Value.Decode(&op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m.Key, p.Key, err)
			}
			ops = append(ops, &specOp{Method: strings.ToUpper(m.Key), Path: p.Key, Op: &op})
		}
	}
	return ops, nil
}

type specOp struct {
	Method string
	Path   string
	Op     *Operation
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (s *Spec) param(p *Parameter) *Parameter {
	if p.Ref != "" {
		return s.Components.Parameters[refName(p.Ref)]
	}
	return p
}

func (s *Spec) response(r *Response) *Response {
	if r.Ref != "" {
		return s.Components.Responses[refName(r.Ref)]
	}
	return r
}

func (s *Spec) schema(name string) *Schema {
	v, _ := s.Components.Schemas.Get(name)
	return v
}
