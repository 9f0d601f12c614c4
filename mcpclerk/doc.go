// Package mcpclerk protects MCP servers built on the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk) with Clerk as their OAuth
// authorization server.
//
// MCP clients (AI agents, IDEs) call an MCP server with an OAuth access
// token that Clerk issued to them. The server:
//
//   - verifies the token with [Verifier], a token verifier for the SDK's
//     auth.RequireBearerToken, which accepts Clerk OAuth access tokens
//     (opaque oat_... tokens and JWT access tokens) through
//     [core.Client.VerifyMachineToken];
//   - publishes its RFC 9728 protected-resource metadata with
//     [MetadataHandler], naming the Clerk instance's Frontend API as the
//     authorization server, so that a client without a token can find out
//     where to get one;
//   - answers a request without a valid token 401 with
//     `WWW-Authenticate: Bearer resource_metadata="..."` (the SDK's
//     middleware does this with [Resource.Options]).
//
// [Handle] mounts all three on a ServeMux in one call. Tool handlers read
// the caller with [AuthFromRequest] (a *core.Auth: the user ID, the OAuth
// client ID, the scopes).
//
// Failures follow the SDK's contract: no token, an invalid, expired or
// revoked token, or a token of another kind (a session token, an API key)
// is 401; a token without a required scope is 403; Clerk unreachable is
// 503 behind [Handle] (500 with the SDK's middleware alone), with a body
// that names no internal error. No body or error ever contains the token.
//
// See docs/mcp.md for the flow and the Clerk dashboard settings.
package mcpclerk
