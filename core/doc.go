// Package core is the framework-neutral heart of clerkgo: configuration of a
// Clerk instance ([Config], [ConfigFromEnv]), token verification
// ([Authenticator], the one entry point for a request; [Client.VerifyToken]
// and [Client.VerifyMachineToken] for a token in hand) with per-instance key
// and token caches, the claims model ([Claims]) with authorization checks
// ([Check]), the user fetch ([Client.User]), and the HTTP failure contract
// ([FailureOf]) the framework adapters share.
//
// A [Client] is one Clerk instance. It shares nothing with other clients, so
// several instances (tenants) can live in one process:
//
//	client, err := core.New(core.Config{SecretKey: os.Getenv("CLERK_SECRET_KEY")})
//	if err != nil {
//		log.Fatal(err) // names the setting at fault, never its value
//	}
//	defer client.Close()
//
//	authenticator, err := core.NewAuthenticator(core.Options{Client: client})
//	if err != nil {
//		log.Fatal(err) // every configuration error surfaces here
//	}
//	auth, err := authenticator.Authenticate(r.Context(), core.HTTPRequest(r))
//	switch {
//	case errors.Is(err, core.ErrNoCredentials), errors.Is(err, core.ErrInvalidCredentials):
//		// 401: sign in (again)
//	case errors.Is(err, core.ErrUnavailable):
//		// 503: Clerk cannot be reached; not the client's fault
//	}
//
// Verification follows Clerk's reference verifier, including the checks JWT
// libraries leave out: the header's alg must be the key's, crit is refused,
// only session tokens are accepted unless a route opts into machine tokens
// ([Options].AcceptsToken), azp and iss are checked when known,
// pending sessions are signed out, and cookie tokens older than the
// __client_uat cookie are stale. Every failure is an [*Error] with a stable
// [Reason].
//
// The framework adapters (ginclerk, echoclerk, echo5clerk, chiclerk,
// fiberclerk, fiber3clerk) and mcpclerk wrap [Authenticator] or
// [Client.VerifyMachineToken]; [github.com/clerkgo/clerk/core/bapi] is the
// Backend API client, and [github.com/clerkgo/clerk/core/clerktest] a fake
// Clerk for tests.
package core
