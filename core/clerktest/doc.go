// Package clerktest is an in-process HTTP fake of Clerk (clerk.com) for tests,
// local development and demos.
//
// A [Server] runs an [net/http/httptest.Server] on 127.0.0.1 that answers the
// parts of Clerk this project talks to, shaped like Clerk's own responses:
//
//   - the instance JSON Web Key Set at GET /v1/jwks (Backend API, requires the
//     secret key) and GET /.well-known/jwks.json (Frontend API, public);
//   - the Backend API users endpoints (list, count, get, create, update,
//     metadata, delete) backed by an in-memory store;
//   - session-token minting: [Server.Token] returns an RS256 compact JWS with
//     the same header and claims as a Clerk session token (v2), signed by a key
//     that the JWKS serves, and [Server.Sign] / [Server.SignRaw] sign anything
//     at all for attack tests;
//   - the browser side of Clerk, standing in for the Frontend API and the
//     Account Portal: a sign-in page (GET /sign-in?redirect_url=, one button
//     per user; POST /sign-in and POST /sign-out) that keeps sessions in the
//     fake's session store and sets the __client and __client_uat cookies;
//     the handshake (GET /v1/client/handshake), which sends the browser back
//     to redirect_url with a one-time __clerk_handshake_nonce (format=nonce)
//     or a signed __clerk_handshake JWT carrying the Set-Cookie directives
//     (__session, __client_uat, __refresh_<suffix>, or their clearing); the
//     Backend API's handshake payload (GET /v1/clients/handshake_payload) and
//     session refresh (POST /v1/sessions/{id}/refresh); and the development
//     browser (POST /v1/dev_browser, __clerk_db_jwt). Session tokens minted
//     there expire after [WithSessionTokenLifetime] on the fake's clock;
//     sessions live until signed out or [Server.EndSession].
//
// Machines ([Server.DefaultMachine], [Server.NewMachine],
// [Server.GrantMachineAccess]) have secret keys ("ak_...") that mint M2M
// tokens at POST /v1/m2m_tokens ([EndpointCreateM2MToken]) and verify, at
// POST /v1/m2m_tokens/verify, the M2M tokens granted access to them.
//
// Every other Backend API route requires "Authorization: Bearer
// <SecretKey>", as Clerk's does (the M2M verify route accepts either key;
// the Frontend API routes, the sign-in page and the public key set need
// none), and errors carry Clerk's error body
// ({"errors":[{"message","long_message","code"}],"clerk_trace_id"}).
//
// For tests of caching, retries and outages the server counts requests per
// endpoint ([Server.Requests]), injects failures ([Server.Fail],
// [Server.FailNext]), adds latency ([Server.SetLatency]), holds requests until
// released ([Server.Block]) and serves a malformed key set on demand
// ([Server.SetJWKSBody]). Endpoints are named by their route patterns, which
// are exported as constants ([EndpointJWKS], [EndpointGetUser], ...).
//
// The package does not import testing, so a demo app can run it too. All
// methods are safe for concurrent use. Each Server is independent: there is no
// package-level mutable state.
package clerktest
