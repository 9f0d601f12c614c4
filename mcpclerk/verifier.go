package mcpclerk

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"

	"github.com/clerkgo/clerk/core"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ExtraKey is the key under which [Verifier] stores the verified
// *core.Auth in auth.TokenInfo.Extra. Read it with [AuthFromTokenInfo],
// [AuthFromContext] or [AuthFromRequest].
const ExtraKey = "clerk.auth"

// Verifier returns a token verifier for the SDK's auth.RequireBearerToken
// that accepts Clerk OAuth access tokens, opaque (oat_...) or JWT (typ
// at+jwt), and nothing else: session tokens, API keys and M2M tokens are
// refused.
//
// The TokenInfo it returns carries the token's subject (the Clerk user) as
// UserID, its scopes, its expiry, and the *core.Auth under [ExtraKey].
//
// An invalid, expired, revoked or refused token is an error that matches
// auth.ErrInvalidToken (the SDK answers 401) and core.ErrInvalidCredentials;
// Clerk unreachable is an error that matches core.ErrUnavailable and not
// auth.ErrInvalidToken (the SDK answers 500, [Handle] 503, and the client
// is not told to sign in again). Error texts carry Clerk's stable reason and message,
// never the token or an internal error.
func Verifier(client *core.Client) auth.TokenVerifier {
	return func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		a, err := client.VerifyMachineToken(ctx, token, core.OAuthToken)
		if err != nil {
			e := newVerifyError(err)
			if !e.invalid {
				markUnavailable(ctx)
			}
			return nil, e
		}
		return TokenInfo(a), nil
	}
}

// TokenInfo maps a verified Clerk OAuth access token to the SDK's
// TokenInfo: Subject as UserID, Scopes, Expiry as Expiration, and a itself
// under [ExtraKey]. It returns nil for a nil a.
func TokenInfo(a *core.Auth) *auth.TokenInfo {
	if a == nil {
		return nil
	}
	return &auth.TokenInfo{
		UserID:     a.Subject,
		Scopes:     slices.Clone(a.Scopes),
		Expiration: a.Expiry,
		Extra:      map[string]any{ExtraKey: a},
	}
}

// verifyError is a failed verification as the SDK's middleware sees it: it
// matches auth.ErrInvalidToken for invalid credentials, and always the
// core's error (core.ErrInvalidCredentials, core.ErrUnavailable, a
// *core.Error).
type verifyError struct {
	invalid bool
	failure core.Failure
	err     error
}

func newVerifyError(err error) *verifyError {
	return &verifyError{
		invalid: errors.Is(err, core.ErrInvalidCredentials) || errors.Is(err, core.ErrNoCredentials),
		failure: core.FailureOf(err),
		err:     err,
	}
}

// Error is what the SDK's middleware writes into the response body: the
// reason and its message, not the cause (which may name hosts or
// addresses) and never the token.
func (e *verifyError) Error() string {
	if e.invalid {
		return "invalid token: " + string(e.failure.Reason) + ": " + e.failure.Message
	}
	return "token verification failed: " + string(e.failure.Reason) + ": " + e.failure.Message
}

// Unwrap returns auth.ErrInvalidToken (for invalid credentials) and the
// core's error.
func (e *verifyError) Unwrap() []error {
	if e.invalid {
		return []error{auth.ErrInvalidToken, e.err}
	}
	return []error{e.err}
}

// AuthFromTokenInfo returns the *core.Auth that [Verifier] stored in ti, or
// nil when there is none.
func AuthFromTokenInfo(ti *auth.TokenInfo) *core.Auth {
	if ti == nil {
		return nil
	}
	a, _ := ti.Extra[ExtraKey].(*core.Auth)
	return a
}

// AuthFromContext returns the *core.Auth of the request whose context ctx
// is, behind auth.RequireBearerToken with [Verifier] (plain HTTP handlers
// behind the middleware); nil when there is none. MCP tool handlers use
// [AuthFromRequest].
func AuthFromContext(ctx context.Context) *core.Auth {
	if ctx == nil {
		return nil
	}
	return AuthFromTokenInfo(auth.TokenInfoFromContext(ctx))
}

// AuthFromRequest returns the *core.Auth of an MCP request (a tool call, a
// resource read, a prompt) that arrived through auth.RequireBearerToken
// with [Verifier]; nil when there is none (a nil request, a client
// request, a transport without HTTP).
func AuthFromRequest(req mcp.Request) *core.Auth {
	if req == nil {
		return nil
	}
	if v := reflect.ValueOf(req); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	extra := req.GetExtra()
	if extra == nil {
		return nil
	}
	return AuthFromTokenInfo(extra.TokenInfo)
}
