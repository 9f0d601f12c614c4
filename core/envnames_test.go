package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// TestEnvNamesListsEveryVariable: EnvNames names every Env* constant of
// env.go, so tests that clear the Clerk environment clear all of it.
func TestEnvNamesListsEveryVariable(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "env.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			for i, name := range spec.(*ast.ValueSpec).Names {
				if strings.HasPrefix(name.Name, "Env") {
					lit := spec.(*ast.ValueSpec).Values[i].(*ast.BasicLit).Value
					consts = append(consts, strings.Trim(lit, `"`))
				}
			}
		}
	}
	names := EnvNames()
	slices.Sort(consts)
	slices.Sort(names)
	if !slices.Equal(consts, names) {
		t.Errorf("EnvNames() = %v, env.go declares %v", names, consts)
	}
}
