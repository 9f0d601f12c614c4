// Command bapigen generates the typed Clerk Backend API client of
// github.com/clerkgo/clerk/core/bapi from Clerk's OpenAPI document.
//
// Usage (normally through go generate in core/bapi):
//
//	bapigen -spec path/to/clerk-bapi.yml -out . -calls ../../tools/bapiconformance/calls_gen.go
//
// The environment variable CLERK_BAPI_SPEC, when set, overrides -spec.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	spec := flag.String("spec", "../../../shared/clerk-bapi-2026-05-12.yml", "path of the OpenAPI document")
	out := flag.String("out", ".", "directory of the bapi package")
	calls := flag.String("calls", "", "file to write the conformance call table to (optional)")
	flag.Parse()
	if env := os.Getenv("CLERK_BAPI_SPEC"); env != "" {
		*spec = env
	}
	if err := run(*spec, *out, *calls); err != nil {
		fmt.Fprintln(os.Stderr, "bapigen:", err)
		os.Exit(1)
	}
}

func run(specPath, outDir, callsPath string) error {
	s, err := loadSpec(specPath)
	if err != nil {
		return err
	}
	g := newGenerator(s)
	if err := g.run(); err != nil {
		return err
	}
	v := s.Info.Version
	files := []genFile{
		{filepath.Join(outDir, "models_gen.go"), "bapi", []string{"encoding/json"}, g.models()},
		{filepath.Join(outDir, "params_gen.go"), "bapi", []string{"net/url", "strconv"}, g.params()},
		{filepath.Join(outDir, "services_gen.go"), "bapi", nil, g.servicesIndex()},
	}
	for _, svc := range g.sortedServices() {
		files = append(files, genFile{filepath.Join(outDir, serviceFile(svc)), "bapi", []string{"context", "iter", "net/http"}, g.serviceCode(svc)})
	}
	if err := removeStale(outDir, files); err != nil {
		return err
	}
	if callsPath != "" {
		files = append(files, genFile{callsPath, "bapiconformance", []string{"context", "net/http", "github.com/clerkgo/clerk/core/bapi"}, g.calls()})
	}
	for _, f := range files {
		src, err := file(f.pkg, v, f.imports, f.body)
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		if err := os.WriteFile(f.path, src, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("bapigen: %d operations, %d services, %d types\n", len(g.methods), len(g.services), len(g.reg.order))
	return nil
}

// genFile is one file the generator writes.
type genFile struct {
	path    string
	pkg     string
	imports []string
	body    string
}

// removeStale deletes the service files of outDir that this run does not
// write (a tag the spec no longer has), so the package never keeps a
// service the spec lost.
func removeStale(outDir string, files []genFile) error {
	keep := map[string]bool{}
	for _, f := range files {
		keep[filepath.Base(f.path)] = true
	}
	old, err := filepath.Glob(filepath.Join(outDir, "service_*_gen.go"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if !keep[filepath.Base(path)] {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}
