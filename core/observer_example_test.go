package core_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Observer is core.Observer as docs/observability.md shows it: the two
// assignments below compile only while both have the same methods.
type Observer interface {
	Decision(ctx context.Context, d core.Decision)
	Call(ctx context.Context, c core.Call) (context.Context, func(error))
	CacheLookup(ctx context.Context, l core.CacheLookup)
}

var (
	_ core.Observer = Observer(nil)
	_ Observer      = core.Observer(nil)
)

// decisionPrinter is an Observer that prints each decision.
type decisionPrinter struct{}

func (decisionPrinter) Decision(_ context.Context, d core.Decision) {
	fmt.Printf("decision: kind %q, reason %q\n", d.Kind, d.Reason)
}

func (decisionPrinter) Call(ctx context.Context, c core.Call) (context.Context, func(error)) {
	return ctx, func(err error) { fmt.Println("call:", c.Op, err) }
}

func (decisionPrinter) CacheLookup(context.Context, core.CacheLookup) {}

// An Observer of one's own: Config.Observer is called for each decision
// and each call to Clerk (otelclerk is the OpenTelemetry one).
func Example_observer() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, Observer: decisionPrinter{}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	a, err := core.NewAuthenticator(core.Options{Client: client, SkipUserFetch: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, token := range []string{fake.Token(), ""} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		_, _ = a.Authenticate(req.Context(), core.HTTPRequest(req))
	}
	// Output:
	// call: jwks <nil>
	// decision: kind "session_token", reason ""
	// decision: kind "", reason "token-missing"
}
