package otelclerk

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/clerkgo/clerk/core"
)

// maxCached bounds each attribute cache. The attribute values come from
// small fixed sets, except the instance Name, which is the application's: one
// that builds a client per tenant may have many. Past the bound, attributes
// are built for each measurement instead.
const maxCached = 1024

// attrs is one attribute set, ready for the instruments and for events.
type attrs struct {
	kvs    []attribute.KeyValue
	add    []metric.AddOption
	record []metric.RecordOption
}

func newAttrs(kvs []attribute.KeyValue) *attrs {
	set := attribute.NewSet(kvs...)
	opt := metric.WithAttributeSet(set)
	return &attrs{kvs: set.ToSlice(), add: []metric.AddOption{opt}, record: []metric.RecordOption{opt}}
}

// attrKey is the comparable summary of a measurement that its attributes
// are built from.
type attrKey interface {
	comparable
	attributes() []attribute.KeyValue
}

// attrCache keeps the attribute sets already built, so that a measurement
// costs a map lookup rather than building and sorting a set. The zero value
// is ready to use.
type attrCache[K attrKey] struct {
	mu sync.RWMutex
	m  map[K]*attrs
}

func (c *attrCache[K]) get(k K) *attrs {
	c.mu.RLock()
	a := c.m[k]
	c.mu.RUnlock()
	if a != nil {
		return a
	}
	a = newAttrs(k.attributes())
	c.mu.Lock()
	switch old := c.m[k]; {
	case old != nil:
		a = old
	case len(c.m) < maxCached:
		if c.m == nil {
			c.m = make(map[K]*attrs)
		}
		c.m[k] = a
	}
	c.mu.Unlock()
	return a
}

type decisionKey struct {
	instance string
	kind     core.TokenKind
	reason   core.Reason
	outcome  string
}

func (k decisionKey) attributes() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 4)
	if k.instance != "" {
		kvs = append(kvs, InstanceKey.String(k.instance))
	}
	if k.kind != "" {
		kvs = append(kvs, TokenKindKey.String(string(k.kind)))
	}
	kvs = append(kvs, OutcomeKey.String(k.outcome))
	if k.reason != "" {
		kvs = append(kvs, ReasonKey.String(string(k.reason)))
	}
	return kvs
}

type callKey struct {
	instance string
	op       core.CallOp
	errType  string // "" for a call that succeeded
}

func (k callKey) attributes() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 4)
	if k.instance != "" {
		kvs = append(kvs, InstanceKey.String(k.instance))
	}
	kvs = append(kvs, OpKey.String(string(k.op)))
	if k.errType == "" {
		return append(kvs, OutcomeKey.String(OutcomeOK))
	}
	return append(kvs, OutcomeKey.String(OutcomeError), semconv.ErrorTypeKey.String(k.errType))
}

// spanAttributes are the attributes a call's span starts with.
func (k callKey) spanAttributes() []attribute.KeyValue {
	if k.instance == "" {
		return []attribute.KeyValue{OpKey.String(string(k.op))}
	}
	return []attribute.KeyValue{InstanceKey.String(k.instance), OpKey.String(string(k.op))}
}

type lookupKey struct {
	instance     string
	cache, layer string
	hit          bool
}

func (k lookupKey) attributes() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 4)
	if k.instance != "" {
		kvs = append(kvs, InstanceKey.String(k.instance))
	}
	return append(kvs, CacheKey.String(k.cache), CacheLayerKey.String(k.layer), CacheHitKey.Bool(k.hit))
}
