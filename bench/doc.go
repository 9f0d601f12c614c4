// Package bench compares clerkgo with the libraries around it: the official
// Clerk Go SDK (github.com/clerk/clerk-sdk-go/v2), auth0's go-jwt-middleware,
// and the JWT middlewares of Echo and Fiber. Everything lives in the tests:
//
//	go test -run '^$' -bench . -benchmem    # the benchmarks
//	go test ./...                           # the key-fetch correctness tests
//	./run.sh                                # the full suite, results/RESULTS.md
//
// Every benchmark verifies the same RSA-2048 Clerk-shaped session token
// minted by the fake Clerk of core/clerktest, with warm key caches and the
// user fetch off. The peer libraries are dependencies of this module only;
// the library modules never import them.
package bench
