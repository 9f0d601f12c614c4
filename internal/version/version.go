// Package version holds the release version of the clerkgo modules.
package version

import "runtime/debug"

// Version is the release of this library. It is bumped with each tag; when the
// library is used as a dependency, [String] prefers the version the Go build
// recorded for the module.
const Version = "0.2.0"

// String returns the library version: the module version from the build
// information when clerkgo is a dependency, else [Version].
func String() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/clerkgo/clerk" && dep.Version != "" && dep.Version != "(devel)" {
				if dep.Replace == nil {
					return dep.Version
				}
			}
		}
	}
	return Version
}
