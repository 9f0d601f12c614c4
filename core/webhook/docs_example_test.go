package webhook_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// The snippets of docs/webhooks.md about the core package: a handler that
// keeps a users table in step with Clerk, and a test of an app's endpoint.

// db is the app's database (a *sql.DB opened with the app's driver).
var db *sql.DB

func onEvent(ctx context.Context, ev *webhook.Event) error {
	switch ev.Type {
	case webhook.UserCreated, webhook.UserUpdated:
		data, err := ev.Decode()
		if err != nil {
			return nil // not a user: retrying will not help, drop it
		}
		u, ok := data.(*bapi.User)
		if !ok {
			return nil
		}
		email := u.PrimaryEmail() // "" when the user has none
		// An upsert, so that a retried or reordered delivery is harmless;
		// updated_at keeps an older update from overwriting a newer one.
		_, err = db.ExecContext(ctx, `
			INSERT INTO users (clerk_id, email, first_name, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (clerk_id) DO UPDATE
			SET email = $2, first_name = $3, updated_at = $4
			WHERE users.updated_at < $4`,
			u.ID, email, u.FirstName, u.UpdatedAt)
		return err // an error: 500, and Svix retries
	case webhook.UserDeleted:
		data, err := ev.Decode()
		if err != nil {
			return nil
		}
		if d, ok := data.(*bapi.DeletedObject); ok && d.ID != nil {
			_, err = db.ExecContext(ctx, `DELETE FROM users WHERE clerk_id = $1`, *d.ID)
		}
		return err
	}
	return nil // events you do not handle: answer 200 so they are not retried
}

// Example_usersTable mounts onEvent, which keeps a users table in step with
// Clerk, on net/http. Compiled, not run: it needs a database and
// CLERK_WEBHOOK_SIGNING_SECRET.
func Example_usersTable() {
	http.Handle("POST /webhooks/clerk", webhook.Handler(onEvent))
}

// newApp is an app under test: it reads CLERK_WEBHOOK_SIGNING_SECRET when
// it is built.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/clerk", webhook.Handler(func(context.Context, *webhook.Event) error {
		return nil
	}))
	return mux
}

// TestDocsTestingYourHandler is the test of docs/webhooks.md ("Testing your
// handler"): a delivery signed by clerktest is accepted by the app.
func TestDocsTestingYourHandler(t *testing.T) {
	signer, _ := clerktest.NewWebhookSigner()                 // a fresh whsec_ secret
	t.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", signer.Secret()) // for the app under test
	srv := httptest.NewServer(newApp())                       // which reads it at start-up
	defer srv.Close()

	data, _ := clerktest.SampleWebhookData(webhook.UserCreated) // a Clerk-shaped user
	d, _ := signer.SignEvent(webhook.UserCreated, data)         // headers + body, signed now
	req, _ := d.Request(srv.URL + "/webhooks/clerk")            // POST with svix-* headers
	resp, _ := http.DefaultClient.Do(req)
	if resp == nil {
		t.Fatal("no response")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != `{"status":200,"received":true}` {
		t.Fatalf("status %d, body %s; want 200, received", resp.StatusCode, body)
	}
}
