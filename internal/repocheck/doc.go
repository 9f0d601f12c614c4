// Package repocheck holds the repository's own consistency tests, run with
// the root module's tests: the modules of a release agree on one version;
// the adapters share one set of exported names and one file layout;
// every relative link of the README and docs/ resolves and every docs page
// is linked; every Go snippet of the README is a piece of a runnable
// Example. It has no API.
package repocheck
