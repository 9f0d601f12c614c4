package mcpclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
)

// BenchmarkHandle: what Handle adds in front of an MCP handler for a token
// already verified (the token cache for JWTs, the verdict cache for opaque
// tokens), the SDK's middleware included.
func BenchmarkHandle(b *testing.B) {
	s, c := newFake(b)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux := http.NewServeMux()
	if err := mcpclerk.Handle(mux, c, mcpclerk.Resource{URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI}, ok); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, token string }{
		{"opaque", s.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: time.Hour}).Token},
		{"JWT", s.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"profile"}}).Token},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			req.Header.Set("Authorization", "Bearer "+bc.token)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req) // warm the caches
			if w.Code != http.StatusNoContent {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			for b.Loop() {
				mux.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
