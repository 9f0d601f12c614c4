package bapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestHandshakePayload: GET /v1/clients/handshake_payload?nonce= returns
// the directives; an error that echoes the nonce never prints it.
func TestHandshakePayload(t *testing.T) {
	const nonce = "nonce-secret-123"
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/clients/handshake_payload" {
			writeJSON(w, 500, map[string]any{})
			return
		}
		if r.URL.Query().Get("nonce") == "known" {
			writeJSON(w, 200, map[string]any{"directives": []string{"__session=x; Path=/", "__client_uat=1; Path=/"}})
			return
		}
		writeJSON(w, 404, map[string]any{"errors": []map[string]any{{"code": "resource_not_found", "message": "no payload for " + r.URL.Query().Get("nonce")}},
			"clerk_trace_id": r.URL.Query().Get("nonce")})
	})
	out, _, err := c.Clients.HandshakePayload(context.Background(), &GetHandshakePayloadParams{Nonce: "known"})
	if err != nil || len(out.Directives) != 2 || out.Directives[0] != "__session=x; Path=/" {
		t.Fatalf("%v %+v", err, out)
	}
	_, _, err = c.Clients.HandshakePayload(context.Background(), &GetHandshakePayloadParams{Nonce: nonce})
	if err == nil {
		t.Fatal("unknown nonce accepted")
	}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "err", err)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), buf.String()} {
		if strings.Contains(s, nonce) {
			t.Errorf("the nonce leaked: %s", s)
		}
	}
}
