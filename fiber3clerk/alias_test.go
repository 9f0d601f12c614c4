package fiber3clerk_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// sameLengthTokens mints n tokens for n new users. Their users' IDs have
// one length, so the tokens have one length too: fasthttp then overwrites a
// header buffer in place when it reuses it for the next request.
func sameLengthTokens(t *testing.T, f *authtest.Fake, n int) (tokens, ids []string) {
	t.Helper()
	for range n {
		u := f.Server.CreateUser(clerktest.UserParams{})
		tokens = append(tokens, f.Server.Token(clerktest.WithSubject(u.ID)))
		ids = append(ids, u.ID)
	}
	for _, tok := range tokens {
		if len(tok) != len(tokens[0]) {
			t.Fatalf("token lengths differ: %d and %d", len(tok), len(tokens[0]))
		}
	}
	return tokens, ids
}

// The premise of TestTokenBuffersReusedByFasthttp: a string from c.Get that
// outlives its handler changes when fasthttp serves a later request.
func TestFasthttpReusesHeaderBuffers(t *testing.T) {
	f := authtest.NewFake(t)
	tokens, _ := sameLengthTokens(t, f, 32)
	var retained []string
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		retained = append(retained, c.Get(fiber.HeaderAuthorization)) // deliberately unsafe
		return nil
	})
	for _, tok := range tokens {
		if a := get(t, app, "/", "Bearer "+tok); a.status != http.StatusOK {
			t.Fatalf("status %d", a.status)
		}
	}
	changed := 0
	for i, s := range retained {
		if s != "Bearer "+tokens[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no retained header string changed: the aliasing test below proves nothing")
	}
	t.Logf("%d of %d retained header strings were overwritten by later requests", changed, len(retained))
}

// TestTokenBuffersReusedByFasthttp sends many tokens, header and cookie,
// through the real router, then sends them all again: later rounds are
// answered from the token cache, whose keys would have been overwritten by
// later requests had any fasthttp-backed string been kept. Every answer must
// name the token's own user.
//
// With a cache of at most 8 entries the Go map compares long string keys
// without hashing the lookup key: an entry whose key was overwritten with the
// next token's bytes would then answer for that next token, with the wrong
// user. The default size checks the same property on a large map.
func TestTokenBuffersReusedByFasthttp(t *testing.T) {
	for _, size := range []int{8, core.DefaultTokenCacheSize} {
		t.Run(fmt.Sprintf("cache size %d", size), func(t *testing.T) {
			f := authtest.NewFake(t, func(c *core.Config) { c.TokenCacheSize = size })
			app := fiber.New()
			app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client), fiber3clerk.FetchUser(false)))
			app.Get("/protected", identify)
			tokens, ids := sameLengthTokens(t, f, 64)
			send := func(round, i int) {
				var a answer
				if i%2 == 0 {
					a = get(t, app, "/protected", "Bearer "+tokens[i])
				} else {
					a = get(t, app, "/protected", "", "__session="+tokens[i]+"; __client_uat="+strconv.FormatInt(f.Clock.Now().Add(-time.Hour).Unix(), 10))
				}
				if a.status != http.StatusOK {
					t.Fatalf("round %d, token %d: status %d %s", round, i, a.status, a.body)
				}
				if got := a.sessionSub(); got != ids[i] {
					t.Fatalf("round %d, token %d: verified as %s, want %s", round, i, got, ids[i])
				}
			}
			for i := range tokens {
				send(1, i)
				send(1, i) // again at once: a cache hit
			}
			for i := range tokens { // reverse order
				send(2, len(tokens)-1-i)
			}
			for i := range tokens {
				send(3, (i*7)%len(tokens))
			}
		})
	}
}
