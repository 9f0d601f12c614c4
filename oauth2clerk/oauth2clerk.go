// Package oauth2clerk hands Clerk M2M tokens to code written for
// golang.org/x/oauth2: [TokenSource] adapts a core.M2MTokenSource to
// oauth2.TokenSource, so a client library that takes one (gRPC's
// oauth.TokenSource, Google API clients, oauth2.NewClient) sends Clerk M2M
// tokens.
//
// It is a module of its own so that the core does not carry x/oauth2.
//
// oauth2.Transport and oauth2.NewClient add the token to every request,
// whatever its host; to send it only to the services it is meant for, use
// core's M2MTokenSource.Transport (or HTTPClient), which also drops it on
// redirects to other hosts.
package oauth2clerk

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/clerkgo/clerk/core"
)

// tokenSource is an oauth2.TokenSource over a core.M2MTokenSource.
type tokenSource struct {
	ctx context.Context
	src *core.M2MTokenSource
}

// TokenSource returns an oauth2.TokenSource whose tokens are src's: Bearer
// tokens with src's expiry. ctx bounds each wait for a mint (oauth2's Token
// takes no context), as with x/oauth2's own sources; the mint itself is
// bounded by src's Timeout. src already reuses a token until it nears its
// expiry and shares one mint between concurrent callers, so do not wrap the
// result in oauth2.ReuseTokenSource. Errors are src's (*core.Error, class
// core.ErrUnavailable).
//
// An *oauth2.Token prints its AccessToken with fmt: do not log it.
func TokenSource(ctx context.Context, src *core.M2MTokenSource) oauth2.TokenSource {
	if ctx == nil {
		ctx = context.Background()
	}
	return &tokenSource{ctx: ctx, src: src}
}

// Token returns the current M2M token as an *oauth2.Token.
func (s *tokenSource) Token() (*oauth2.Token, error) {
	t, err := s.src.Token(s.ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: t.Value(), TokenType: "Bearer", Expiry: t.Expiry}, nil
}
