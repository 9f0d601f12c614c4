package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// This file holds the HTTP failure contract: how an error of this package
// becomes a status, a challenge, a Retry-After and a JSON body.

// Failure is the HTTP answer the adapters give for an error, following the
// HTTP failure contract: 401 with a WWW-Authenticate challenge for missing or
// invalid credentials, 403 for insufficient scope, 503 when Clerk is
// unreachable (with a Retry-After when the wait is known). Errors that are
// not [*Error] map to 500 with reason "internal-error".
type Failure struct {
	// Status is the HTTP status code.
	Status int
	// WWWAuthenticate is the challenge to send, or "" for none.
	WWWAuthenticate string
	// Reason is the stable machine-readable code.
	Reason Reason
	// Message is a short human-readable description, safe to show.
	Message string
	// Reverification, when set, is added to the body in Clerk's own shape
	// (see [Failure.Body]).
	Reverification *ReverificationRequirement
	// RetryAfter, when positive, is the Retry-After to send, in whole
	// seconds (rounded up; see [Failure.RetryAfterHeader]); zero for none.
	RetryAfter time.Duration
}

// RetryAfterHeader returns the value of the Retry-After header to send
// (delay-seconds, RFC 9110 §10.2.3), or "" for none.
func (f Failure) RetryAfterHeader() string {
	if f.RetryAfter <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(f.RetryAfter/time.Second), 10)
}

// FailureOf maps an error from this package to its HTTP answer.
func FailureOf(err error) Failure {
	r := ReasonOf(err)
	if r == "" {
		return Failure{Status: http.StatusInternalServerError, Reason: "internal-error", Message: "internal error"}
	}
	f := Failure{Reason: r, Message: r.message()}
	var ce *Error
	if errors.As(err, &ce) {
		if r == ReasonReverificationRequired {
			f.Reverification = ce.Reverification
		}
		if ce.RetryAfter > 0 {
			f.RetryAfter = ce.RetryAfter.Truncate(time.Second)
			if f.RetryAfter < ce.RetryAfter {
				f.RetryAfter += time.Second // rounded up: never invite a retry too early
			}
		}
	}
	switch r.Class() {
	case ErrNoCredentials:
		f.Status, f.WWWAuthenticate = http.StatusUnauthorized, `Bearer`
	case ErrInvalidCredentials:
		f.Status, f.WWWAuthenticate = http.StatusUnauthorized, `Bearer error="invalid_token"`
	case ErrForbidden:
		f.Status, f.WWWAuthenticate = http.StatusForbidden, `Bearer error="insufficient_scope"`
	case ErrUnknownTenant:
		f.Status = http.StatusNotFound
	default:
		f.Status = http.StatusServiceUnavailable
	}
	return f
}

// Body returns the JSON body of the failure:
// {"status":401,"reason":"token-expired","message":"..."}. A reverification
// failure also carries Clerk's own error shape, which clerk-js's
// useReverification recognises:
//
//	{"status":403,"reason":"reverification-required","message":"...",
//	 "clerk_error":{"type":"forbidden","reason":"reverification-error",
//	  "metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
func (f Failure) Body() []byte {
	type metadata struct {
		Reverification *ReverificationRequirement `json:"reverification"`
	}
	type clerkError struct {
		Type     string   `json:"type"`
		Reason   string   `json:"reason"`
		Metadata metadata `json:"metadata"`
	}
	body := struct {
		Status     int         `json:"status"`
		Reason     Reason      `json:"reason"`
		Message    string      `json:"message"`
		ClerkError *clerkError `json:"clerk_error,omitempty"`
	}{Status: f.Status, Reason: f.Reason, Message: f.Message}
	if f.Reverification != nil {
		body.ClerkError = &clerkError{Type: "forbidden", Reason: "reverification-error", Metadata: metadata{f.Reverification}}
	}
	b, err := json.Marshal(body)
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
	if v := f.RetryAfterHeader(); v != "" {
		w.Header().Set("Retry-After", v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(f.Status)
	_, _ = w.Write(f.Body())
}
