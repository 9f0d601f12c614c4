package core

import (
	"errors"
	"time"
)

// The classes of authentication failure. Every error returned by
// [Client.Authenticate], [Client.VerifyToken], [Client.VerifyMachineToken],
// [Client.User], an [Authenticator] and the authorization [Check]s matches
// exactly one of them with [errors.Is], so a caller can tell "sign in",
// "sign in again", "not allowed", "try later" and "no such tenant" apart
// without looking at reasons.
var (
	// ErrNoCredentials: the request carries no session token at all.
	ErrNoCredentials = errors.New("clerk: no credentials")
	// ErrInvalidCredentials: a token (or the user behind it) was presented
	// but is not acceptable: malformed, badly signed, expired, stale, ...
	ErrInvalidCredentials = errors.New("clerk: invalid credentials")
	// ErrForbidden: the session is valid but lacks a role, permission,
	// feature, plan or a recent enough factor verification.
	ErrForbidden = errors.New("clerk: insufficient scope")
	// ErrUnavailable: Clerk could not be reached (no verification keys yet,
	// or the user fetch failed upstream). The client is not at fault.
	ErrUnavailable = errors.New("clerk: unavailable")
	// ErrUnknownTenant: a per-request client function (the adapters'
	// ClientFunc) found no Clerk instance for the request (HTTP 404).
	ErrUnknownTenant = errors.New("clerk: unknown tenant")
)

// Reason is a stable, machine-readable code for why a request was not
// authenticated or not authorized. It is safe to show to clients: it never
// carries a token, a key or an internal error string.
type Reason string

// The reasons. Their string values are part of the public contract.
const (
	ReasonTokenMissing                   Reason = "token-missing"
	ReasonTokenTooLarge                  Reason = "token-too-large"
	ReasonTokenMalformed                 Reason = "token-malformed"
	ReasonTokenInvalidAlgorithm          Reason = "token-invalid-algorithm"
	ReasonTokenInvalidType               Reason = "token-invalid-type"
	ReasonTokenMissingKID                Reason = "token-missing-kid"
	ReasonTokenUnknownKID                Reason = "token-unknown-kid"
	ReasonTokenUnsupportedCriticalHeader Reason = "token-unsupported-critical-header"
	ReasonTokenNotSession                Reason = "token-not-session"
	ReasonTokenInvalidSignature          Reason = "token-invalid-signature"
	ReasonTokenExpired                   Reason = "token-expired"
	ReasonTokenNotActiveYet              Reason = "token-not-active-yet"
	ReasonTokenIATInTheFuture            Reason = "token-iat-in-the-future"
	ReasonTokenMissingExpiry             Reason = "token-missing-expiry"
	ReasonTokenInvalidSubject            Reason = "token-invalid-subject"
	ReasonTokenInvalidAuthorizedParty    Reason = "token-invalid-authorized-party"
	ReasonTokenInvalidIssuer             Reason = "token-invalid-issuer"
	ReasonTokenStale                     Reason = "token-stale"
	// ReasonSessionTokenButNoClientUAT: a session cookie without the
	// __client_uat cookie Clerk's frontend sets beside it, or with
	// __client_uat=0: the client is signed out (Clerk's reason of the same
	// name).
	ReasonSessionTokenButNoClientUAT Reason = "session-token-but-no-client-uat"
	ReasonSessionPending             Reason = "session-pending"
	ReasonUserNotFound               Reason = "user-not-found"
	// ReasonTokenInvalidAudience: Config.Audience is set and the token's aud
	// is absent or matches none of it.
	ReasonTokenInvalidAudience Reason = "token-invalid-audience"
	// ReasonTokenTypeNotAccepted: the token is of a kind the route does not
	// accept (a machine token on a session route, a session token on a
	// machine-only route, ...). Decided locally, with no network call.
	ReasonTokenTypeNotAccepted Reason = "token-type-not-accepted"
	// ReasonTokenRevoked: Clerk says the machine token was revoked.
	ReasonTokenRevoked Reason = "token-revoked"
	// ReasonTokenNotFound: Clerk does not know the opaque machine token.
	ReasonTokenNotFound Reason = "token-not-found"

	// ReasonUnknownTenant: no Clerk instance serves the request (the
	// adapters' ClientFunc returned no client): HTTP 404.
	ReasonUnknownTenant Reason = "unknown-tenant"

	ReasonJWKSUnavailable Reason = "jwks-unavailable"
	// ReasonJWKSRefreshPending: the token names a signing key the cached
	// key set lacks and that no fetch has been asked about yet, while the
	// refetch cooldown (Config.KeyCooldown) forbids a new fetch: it may be
	// a key Clerk has just rotated in. HTTP 503 with a Retry-After of the
	// time left in the cooldown ([Error.RetryAfter]); after it, one fetch
	// settles the key (200, or 401 token-unknown-kid).
	ReasonJWKSRefreshPending Reason = "jwks-refresh-pending"
	ReasonUserFetchFailed    Reason = "user-fetch-failed"
	// ReasonTokenVerificationUnavailable: the Backend API could not verify an opaque
	// machine token (unreachable, failing, or refusing our secret key).
	ReasonTokenVerificationUnavailable Reason = "token-verification-unavailable"
	// ReasonM2MTokenUnavailable: no M2M token could be minted for an
	// outgoing call (Clerk unreachable or refusing, the wait exceeded, or
	// the token source closed); see [M2MTokenSource].
	ReasonM2MTokenUnavailable Reason = "m2m-token-unavailable"
	// ReasonClientClosed: the client was closed (Client.Close), so nothing
	// that needs Clerk (keys, users, machine-token verdicts) can be fetched
	// any more: HTTP 503, as during a shutdown another replica can answer.
	ReasonClientClosed Reason = "client-closed"

	ReasonMissingRole            Reason = "missing-role"
	ReasonMissingPermission      Reason = "missing-permission"
	ReasonMissingFeature         Reason = "missing-feature"
	ReasonMissingPlan            Reason = "missing-plan"
	ReasonMissingScope           Reason = "missing-scope"
	ReasonReverificationRequired Reason = "reverification-required"
)

