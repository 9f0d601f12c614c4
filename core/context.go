package core

import "context"

// Auth is what the middleware learned about a request: the verified session
// and, when the user fetch is on, the Clerk user.
type Auth struct {
	// Session is the verified session token.
	Session *Claims
	// User is the signed-in user; nil when the user fetch is off.
	User *User
}

type authKey struct{}

// WithAuth returns a context carrying a. Adapters call it so that code
// holding only a context.Context can reach the session and the user.
func WithAuth(ctx context.Context, a *Auth) context.Context {
	return context.WithValue(ctx, authKey{}, a)
}

// AuthFromContext returns the Auth stored by [WithAuth], or nil.
func AuthFromContext(ctx context.Context) *Auth {
	if ctx == nil {
		return nil
	}
	a, _ := ctx.Value(authKey{}).(*Auth)
	return a
}

// SessionFromContext returns the verified session claims, or nil when the
// request is not signed in.
func SessionFromContext(ctx context.Context) *Claims {
	if a := AuthFromContext(ctx); a != nil {
		return a.Session
	}
	return nil
}

// UserFromContext returns the signed-in user, or nil when the request is
// not signed in or the user fetch is off.
func UserFromContext(ctx context.Context) *User {
	if a := AuthFromContext(ctx); a != nil {
		return a.User
	}
	return nil
}
