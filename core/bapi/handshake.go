package bapi

import (
	"context"
	"errors"
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

// errNonceMissing is returned for an empty nonce.
var errNonceMissing = errors.New("bapi: Clients.HandshakePayload: the nonce is empty")

// HandshakePayload sends GET /clients/handshake_payload?nonce= (internal,
// not in the published spec) and returns the directives Clerk stored for
// the handshake nonce, once. The nonce is a credential: it is sent in the
// query as Clerk's SDKs send it, and never appears in an [Error].
func (s *ClientsService) HandshakePayload(ctx context.Context, nonce string) (*HandshakePayload, *Response, error) {
	if nonce == "" {
		return nil, nil, errNonceMissing
	}
	req, err := newRequest(http.MethodGet, "/clients/handshake_payload", url.Values{"nonce": {nonce}}, nil)
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
