package core

import (
	"fmt"
	"slices"
	"time"
)

// Check is a per-route authorization rule over an authenticated request.
// It returns nil when the request may proceed, or an [*Error] matching
// [ErrForbidden] (HTTP 403, insufficient_scope). Adapters run checks with
// their Require middleware:
//
//	r.GET("/admin", ginclerk.Require(core.Role("org:admin")), handler)
//
// Session checks (Role, Permission, Feature, Plan, Reverified) fail closed
// on a machine token; Scope is for machine tokens and fails on a session.
type Check func(*Auth) error

// session returns the session of a, or nil.
func session(a *Auth) *Claims {
	if a == nil {
		return nil
	}
	return a.Session
}

// Role requires the active organization role (e.g. "org:admin").
func Role(role string) Check {
	return func(a *Auth) error {
		if session(a).HasRole(role) {
			return nil
		}
		return newError(ReasonMissingRole, nil)
	}
}

// Permission requires an organization permission (e.g. "org:invoices:read").
func Permission(perm string) Check {
	return func(a *Auth) error {
		if session(a).HasPermission(perm) {
			return nil
		}
		return newError(ReasonMissingPermission, nil)
	}
}

// Feature requires a feature ("name", "user:name" or "org:name"), as
// [Claims.HasFeature].
func Feature(feature string) Check {
	return func(a *Auth) error {
		if session(a).HasFeature(feature) {
			return nil
		}
		return newError(ReasonMissingFeature, nil)
	}
}

// Plan requires a plan ("name", "user:name" or "org:name"), as
// [Claims.HasPlan].
func Plan(plan string) Check {
	return func(a *Auth) error {
		if session(a).HasPlan(plan) {
			return nil
		}
		return newError(ReasonMissingPlan, nil)
	}
}

// Scope requires a machine token (API key, M2M or OAuth token) carrying
// every one of scopes. A session has no scopes: it fails.
func Scope(scopes ...string) Check {
	scopes = slices.Clone(scopes)
	return func(a *Auth) error {
		if !a.IsMachine() {
			return newError(ReasonMissingScope, nil)
		}
		for _, s := range scopes {
			if !a.HasScope(s) {
				return newError(ReasonMissingScope, nil)
			}
		}
		return nil
	}
}

// Kind requires one of the token kinds (core.SessionToken, APIKey, ...), for
// routes that accept several kinds but serve one differently. A kind not
// listed fails with [ReasonTokenTypeNotAccepted] (HTTP 401).
func Kind(kinds ...TokenKind) Check {
	set, err := acceptedKinds(kinds)
	if err != nil {
		panic("clerk: Kind: " + err.Error())
	}
	return func(a *Auth) error {
		if a != nil && set.has(a.Kind) {
			return nil
		}
		return newError(ReasonTokenTypeNotAccepted, nil)
	}
}

// ReverificationLevel names which factors a reverification needs.
type ReverificationLevel string

// The reverification levels, as Clerk names them.
const (
	FirstFactor  ReverificationLevel = "first_factor"
	SecondFactor ReverificationLevel = "second_factor"
	MultiFactor  ReverificationLevel = "multi_factor"
)

// Reverified requires a factor verification more recent than maxAge, using
// the session's fva claim: FirstFactor needs a recent first factor;
// SecondFactor a recent second factor if the user has one, else a recent
// first factor; MultiFactor both when the user has a second factor, else a
// recent first factor. A session without fva fails (unknown means no).
//
// Clerk's presets: strict_mfa is (MultiFactor, 10m), strict (SecondFactor,
// 10m), moderate (SecondFactor, 1h), lax (SecondFactor, 24h).
//
// A failure answers 403 with Clerk's reverification body (see
// [Failure.Body]), so clerk-js can ask the user to verify again.
func Reverified(level ReverificationLevel, maxAge time.Duration) Check {
	minutes := int(maxAge / time.Minute)
	need := ReverificationRequirement{Level: level, AfterMinutes: minutes}
	return func(a *Auth) error {
		if c := session(a); c != nil && c.FactorAge != nil && reverified(level, minutes, *c.FactorAge) {
			return nil
		}
		req := need
		return &Error{Reason: ReasonReverificationRequired, Reverification: &req}
	}
}

func reverified(level ReverificationLevel, minutes int, fa FactorAge) bool {
	if fa.First == -1 && fa.Second == -1 {
		return false // no factor enrolled: nothing can be verified
	}
	first := fa.First >= 0 && fa.First < minutes
	second := fa.Second >= 0 && fa.Second < minutes
	switch level {
	case FirstFactor:
		return first
	case SecondFactor:
		if fa.Second >= 0 {
			return second
		}
		return first
	case MultiFactor:
		if fa.Second < 0 {
			return first
		}
		return first && second
	}
	return false
}

// Authorize runs checks over a request's Auth, as the adapters' Require
// middleware does: a nil Auth (a signed-out request in optional mode, or no
// authentication middleware before) is [ReasonTokenMissing]; otherwise the
// first failing check's error is returned.
func Authorize(a *Auth, checks ...Check) error {
	if a == nil {
		return newError(ReasonTokenMissing, nil)
	}
	for _, chk := range checks {
		if err := chk(a); err != nil {
			return err
		}
	}
	return nil
}

// All combines checks: every one must pass; the first failure is returned.
// It panics if a check is nil, so a mistake shows at start-up, not on a
// request.
func All(checks ...Check) Check {
	for i, chk := range checks {
		if chk == nil {
			panic(fmt.Sprintf("clerk: check %d of %d is nil", i+1, len(checks)))
		}
	}
	checks = slices.Clone(checks)
	return func(a *Auth) error { return Authorize(a, checks...) }
}
