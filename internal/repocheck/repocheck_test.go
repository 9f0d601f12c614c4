package repocheck

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/internal/version"
)

// root is the repository root, from this package's directory.
const root = "../.."

// adapters are the framework modules, and the exported names only one of
// them has (its framework's skip convention).
var adapters = map[string][]string{
	"chiclerk":    nil,
	"ginclerk":    nil,
	"echoclerk":   {"Skipper"},
	"echo5clerk":  {"Skipper"},
	"fiberclerk":  {"Next"},
	"fiber3clerk": {"Next"},
}

// goMods returns the go.mod files of the repository (not under node_modules
// or testdata).
func goMods(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && p != root)) {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var requireLine = regexp.MustCompile(`^\s*(?:require\s+)?(github\.com/clerkgo/clerk(?:/[A-Za-z0-9_./-]+)?)\s+(v\S+)`)

// TestModuleVersionsAgree: every module of the repository requires the
// others at the release version of internal/version, and the changelog has
// a section for it (scripts/release.sh VERSION keeps them so).
func TestModuleVersionsAgree(t *testing.T) {
	want := "v" + version.Version
	for _, mod := range goMods(t) {
		f, err := os.Open(mod)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if strings.HasPrefix(strings.TrimSpace(sc.Text()), "module ") {
				continue
			}
			if m := requireLine.FindStringSubmatch(sc.Text()); m != nil && m[2] != want {
				t.Errorf("%s:%d requires %s %s, want %s (run scripts/release.sh %s)", mod, n, m[1], m[2], want, version.Version)
			}
		}
		f.Close()
	}
	// Every adapter is a module of the release, so the loop above held it
	// to the version: a missing go.mod must not skip it silently.
	for dir := range adapters {
		b, err := os.ReadFile(filepath.Join(root, dir, "go.mod"))
		if err != nil {
			t.Errorf("adapter %s: %v", dir, err)
			continue
		}
		if !strings.Contains(string(b), "module github.com/clerkgo/clerk/"+dir+"\n") {
			t.Errorf("adapter %s: go.mod does not declare module github.com/clerkgo/clerk/%s", dir, dir)
		}
		if !strings.Contains(string(b), "github.com/clerkgo/clerk "+want+"\n") {
			t.Errorf("adapter %s: go.mod does not require github.com/clerkgo/clerk %s", dir, want)
		}
	}
	changelog, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(changelog), "## ["+version.Version+"]") {
		t.Errorf("CHANGELOG.md has no section for %s", version.Version)
	}
}

// exported returns the exported top-level names of the non-test files of
// an adapter, with the file declaring each.
func exported(t *testing.T, dir string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := parseDir(fset, filepath.Join(root, dir), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	{
		for path, f := range files {
			file := filepath.Base(path)
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil && d.Name.IsExported() {
						names[d.Name.Name] = file
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								names[s.Name.Name] = file
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									names[n.Name] = file
								}
							}
						}
					}
				}
			}
		}
	}
	return names
}

// parseDir parses the Go files of dir: its tests, or its other files.
func parseDir(fset *token.FileSet, dir string, tests bool, mode parser.Mode) (map[string]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string]*ast.File{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") != tests {
			continue
		}
		path := filepath.Join(dir, name)
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return nil, err
		}
		files[path] = f
	}
	return files, nil
}

// layout says in which file each exported name of an adapter lives.
var layout = map[string]string{
	"Middleware": "middleware.go", "New": "middleware.go",
	"Option": "options.go", "WithClient": "options.go", "ClientFunc": "options.go", "FetchUser": "options.go",
	"SessionKey": "options.go", "Optional": "options.go", "AcceptsToken": "options.go", "TokenFrom": "options.go",
	"SkipOptions": "options.go", "ErrorHandler": "options.go", "Skipper": "options.go", "Next": "options.go",
	"BrowserPages": "options.go", "SignInRedirect": "options.go", "TrustForwardedHeaders": "options.go", "OrganizationSync": "options.go",
	"Auth": "context.go", "User": "context.go", "Session": "context.go",
	"Require": "require.go",
	"Webhook": "webhook.go", "NewWebhook": "webhook.go",
	"FrontendAPIProxy": "proxy.go", "NewFrontendAPIProxy": "proxy.go",
}

