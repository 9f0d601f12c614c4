package bench

import (
	"context"
	"net/http"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	clerkhttp "github.com/clerk/clerk-sdk-go/v2/http"
	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
)

func chiRouter(mw func(http.Handler) http.Handler) *chi.Mux {
	r := chi.NewRouter()
	if mw != nil {
		r.Use(mw)
	}
	r.Get("/", ok)
	return r
}

// sdkMiddleware is the official SDK's middleware on the fixture's fake,
// checking azp as ours does.
func (f *fixture) sdkMiddleware() func(http.Handler) http.Handler {
	return clerkhttp.RequireHeaderAuthorization(
		clerkhttp.JWKSClient(f.sdkJWKS),
		clerkhttp.AuthorizedPartyMatches(f.fake.AuthorizedParty()),
	)
}

// BenchmarkNetHTTP compares net/http middlewares on a Chi router: no
// authentication, ours (chiclerk), the official SDK's
// RequireHeaderAuthorization (keys from the fake's Backend API JWKS, its
// kid-keyed cache warm) and auth0's go-jwt-middleware with the RSA public
// key configured statically. Each runs with a repeated token and with a
// token the verifier has not seen ("new-token": a pool of distinct tokens).
func BenchmarkNetHTTP(b *testing.B) {
	f := getFixture(b)
	b.Run("bare", func(b *testing.B) { serveLoop(b, chiRouter(nil), nil) })

	ours := func(ts tokenSet) func(*testing.B) {
		return func(b *testing.B) {
			mw := chiclerk.Middleware(chiclerk.WithClient(f.client(ts)), chiclerk.FetchUser(false))
			serveLoop(b, chiRouter(mw), bearer(f.set(ts)))
		}
	}
	sdk := func(ts tokenSet) func(*testing.B) {
		return func(b *testing.B) {
			serveLoop(b, chiRouter(f.sdkMiddleware()), bearer(f.set(ts)))
		}
	}
	auth0 := func(ts tokenSet) func(*testing.B) {
		return func(b *testing.B) {
			v, err := validator.New(
				func(context.Context) (any, error) { return f.pub, nil },
				validator.RS256, issuer, []string{audience},
			)
			if err != nil {
				b.Fatal(err)
			}
			mw := jwtmiddleware.New(v.ValidateToken).CheckJWT
			serveLoop(b, chiRouter(mw), bearer(f.set(ts)))
		}
	}
	for _, ts := range tokenSets {
		b.Run("chiclerk/"+ts.name, ours(ts.set))
		b.Run("clerk-sdk-go/"+ts.name, sdk(ts.set))
		b.Run("auth0/"+ts.name, auth0(ts.set))
	}
}
