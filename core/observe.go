package core

import (
	"context"
	"log/slog"
	"time"
)

// Observer receives what a client does, for metrics and traces (see
// github.com/clerkgo/clerk/otelclerk for an OpenTelemetry one). Set it
// with Config.Observer. Its methods are called synchronously on the request
// path and must be safe for concurrent use and quick. None of its arguments
// ever carries a token or a secret.
type Observer interface {
	// Decision is called once per authentication decision of an
	// Authenticator: accepted, refused (with the reason) or skipped.
	Decision(ctx context.Context, d Decision)
	// Call is called before each call to Clerk (a key fetch, a user fetch,
	// a machine-token verification). The returned context is used for the
	// call (a tracer puts its span there); done is called with the call's
	// error, nil on success, when it ends.
	Call(ctx context.Context, c Call) (_ context.Context, done func(error))
	// CacheLookup is called on each lookup in one of the client's caches.
	CacheLookup(ctx context.Context, l CacheLookup)
}

// Decision is one authentication decision, as an [Observer] sees it.
type Decision struct {
	// Instance is the client's Config.Name.
	Instance string
	// Kind is the kind of token presented (even when it was refused); ""
	// when there was none, or one too malformed to tell.
	Kind TokenKind
	// Reason is why the request was refused; "" when it was accepted or
	// skipped.
	Reason Reason
	// Skipped is true for a request the middleware let through without
	// authenticating it (a CORS preflight with SkipOptions on, a skip
	// option).
	Skipped bool
	// Optional is true when a refused request went on signed out
	// (Optional mode).
	Optional bool
	// Duration is how long the decision took.
	Duration time.Duration
}

// CallOp names a kind of call to Clerk.
type CallOp string

// The calls a client makes to Clerk.
const (
	CallJWKS             CallOp = "jwks"
	CallUser             CallOp = "user"
	CallVerifyAPIKey     CallOp = "verify_api_key"
	CallVerifyM2MToken   CallOp = "verify_m2m_token"
	CallVerifyOAuthToken CallOp = "verify_oauth_token"
	CallCreateM2MToken   CallOp = "create_m2m_token"
)

// Call is one call to Clerk, as an [Observer] sees it.
type Call struct {
	// Instance is the client's Config.Name.
	Instance string
	// Op is what the call does.
	Op CallOp
}

// CacheLookup is one lookup in a cache, as an [Observer] sees it.
type CacheLookup struct {
	// Instance is the client's Config.Name.
	Instance string
	// Cache is "token" (verified session tokens), "user" or "machine"
	// (machine-token verification results).
	Cache string
	// Layer is "memory", or "shared" for Config.Cache.
	Layer string
	// Hit reports whether the lookup found a usable entry.
	Hit bool
}

// events sends a client's logs and observations. A nil *events, or one
// with neither a logger nor an observer, does nothing.
type events struct {
	log      *slog.Logger
	obs      Observer
	instance string
}

func newEvents(log *slog.Logger, obs Observer, instance string) *events {
	return &events{log: log, obs: obs, instance: instance}
}

func (e *events) attrs(extra ...slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(extra)+1)
	if e.instance != "" {
		out = append(out, slog.String("instance", e.instance))
	}
	return append(out, extra...)
}

// decision logs (debug) and observes one decision.
func (e *events) decision(ctx context.Context, d Decision) {
	if e == nil {
		return
	}
	d.Instance = e.instance
	if e.log != nil && e.log.Enabled(ctx, slog.LevelDebug) {
		outcome := "accepted"
		switch {
		case d.Skipped:
			outcome = "skipped"
		case d.Reason != "" && d.Optional:
			outcome = "signed out"
		case d.Reason != "":
			outcome = "refused"
		}
		e.log.LogAttrs(ctx, slog.LevelDebug, "clerk: authentication "+outcome, e.attrs(
			slog.String("kind", string(d.Kind)),
			slog.String("reason", string(d.Reason)),
			slog.Duration("duration", d.Duration))...)
	}
	if e.obs != nil {
		e.obs.Decision(ctx, d)
	}
}

// call observes a call to Clerk and logs a warning when it fails. The
// error's text names the call by its route only (core/bapi keeps path
// parameters such as a user id out of every error it builds).
func (e *events) call(ctx context.Context, op CallOp) (context.Context, func(error)) {
	if e == nil || (e.obs == nil && e.log == nil) {
		return ctx, func(error) {}
	}
	done := func(error) {}
	if e.obs != nil {
		ctx, done = e.obs.Call(ctx, Call{Instance: e.instance, Op: op})
	}
	return ctx, func(err error) {
		if err != nil && e.log != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "clerk: call to Clerk failed", e.attrs(
				slog.String("op", string(op)), slog.String("error", errorText(err)))...)
		}
		done(err)
	}
}

// recovered logs that a call that had been failing succeeded again.
func (e *events) recovered(ctx context.Context, op CallOp) {
	if e != nil && e.log != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "clerk: call to Clerk succeeded again after failures", e.attrs(slog.String("op", string(op)))...)
	}
}

// cache observes a cache lookup.
func (e *events) cache(ctx context.Context, cache, layer string, hit bool) {
	if e != nil && e.obs != nil {
		e.obs.CacheLookup(ctx, CacheLookup{Instance: e.instance, Cache: cache, Layer: layer, Hit: hit})
	}
}

// sharedCacheFailed logs that the shared cache failed; the in-memory path
// serves on.
func (e *events) sharedCacheFailed(ctx context.Context, cache, op string, err error) {
	if e != nil && e.log != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "clerk: shared cache failed; serving from memory and Clerk", e.attrs(
			slog.String("cache", cache), slog.String("op", op), slog.String("error", errorText(err)))...)
	}
	e.cache(ctx, cache, "shared", false)
}

// sharedCacheForged logs that a shared-cache value failed authentication
// (written by someone without the instance's secret key, copied from
// another key, or altered), which is then a miss. The line names the cache,
// never the key or the value.
func (e *events) sharedCacheForged(ctx context.Context, cache string) {
	if e != nil && e.log != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "clerk: shared-cache value failed authentication; ignored", e.attrs(slog.String("cache", cache))...)
	}
	e.cache(ctx, cache, "shared", false)
}

// sharedCacheRecovered logs that the shared cache works again.
func (e *events) sharedCacheRecovered(ctx context.Context, cache string) {
	if e != nil && e.log != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "clerk: shared cache works again", e.attrs(slog.String("cache", cache))...)
	}
}

// errorText is an error's text for a log line. The errors of this package
// and of bapi never carry a token or a secret.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