// TestAdaptersShareNamesAndLayout: the adapters export the same names
// (but for their framework's skip option), each in the same file, and have
// the same files: doc, options, middleware, context, require, webhook.
func TestAdaptersShareNamesAndLayout(t *testing.T) {
	var common []string
	for dir, extra := range adapters {
		names := exported(t, dir)
		var own []string
		for n, file := range names {
			if want, ok := layout[n]; !ok {
				t.Errorf("%s exports %s, which the layout does not know", dir, n)
			} else if file != want {
				t.Errorf("%s declares %s in %s, want %s", dir, n, file, want)
			}
			if !slices.Contains(extra, n) {
				own = append(own, n)
			}
		}
		for _, n := range extra {
			if _, ok := names[n]; !ok {
				t.Errorf("%s lacks its framework option %s", dir, n)
			}
		}
		sort.Strings(own)
		if common == nil {
			common = own
		} else if !slices.Equal(common, own) {
			t.Errorf("%s exports %v, another adapter %v", dir, own, common)
		}
		for _, f := range []string{"doc.go", "options.go", "middleware.go", "context.go", "require.go", "webhook.go"} {
			if _, err := os.Stat(filepath.Join(root, dir, f)); err != nil {
				t.Errorf("%s has no %s", dir, f)
			}
		}
	}
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
)

// slug is GitHub's anchor of a heading.
func slug(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func docs(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("docs pages: %v %v", pages, err)
	}
	return pages
}

// TestDocsLinks: every relative link of the README, the docs pages and the
// project's other Markdown files resolves (anchors included), and the
// README links every docs page.
func TestDocsLinks(t *testing.T) {
	files := append([]string{filepath.Join(root, "README.md"), filepath.Join(root, "CONTRIBUTING.md"), filepath.Join(root, "SECURITY.md"), filepath.Join(root, "CHANGELOG.md")}, docs(t)...)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			target, anchor, _ := strings.Cut(link, "#")
			path := file
			if target != "" {
				path = filepath.Join(filepath.Dir(file), target)
			}
			body, err := os.ReadFile(path)
			if err != nil {
				if fi, serr := os.Stat(path); serr == nil && fi.IsDir() && anchor == "" {
					continue
				}
				t.Errorf("%s: link %s: no such file", file, link)
				continue
			}
			if anchor == "" {
				continue
			}
			found := false
			for _, h := range mdHeading.FindAllStringSubmatch(string(body), -1) {
				if slug(h[1]) == anchor {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: link %s: no such heading", file, link)
			}
		}
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	for _, page := range docs(t) {
		if !strings.Contains(string(readme), "](docs/"+filepath.Base(page)) {
			t.Errorf("README.md does not link %s", filepath.Base(page))
		}
	}
	if n := strings.Count(string(readme), "\n"); n > 320 {
		t.Errorf("README.md has %d lines; keep it to about 300 and move details to docs/", n)
	}
}

var exampleMarker = regexp.MustCompile(`^<!-- example: (\S+) (Example\w*) -->$`)

// uncheckedMarker marked the docs snippets that were not yet pieces of
// Examples. None is left, and there is no allowance any more: the marker is
// still recognised, so that a snippet carrying it fails with its own message.
const uncheckedMarker = "<!-- unchecked: not yet a piece of an Example -->"

// TestSnippets: every Go snippet of the README and of docs/*.md follows a
// marker <!-- example: DIR ExampleName --> and is a contiguous piece of that
// Example's body, or of the test file that holds it (a declaration the
// Example uses), so it compiles and runs (with its // Output: checked) under
// go test in DIR. A snippet without a marker, or one that is no piece of its
// Example, fails and names the Examples that do contain it, if any; so does
// one marked with the old uncheckedMarker (there is no allowance for those).
func TestSnippets(t *testing.T) {
	pages := append([]string{filepath.Join(root, "README.md")}, docs(t)...)
	var all []example // every Example of the repository, read once on a failure
	for _, page := range pages {
		rel, _ := filepath.Rel(root, page)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			for _, sn := range goSnippets(string(b)) {
				if sn.unchecked {
					t.Errorf("%s:%d: %s: every snippet is a piece of an Example; mark it <!-- example: DIR ExampleName -->", rel, sn.line, uncheckedMarker)
					continue
				}
				if sn.dir == "" {
					if all == nil {
						all = examples(t)
					}
					t.Errorf("%s:%d: a Go snippet without a <!-- example: DIR ExampleName --> marker%s", rel, sn.line, suggest(all, sn.lines))
					continue
				}
				if err := inExample(sn.dir, sn.name, sn.lines); err != nil {
					if all == nil {
						all = examples(t)
					}
					t.Errorf("%s:%d: %v%s", rel, sn.line, err, suggest(all, sn.lines))
				}
			}
		})
	}
}

