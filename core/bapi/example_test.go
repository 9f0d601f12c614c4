package bapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core/bapi"
)

// A stand-in for api.clerk.com: one user, a 404 for anything else.
func fakeClerk() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/users/user_123":
			json.NewEncoder(w).Encode(map[string]any{"id": "user_123", "first_name": "Ada"})
		case "/v1/users":
			json.NewEncoder(w).Encode([]map[string]any{{"id": "user_123"}, {"id": "user_456"}})
		default:
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{
				"errors": []map[string]any{{"code": "resource_not_found", "message": "not found"}},
			})
		}
	}))
}

func Example() {
	srv := fakeClerk()
	defer srv.Close()

	// In production: bapi.NewClient(os.Getenv("CLERK_SECRET_KEY")).
	client, err := bapi.NewClient("sk_test_example", bapi.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	user, resp, err := client.Users.Get(ctx, "user_123")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, user.ID, *user.FirstName)

	_, _, err = client.Users.Get(ctx, "user_missing")
	fmt.Println("not found:", bapi.IsNotFound(err))

	for u, err := range client.Users.ListAll(ctx, &bapi.GetUserListParams{Limit: 10}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("listed", u.ID)
	}
	// Output:
	// 200 user_123 Ada
	// not found: true
	// listed user_123
	// listed user_456
}