// Class returns the sentinel error ([ErrNoCredentials],
// [ErrInvalidCredentials], [ErrForbidden] or [ErrUnavailable]) the reason
// belongs to.
func (r Reason) Class() error {
	switch r {
	case ReasonTokenMissing:
		return ErrNoCredentials
	case ReasonJWKSUnavailable, ReasonJWKSRefreshPending, ReasonUserFetchFailed, ReasonTokenVerificationUnavailable,
		ReasonM2MTokenUnavailable, ReasonClientClosed:
		return ErrUnavailable
	case ReasonMissingRole, ReasonMissingPermission, ReasonMissingFeature,
		ReasonMissingPlan, ReasonMissingScope, ReasonReverificationRequired:
		return ErrForbidden
	case ReasonUnknownTenant:
		return ErrUnknownTenant
	default:
		return ErrInvalidCredentials
	}
}

// message is the fixed, client-safe description of a reason.
func (r Reason) message() string {
	switch r {
	case ReasonTokenMissing:
		return "no token"
	case ReasonTokenTooLarge:
		return "token is too large"
	case ReasonTokenMalformed:
		return "token is malformed"
	case ReasonTokenInvalidAlgorithm:
		return "token algorithm is not accepted"
	case ReasonTokenInvalidType:
		return "token type is not accepted"
	case ReasonTokenMissingKID:
		return "token has no key id"
	case ReasonTokenUnknownKID:
		return "token key id is unknown"
	case ReasonTokenUnsupportedCriticalHeader:
		return "token has an unsupported critical header"
	case ReasonTokenNotSession:
		return "token is not a session token"
	case ReasonTokenInvalidSignature:
		return "token signature is invalid"
	case ReasonTokenExpired:
		return "token has expired"
	case ReasonTokenNotActiveYet:
		return "token is not valid yet"
	case ReasonTokenIATInTheFuture:
		return "token was issued in the future"
	case ReasonTokenMissingExpiry:
		return "token has no valid expiry"
	case ReasonTokenInvalidSubject:
		return "token has no valid subject"
	case ReasonTokenInvalidAuthorizedParty:
		return "token authorized party is not allowed"
	case ReasonTokenInvalidIssuer:
		return "token issuer is not this instance"
	case ReasonTokenInvalidAudience:
		return "token audience is not accepted"
	case ReasonTokenStale:
		return "session token is older than the client's last sign-in change"
	case ReasonSessionTokenButNoClientUAT:
		return "session cookie without an active client (__client_uat)"
	case ReasonSessionPending:
		return "session has pending tasks"
	case ReasonUserNotFound:
		return "user no longer exists"
	case ReasonTokenTypeNotAccepted:
		return "this kind of token is not accepted here"
	case ReasonTokenRevoked:
		return "token has been revoked"
	case ReasonTokenNotFound:
		return "token is not known to Clerk"
	case ReasonUnknownTenant:
		return "no Clerk instance serves this request"
	case ReasonJWKSUnavailable:
		return "verification keys are unavailable"
	case ReasonJWKSRefreshPending:
		return "the token's signing key is not known yet; retry shortly"
	case ReasonUserFetchFailed:
		return "user could not be loaded"
	case ReasonTokenVerificationUnavailable:
		return "token could not be verified with Clerk"
	case ReasonM2MTokenUnavailable:
		return "no M2M token could be obtained from Clerk"
	case ReasonClientClosed:
		return "the Clerk client is shut down"
	case ReasonMissingRole:
		return "required role is missing"
	case ReasonMissingPermission:
		return "required permission is missing"
	case ReasonMissingFeature:
		return "required feature is missing"
	case ReasonMissingPlan:
		return "required plan is missing"
	case ReasonMissingScope:
		return "required scope is missing"
	case ReasonReverificationRequired:
		return "a more recent factor verification is required"
	}
	return string(r)
}

