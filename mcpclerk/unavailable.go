package mcpclerk

import (
	"context"
	"net/http"
	"sync/atomic"
)

// verdictKey is the context key of a request's *verdict in [Handle].
type verdictKey struct{}

// verdict records that the verifier could not reach Clerk.
type verdict struct{ unavailable atomic.Bool }

// markUnavailable records, for [unavailable503], that Clerk could not be
// reached; a no-op outside Handle.
func markUnavailable(ctx context.Context) {
	if v, ok := ctx.Value(verdictKey{}).(*verdict); ok {
		v.unavailable.Store(true)
	}
}

// unavailable503 runs the SDK's middleware mw in front of h, turning its
// 500 for an unreachable Clerk into 503. Only the middleware's own answers
// pass through the rewriting writer: h gets the original one, so
// streaming (http.Flusher) is untouched.
func unavailable503(mw func(http.Handler) http.Handler, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &verdict{}
		inner := mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		inner.ServeHTTP(&statusWriter{ResponseWriter: w, v: v}, r.WithContext(context.WithValue(r.Context(), verdictKey{}, v)))
	})
}

// statusWriter rewrites a 500 status to 503 when the verifier marked the
// request unavailable.
type statusWriter struct {
	http.ResponseWriter
	v *verdict
}

// WriteHeader writes 503 instead of 500 for an unreachable Clerk.
func (s *statusWriter) WriteHeader(code int) {
	if code == http.StatusInternalServerError && s.v.unavailable.Load() {
		code = http.StatusServiceUnavailable
	}
	s.ResponseWriter.WriteHeader(code)
}
