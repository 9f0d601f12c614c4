package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoName(t *testing.T) {
	tests := map[string]string{
		"user_id":                 "UserID",
		"JWKS.rsa.PublicKey":      "JWKSRSAPublicKey",
		"verification_otp":        "VerificationOTP",
		"CommercePlan-2":          "CommercePlan2",
		"x5t#S256":                "X5tS256",
		"createApiKey":            "CreateAPIKey",
		"OAuthApplication":        "OAuthApplication",
		"SCIMDirectory":           "SCIMDirectory",
		"redirect_urls":           "RedirectURLs",
		"m2m_tokens":              "M2MTokens",
		"2fa":                     "X2fa",
		"web3_wallet":             "Web3Wallet",
		"frontendApi":             "FrontendAPI",
		"Allow-list / Block-list": "AllowListBlockList",
	}
	for in, want := range tests {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	lower := map[string]string{"user_id": "userID", "id": "id", "type": "typeArg", "apiKeyID": "apiKeyID", "role_set_key_or_id": "roleSetKeyOrID"}
	for in, want := range lower {
		if got := lowerName(in); got != want {
			t.Errorf("lowerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGeneratedCodeIsUpToDate regenerates the client into a temporary
// directory and compares it with the committed files.
func TestGeneratedCodeIsUpToDate(t *testing.T) {
	spec := os.Getenv("CLERK_BAPI_SPEC")
	if spec == "" {
		spec = "../../../shared/clerk-bapi-2026-05-12.yml"
	}
	if _, err := os.Stat(spec); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("spec not found at %s: %v", spec, err)
		}
		t.Skipf("spec not found at %s; skipping", spec)
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls_gen.go")
	if err := run(spec, dir, calls); err != nil {
		t.Fatal(err)
	}
	// Every generated file of core/bapi, both ways: none stale, none
	// missing, none left over from a service the spec lost.
	generated, err := filepath.Glob(filepath.Join(dir, "*_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := filepath.Glob("../../core/bapi/*_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	committed = append(committed, "../bapiconformance/calls_gen.go")
	if len(generated) != len(committed) {
		t.Errorf("generated %d files, committed %d: run go generate ./core/bapi", len(generated), len(committed))
	}
	for _, path := range committed {
		want, err := os.ReadFile(filepath.Join(dir, filepath.Base(path)))
		if err != nil {
			t.Errorf("%s is not generated any more (%v): run go generate ./core/bapi", path, err)
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./core/bapi", path)
		}
	}
}

// TestServiceFile: one file per service, named for it.
func TestServiceFile(t *testing.T) {
	for name, want := range map[string]string{
		"Users":             "service_users_gen.go",
		"OAuthApplications": "service_oauth_applications_gen.go",
		"M2MTokens":         "service_m2m_tokens_gen.go",
		"JWKS":              "service_jwks_gen.go",
		"APIKeys":           "service_api_keys_gen.go",
		"SCIMDirectories":   "service_scim_directories_gen.go",
		"RedirectURLs":      "service_redirect_urls_gen.go",
	} {
		if got := serviceFile(&service{Name: name}); got != want {
			t.Errorf("serviceFile(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestPathParamGuard: every path parameter is checked before the request is
// built, against "", "." and ".." (validPathParam in core/bapi), since a dot
// segment would address another endpoint.
func TestPathParamGuard(t *testing.T) {
	m := &method{
		Service: "OrganizationMemberships", Name: "Delete", OperationID: "deleteOrganizationMembership",
		HTTPMethod: "DELETE", Path: "/organizations/{organization_id}/memberships/{user_id}",
		PathParams: []pathParam{{Name: "organization_id", Arg: "organizationID"}, {Name: "user_id", Arg: "userID"}},
		Result:     "*OrganizationMembership",
	}
	var b strings.Builder
	(&generator{}).writeMethod(&b, &service{Name: "OrganizationMemberships"}, m)
	src := b.String()
	for _, want := range []string{
		"\tif !validPathParam(organizationID) {\n\t\treturn nil, nil, errPathParam(\"OrganizationMemberships.Delete\", \"organizationID\")\n\t}\n",
		"\tif !validPathParam(userID) {\n\t\treturn nil, nil, errPathParam(\"OrganizationMemberships.Delete\", \"userID\")\n\t}\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated method lacks\n%s\ngot:\n%s", want, src)
		}
	}
	if strings.Index(src, "validPathParam") > strings.Index(src, "newRequest") {
		t.Error("the guard comes after the request is built")
	}
}
