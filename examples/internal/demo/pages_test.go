package demo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

func ptr(s string) *string { return &s }

// The pages show what the adapter's User and Session getters hold.
func ExamplePageOf() {
	user := &core.User{ID: "user_123", FirstName: ptr("Ada"), LastName: ptr("Lovelace")}
	fmt.Printf("%+v\n", demo.PageOf(user, &core.Claims{Subject: "user_123"}))
	fmt.Printf("%+v\n", demo.PageOf(nil, &core.Claims{Subject: "user_123"})) // FetchUser(false)
	fmt.Printf("%+v\n", demo.PageOf(nil, nil))                               // signed out
	// Output:
	// {SignedIn:true UserID:user_123 Name:Ada Lovelace Email:}
	// {SignedIn:true UserID:user_123 Name:user_123 Email:}
	// {SignedIn:false UserID: Name: Email:}
}

// TestPagesEscape: the pages are html/template: a user's name is text,
// never markup.
func TestPagesEscape(t *testing.T) {
	evil := `<script>alert("x")</script>`
	p := demo.PageOf(&core.User{ID: "user_1", FirstName: ptr(evil)}, &core.Claims{Subject: "user_1"})
	for name, render := range map[string]func(demo.PageData) ([]byte, error){"home": demo.HomePage, "dashboard": demo.DashboardPage} {
		b, err := render(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "<script>") || !strings.Contains(string(b), "&lt;script&gt;") {
			t.Errorf("%s: the name is not escaped: %s", name, b)
		}
	}
	signedOut, err := demo.HomePage(demo.PageOf(nil, nil))
	if err != nil || !strings.Contains(string(signedOut), `href="/dashboard"`) || !strings.Contains(string(signedOut), "not signed in") {
		t.Errorf("signed-out home page: %v %s", err, signedOut)
	}
}
