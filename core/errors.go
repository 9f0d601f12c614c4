package core

import (
	"encoding/json"
	"errors"
	"net/http"
)

// The classes of authentication failure. Every error returned by
// [Client.Authenticate], [Client.VerifyToken], [Client.User] and the
// authorization [Check]s matches exactly one of them with [errors.Is], so a
// caller can tell "sign in", "sign in again", "not allowed" and "try later"
// apart without looking at reasons.
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
)

// Reason is a stable, machine-readable code for why a request was not
// authenticated or not authorized. It is safe to show to clients: it never
// carries a token, a key or an internal error string.
type Reason string

// The reasons. Their string values are part of the public contract.
const (
	ReasonTokenMissing        Reason = "token-missing"
	ReasonTokenTooLarge       Reason = "token-too-large"
	ReasonTokenMalformed      Reason = "token-malformed"
	ReasonTokenInvalidAlg     Reason = "token-invalid-algorithm"
	ReasonTokenInvalidType    Reason = "token-invalid-type"
	ReasonTokenMissingKID     Reason = "token-missing-kid"
	ReasonTokenUnknownKID     Reason = "token-unknown-kid"
	ReasonTokenCritical       Reason = "token-unsupported-critical-header"
	ReasonTokenNotSession     Reason = "token-not-session"
	ReasonTokenSignature      Reason = "token-invalid-signature"
	ReasonTokenExpired        Reason = "token-expired"
	ReasonTokenNotActiveYet   Reason = "token-not-active-yet"
	ReasonTokenIssuedInFuture Reason = "token-iat-in-the-future"
	ReasonTokenMissingExpiry  Reason = "token-missing-expiry"
	ReasonTokenInvalidSubject Reason = "token-invalid-subject"
	ReasonTokenInvalidAZP     Reason = "token-invalid-authorized-party"
	ReasonTokenInvalidIssuer  Reason = "token-invalid-issuer"
	ReasonTokenStale          Reason = "token-stale"
	ReasonSessionPending      Reason = "session-pending"
	ReasonUserNotFound        Reason = "user-not-found"

	ReasonJWKSUnavailable Reason = "jwks-unavailable"
	ReasonUserUnavailable Reason = "user-fetch-failed"

	ReasonMissingRole          Reason = "missing-role"
	ReasonMissingPermission    Reason = "missing-permission"
	ReasonMissingFeature       Reason = "missing-feature"
	ReasonMissingPlan          Reason = "missing-plan"
	ReasonReverificationNeeded Reason = "reverification-required"
)

// Class returns the sentinel error ([ErrNoCredentials],
// [ErrInvalidCredentials], [ErrForbidden] or [ErrUnavailable]) the reason
// belongs to.
func (r Reason) Class() error {
	switch r {
	case ReasonTokenMissing:
		return ErrNoCredentials
	case ReasonJWKSUnavailable, ReasonUserUnavailable:
		return ErrUnavailable
	case ReasonMissingRole, ReasonMissingPermission, ReasonMissingFeature,
		ReasonMissingPlan, ReasonReverificationNeeded:
		return ErrForbidden
	default:
		return ErrInvalidCredentials
	}
}

// message is the fixed, client-safe description of a reason.
func (r Reason) message() string {
	switch r {
	case ReasonTokenMissing:
		return "no session token"
	case ReasonTokenTooLarge:
		return "session token is too large"
	case ReasonTokenMalformed:
		return "session token is malformed"
	case ReasonTokenInvalidAlg:
		return "session token algorithm is not accepted"
	case ReasonTokenInvalidType:
		return "session token type is not JWT"
	case ReasonTokenMissingKID:
		return "session token has no key id"
	case ReasonTokenUnknownKID:
		return "session token key id is unknown"
	case ReasonTokenCritical:
		return "session token has an unsupported critical header"
	case ReasonTokenNotSession:
		return "token is not a session token"
	case ReasonTokenSignature:
		return "session token signature is invalid"
	case ReasonTokenExpired:
		return "session token has expired"
	case ReasonTokenNotActiveYet:
		return "session token is not valid yet"
	case ReasonTokenIssuedInFuture:
		return "session token was issued in the future"
	case ReasonTokenMissingExpiry:
		return "session token has no valid expiry"
	case ReasonTokenInvalidSubject:
		return "session token has no valid subject"
	case ReasonTokenInvalidAZP:
		return "session token authorized party is not allowed"
	case ReasonTokenInvalidIssuer:
		return "session token issuer is not this instance"
	case ReasonTokenStale:
		return "session token is older than the client's last sign-in change"
	case ReasonSessionPending:
		return "session has pending tasks"
	case ReasonUserNotFound:
		return "user no longer exists"
	case ReasonJWKSUnavailable:
		return "verification keys are unavailable"
	case ReasonUserUnavailable:
		return "user could not be loaded"
	case ReasonMissingRole:
		return "required role is missing"
	case ReasonMissingPermission:
		return "required permission is missing"
	case ReasonMissingFeature:
		return "required feature is missing"
	case ReasonMissingPlan:
		return "required plan is missing"
	case ReasonReverificationNeeded:
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
}

// Error describes the failure: the reason's message and the cause, never a
// token or a secret.
func (e *Error) Error() string {
	msg := "clerk: " + e.Reason.message()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the class sentinel of e's reason, or an *Error
// with the same reason.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
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

// Failure is the HTTP answer the adapters give for an error, following the
// HTTP failure contract: 401 with a WWW-Authenticate challenge for missing or
// invalid credentials, 403 for insufficient scope, 503 when Clerk is
// unreachable. Errors that are not [*Error] map to 500 with reason
// "internal-error".
type Failure struct {
	// Status is the HTTP status code.
	Status int
	// WWWAuthenticate is the challenge to send, or "" for none.
	WWWAuthenticate string
	// Reason is the stable machine-readable code.
	Reason Reason
	// Message is a short human-readable description, safe to show.
	Message string
}

// FailureOf maps an error from this package to its HTTP answer.
func FailureOf(err error) Failure {
	r := ReasonOf(err)
	if r == "" {
		return Failure{Status: http.StatusInternalServerError, Reason: "internal-error", Message: "internal error"}
	}
	f := Failure{Reason: r, Message: r.message()}
	switch r.Class() {
	case ErrNoCredentials:
		f.Status, f.WWWAuthenticate = http.StatusUnauthorized, `Bearer`
	case ErrInvalidCredentials:
		f.Status, f.WWWAuthenticate = http.StatusUnauthorized, `Bearer error="invalid_token"`
	case ErrForbidden:
		f.Status, f.WWWAuthenticate = http.StatusForbidden, `Bearer error="insufficient_scope"`
	default:
		f.Status = http.StatusServiceUnavailable
	}
	return f
}

// Body returns the JSON body of the failure:
// {"status":401,"reason":"token-expired","message":"..."}.
func (f Failure) Body() []byte {
	b, err := json.Marshal(struct {
		Status  int    `json:"status"`
		Reason  Reason `json:"reason"`
		Message string `json:"message"`
	}{f.Status, f.Reason, f.Message})
	if err != nil { // unreachable: the fields always encode
		return []byte(`{"status":500,"reason":"internal-error"}`)
	}
	return b
}

// WriteFailure writes the failure for err to an http.ResponseWriter. It is the
// net/http form of [FailureOf]; adapters for other frameworks use FailureOf.
func WriteFailure(w http.ResponseWriter, err error) {
	f := FailureOf(err)
	if f.WWWAuthenticate != "" {
		w.Header().Set("WWW-Authenticate", f.WWWAuthenticate)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(f.Status)
	_, _ = w.Write(f.Body())
}