// TestSnippetsFound: the README has Go snippets, and goSnippets reads a
// marked, an unmarked and an unchecked one.
func TestSnippetsFound(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(goSnippets(string(b))) == 0 {
		t.Error("the README has no Go snippet")
	}
	md := "text\n\n<!-- example: core Example -->\n```go\na := 1\n```\n\n```go\nb := 2\n```\n" + uncheckedMarker + "\n```go\nc := 3\n```\n"
	got := goSnippets(md)
	want := []snippet{
		{line: 4, dir: "core", name: "Example", lines: []string{"a := 1"}},
		{line: 8, lines: []string{"b := 2"}},
		{line: 12, unchecked: true, lines: []string{"c := 3"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("goSnippets = %v, want %v", got, want)
	}
}

// snippet is one Go code block of a Markdown page.
type snippet struct {
	line      int    // of the opening fence, 1-based
	dir, name string // of the marker; "" when unmarked
	unchecked bool   // marked with uncheckedMarker
	lines     []string
}

// goSnippets returns the Go code blocks of a Markdown page, with the marker
// on one of the two lines above each.
func goSnippets(md string) []snippet {
	lines := strings.Split(md, "\n")
	var out []snippet
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		end := i + 1
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		sn := snippet{line: i + 1, lines: lines[i+1 : end]}
		for j := i - 1; j >= 0 && j >= i-2; j-- {
			if m := exampleMarker.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				sn.dir, sn.name = m[1], m[2]
				break
			}
			if strings.TrimSpace(lines[j]) == uncheckedMarker {
				sn.unchecked = true
				break
			}
		}
		out = append(out, sn)
		i = end
	}
	return out
}

// inExample checks that snippet occurs, line for line (leading white space
// aside), in the body of the named Example of dir's tests, or in the file
// that holds it.
func inExample(dir, name string, snippet []string) error {
	fset := token.NewFileSet()
	files, err := parseDir(fset, filepath.Join(root, dir), true, parser.ParseComments)
	if err != nil {
		return err
	}
	for path, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Name.Name != name || fn.Body == nil {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			body := string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset])
			if !containsLines(strings.Split(body, "\n"), snippet) && !containsLines(strings.Split(string(src), "\n"), snippet) {
				return fmt.Errorf("the snippet is not a piece of %s in %s, nor of its file", name, dir)
			}
			return nil
		}
	}
	return fmt.Errorf("no %s in the tests of %s", name, dir)
}

// example is one runnable Example of the repository: its directory
// (relative to the root), name, body and file.
type example struct {
	dir, name  string
	body, file []string
}

// examples reads every Example function of the repository's test files.
func examples(t *testing.T) []example {
	t.Helper()
	var out []example
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" || d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && p != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, 0)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && strings.HasPrefix(fn.Name.Name, "Example") && fn.Body != nil {
				body := string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset])
				out = append(out, example{dir: filepath.ToSlash(dir), name: fn.Name.Name, body: strings.Split(body, "\n"), file: strings.Split(string(src), "\n")})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// suggest names the Examples that hold snippet, for an error message.
func suggest(all []example, snippet []string) string {
	var in []string
	for _, e := range all {
		if containsLines(e.body, snippet) || containsLines(e.file, snippet) {
			in = append(in, "<!-- example: "+e.dir+" "+e.name+" -->")
		}
	}
	if len(in) == 0 {
		return " (no Example holds it: add one, or make the snippet a piece of one)"
	}
	if len(in) > 3 {
		in = in[:3]
	}
	return " (it is a piece of: " + strings.Join(in, ", ") + ")"
}

func containsLines(body, snippet []string) bool {
	norm := func(ls []string) []string {
		out := make([]string, 0, len(ls))
		for _, l := range ls {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	b, s := norm(body), norm(snippet)
	if len(s) == 0 {
		return false
	}
	for i := 0; i+len(s) <= len(b); i++ {
		if slices.Equal(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}