// Error is the error type of every authentication and authorization failure.
// Use [errors.As] to read its Reason, or [errors.Is] with one of the class
// sentinels ([ErrNoCredentials], [ErrInvalidCredentials], [ErrForbidden],
// [ErrUnavailable]) or with another *Error of the same reason.
type Error struct {
	// Reason is the stable code for the failure.
	Reason Reason
	// Err is the underlying cause, if any (a network error, a JSON error).
	// It never contains the token or a secret.
	Err error
	// Reverification is what a failed [Reverified] check asked for (with
	// [ReasonReverificationRequired]); nil otherwise.
	Reverification *ReverificationRequirement
	// Instance is the Name of the Config of the client that failed, or "".
	Instance string
	// RetryAfter, when positive, is how long the client should wait before
	// retrying (with [ReasonJWKSRefreshPending]: the time left in the key
	// refetch cooldown). [FailureOf] turns it into a Retry-After header.
	RetryAfter time.Duration
}

// ReverificationRequirement is the factor verification a route asks for, in
// the shape Clerk's frontend reads from a 403 answer (clerk-js's
// useReverification then opens its step-up dialog).
type ReverificationRequirement struct {
	// Level names the factors needed.
	Level ReverificationLevel `json:"level"`
	// AfterMinutes is how recent the verification must be, in minutes.
	AfterMinutes int `json:"afterMinutes"`
}

// Error describes the failure: the reason's message and the cause, never a
// token or a secret.
func (e *Error) Error() string {
	if e == nil {
		return "clerk: <nil error>"
	}
	msg := "clerk: " + e.Reason.message()
	if e.Instance != "" {
		msg = "clerk[" + e.Instance + "]: " + e.Reason.message()
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is the class sentinel of e's reason, or an *Error
// with the same reason.
func (e *Error) Is(target error) bool {
	if e == nil {
		return false
	}
	if t, ok := target.(*Error); ok && t != nil {
		return t.Reason == e.Reason
	}
	return target == e.Reason.Class()
}

// ReasonOf returns the reason carried by err, or "" when err is nil or not
// (wrapping) an [*Error].
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func newError(r Reason, cause error) *Error { return &Error{Reason: r, Err: cause} }

// errNilClient is returned by the methods of a nil or zero Client.
var errNilClient = errors.New("clerk: nil or zero Client; build one with core.New")
