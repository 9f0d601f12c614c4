package chiclerk

import (
	"context"

	"github.com/clerkgo/clerk/core"
)

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, FetchUser(false), or no Middleware ran). ctx is the
// request's context, r.Context().
func User(ctx context.Context) *core.User {
	if ctx == nil {
		return nil
	}
	return core.UserFromContext(ctx)
}

// Session returns the verified session token claims of the request, or nil
// when it is not signed in. ctx is the request's context, r.Context().
func Session(ctx context.Context) *core.Claims {
	if ctx == nil {
		return nil
	}
	return core.SessionFromContext(ctx)
}
