package core_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// A service calling another one with Clerk M2M tokens: the source mints
// them with the machine secret key and renews them before they expire; its
// HTTP client sends them to the listed hosts only.
func ExampleClient_M2MTokenSource() {
	fake := clerktest.New() // stands in for Clerk
	defer fake.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("received:", strings.HasPrefix(r.Header.Get("Authorization"), "Bearer mt_"))
	}))
	defer other.Close()
	host := strings.TrimPrefix(other.URL, "http://") // e.g. "billing.internal"
	ctx := context.Background()

	client, err := core.New(core.Config{
		MachineSecretKey: fake.MachineSecretKey(), // or CLERK_MACHINE_SECRET_KEY with core.NewFromEnv
		APIURL:           fake.URL,
	})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	src, err := client.M2MTokenSource(core.M2MTokenOptions{TTL: time.Hour})
	if err != nil {
		panic(err)
	}
	defer src.Close()
	hc, err := src.HTTPClient(host) // adds "Authorization: Bearer mt_…" for this host only
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/invoices", nil)
	resp, err := hc.Do(req)
	if err != nil {
		panic(err) // a *core.Error, class core.ErrUnavailable, when no token can be had
	}
	resp.Body.Close()

	tok, _ := src.Token(ctx) // the same token, reused until it nears its expiry
	fmt.Println(tok.TokenFormat, tok.Subject == fake.MachineID())
	// Output:
	// received: true
	// opaque true
}

// The options of a token source: the format, the lifetime and custom claims
// of the tokens it mints, and the hosts its HTTP client sends them to.
func ExampleM2MTokenOptions() {
	fake := clerktest.New() // stands in for Clerk
	defer fake.Close()
	ctx := context.Background()
	client, err := core.New(core.Config{MachineSecretKey: fake.MachineSecretKey(), APIURL: fake.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	src, err := client.M2MTokenSource(core.M2MTokenOptions{
		Format: core.M2MOpaque,                   // or core.M2MJWT
		TTL:    time.Hour,                        // seconds_until_expiration; 0: the machine's default
		Claims: map[string]any{"job": "nightly"}, // custom claims, optional
	})
	if err != nil {
		panic(err)
	}
	defer src.Close()
	hc, err := src.HTTPClient("billing.internal", "reports.internal:8443") // Authorization: Bearer mt_… for those hosts only
	if err != nil {
		panic(err)
	}

	tok, err := src.Token(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.TokenFormat, hc != nil)
	// Output:
	// opaque true
}
