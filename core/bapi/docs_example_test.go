package bapi_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/clerkgo/clerk/core/bapi"
)

// The snippets of docs/api-client.md, compiled by go test (not run: they
// call api.clerk.com with the key of the environment).

// ErrNoSuchUser is what getUser returns for a user Clerk does not know.
var ErrNoSuchUser = errors.New("no such user")

// apiClientDoc holds the snippets of docs/api-client.md, in order.
func apiClientDoc(ctx context.Context, userID, orgID string) error {
	client, err := bapi.NewClient(os.Getenv("CLERK_SECRET_KEY"))
	if err != nil {
		return err // an empty key, a bad option, ...; never contains the key
	}
	defer client.Close()

	user, resp, err := client.Users.Get(ctx, "user_2abc")
	if err != nil {
		return err
	}
	fmt.Println(resp.StatusCode, resp.TraceID, user.ID)

	keys, _, err := client.JWKS.Get(ctx) // keys.Keys[i].Kid, .Kty, .Alg, .N, .E
	if err != nil {
		return err
	}
	fmt.Println(len(keys.Keys))

	// Clear the last name, set the first name, leave everything else alone.
	_, _, err = client.Users.Update(ctx, userID, &bapi.UpdateUserParams{
		FirstName: bapi.Value("Ada"),
		LastName:  bapi.Null[string](),
	})
	if err != nil {
		return err
	}

	org, _, err := client.Organizations.Create(ctx, &bapi.CreateOrganizationParams{
		Name:      "Acme",
		CreatedBy: bapi.Value(userID),
		Slug:      bapi.Value("acme"),
	})
	if err != nil {
		return err
	}

	f, err := os.Open("logo.png")
	if err != nil {
		return err
	}
	defer f.Close()
	_, _, err = client.Organizations.UploadLogo(ctx, org.ID, &bapi.UploadOrganizationLogoParams{
		File: &bapi.File{Name: "logo.png", ContentType: "image/png", Reader: f},
	})
	if err != nil {
		return err
	}

	for user, err := range client.Users.ListAll(ctx, &bapi.GetUserListParams{
		OrganizationID: []string{orgID},
		OrderBy:        "-created_at",
	}) {
		if err != nil {
			return err
		}
		fmt.Println(user.ID)
	}
	return nil
}

// getUser is the error handling of docs/api-client.md: a 404 and a 429.
func getUser(ctx context.Context, client *bapi.Client, userID string) (*bapi.User, error) {
	user, _, err := client.Users.Get(ctx, userID)
	switch {
	case bapi.IsNotFound(err):
		return nil, ErrNoSuchUser
	case bapi.IsRateLimited(err):
		var apiErr *bapi.Error
		errors.As(err, &apiErr)
		return nil, fmt.Errorf("rate limited by Clerk, retry in %s: %w", apiErr.RetryAfter, err)
	case err != nil:
		return nil, err
	}
	return user, nil
}

// Example_apiClient is docs/api-client.md: a client from the environment,
// a call, a PATCH, an upload, a list and the errors.
func Example_apiClient() {
	ctx := context.Background()
	if err := apiClientDoc(ctx, "user_2abc", "org_2abc"); err != nil {
		log.Fatal(err)
	}
	client, err := bapi.NewClient(os.Getenv("CLERK_SECRET_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	user, err := getUser(ctx, client, "user_2abc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.DisplayName())
}

// Example_apiClientErrors runs getUser against a stand-in for Clerk: a
// known user, then a 404 that becomes the application's own error.
func Example_apiClientErrors() {
	srv := fakeClerk()
	defer srv.Close()
	client, err := bapi.NewClient("sk_test_example", bapi.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	user, err := getUser(ctx, client, "user_123")
	fmt.Println(user.ID, err)
	_, err = getUser(ctx, client, "user_missing")
	fmt.Println(errors.Is(err, ErrNoSuchUser))
	// Output:
	// user_123 <nil>
	// true
}
