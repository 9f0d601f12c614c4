package bapi

import (
	"context"
	"net/http"
	"net/url"
)

// This file is hand-written: the handshake payload is an internal Backend
// API endpoint, used by Clerk's server SDKs (@clerk/backend's
// ClientApi.getHandshakePayload) but absent from the published OpenAPI
// document, so the generator does not know it.

// HandshakePayload is the answer of GET /v1/clients/handshake_payload: the
// Set-Cookie directives of a handshake (@clerk/backend's
// HandshakePayloadJSON).
type HandshakePayload struct {
	// Directives are Set-Cookie header values, for the application's
	// response.
	Directives []string `json:"directives"`
}

// GetHandshakePayloadParams holds the query parameters of
// Clients.HandshakePayload.
type GetHandshakePayloadParams struct {
	// Nonce is the __clerk_handshake_nonce the Frontend API handed the
	// browser. Required.
	Nonce string
}

// HandshakePayload sends GET /clients/handshake_payload?nonce= (internal,
// not in the published spec) and returns the directives Clerk stored for
// the handshake nonce, once. The nonce is a credential: it is sent in the
// query as Clerk's SDKs send it, and never appears in an [Error].
func (s *ClientsService) HandshakePayload(ctx context.Context, params *GetHandshakePayloadParams) (*HandshakePayload, *Response, error) {
	if params == nil {
		params = &GetHandshakePayloadParams{} // Clerk refuses an empty nonce (422)
	}
	req, err := newRequest(http.MethodGet, "/clients/handshake_payload", url.Values{"nonce": {params.Nonce}}, nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(HandshakePayload)
	resp, err := (*service)(s).do(ctx, req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
