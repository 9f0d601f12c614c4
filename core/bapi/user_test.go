package bapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/clerkgo/clerk/core/bapi"
)

// TestUserDisplayName: a display name for any user Clerk returns, decoded
// from its JSON, and for a nil *User, without a panic. Dereferencing
// FirstName (what the README once did) panics on the users without one.
func TestUserDisplayName(t *testing.T) {
	for _, tt := range []struct {
		name, json, want, email string
	}{
		{"first and last", `{"id":"user_1","first_name":"Ada","last_name":"Lovelace"}`, "Ada Lovelace", ""},
		{"first only", `{"id":"user_1","first_name":"Ada","last_name":null}`, "Ada", ""},
		{"last only", `{"id":"user_1","last_name":"Lovelace"}`, "Lovelace", ""},
		{"blank names", `{"id":"user_1","first_name":" ","last_name":"","username":"ada"}`, "ada", ""},
		{"username", `{"id":"user_1","first_name":null,"username":"ada"}`, "ada", ""},
		{"primary email", `{"id":"user_1","primary_email_address_id":"idn_2","email_addresses":[
			{"id":"idn_1","object":"email_address","email_address":"old@example.com"},
			{"id":"idn_2","object":"email_address","email_address":"ada@example.com"}]}`, "ada@example.com", "ada@example.com"},
		{"email that is not primary", `{"id":"user_1","email_addresses":[{"id":"idn_1","object":"email_address","email_address":"a@example.com"}]}`, "user_1", ""},
		{"primary id without its entry", `{"id":"user_1","primary_email_address_id":"idn_9","email_addresses":[{"object":"email_address","email_address":"a@example.com"}]}`, "user_1", ""},
		{"nothing but the id", `{"id":"user_1"}`, "user_1", ""},
		{"empty object", `{}`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var u bapi.User
			if err := json.Unmarshal([]byte(tt.json), &u); err != nil {
				t.Fatal(err)
			}
			if got := u.DisplayName(); got != tt.want {
				t.Errorf("DisplayName() = %q, want %q", got, tt.want)
			}
			if got := u.PrimaryEmail(); got != tt.email {
				t.Errorf("PrimaryEmail() = %q, want %q", got, tt.email)
			}
		})
	}
	var none *bapi.User // no user fetched (FetchUser(false))
	if none.DisplayName() != "" || none.PrimaryEmail() != "" {
		t.Error("a nil user has a name")
	}
}

// A greeting that works for every user, fetched or not.
func ExampleUser_DisplayName() {
	var users []*bapi.User
	for _, body := range []string{
		`{"id":"user_1","first_name":"Ada","last_name":"Lovelace"}`,
		`{"id":"user_2","username":"grace"}`,
		`{"id":"user_3"}`,
	} {
		u := new(bapi.User)
		_ = json.Unmarshal([]byte(body), u)
		users = append(users, u)
	}
	users = append(users, nil) // not fetched
	for _, u := range users {
		fmt.Printf("hello %q\n", u.DisplayName())
	}
	// Output:
	// hello "Ada Lovelace"
	// hello "grace"
	// hello "user_3"
	// hello ""
}
