package core

import (
	"slices"
	"testing"
)

// TestParseClaimsAllocations keeps a Clerk session's claims (v2
// organization, factor ages) to one allocation for the Claims and the
// parts they point to, one for the organization's role and permission
// names together and one for the permission slice, whatever the number of
// permissions.
func TestParseClaimsAllocations(t *testing.T) {
	const payload = `{"azp":"https://example.com","exp":1800000060,"fea":"o:invoices,u:profile,o:billing","fva":[0,-1],"iat":1800000000,` +
		`"iss":"https://clerk.example.com","o":{"fpm":"7,5","id":"org_1","per":"read,write,manage","rol":"admin","slg":"acme"},` +
		`"sid":"sess_1","sts":"active","sub":"user_1","v":2}`
	var c *Claims
	allocs := testing.AllocsPerRun(100, func() {
		var r Reason
		if c, r, _ = parseClaims(payload); r != "" {
			t.Fatal(r)
		}
	})
	want := []string{"org:invoices:read", "org:invoices:write", "org:invoices:manage", "org:billing:read", "org:billing:manage"}
	if c.Org == nil || c.Org.Role != "org:admin" || !slices.Equal(c.Org.Permissions, want) || c.FactorAge == nil || c.FactorAge.Second != -1 {
		t.Fatalf("claims %+v, org %+v, fva %+v", c, c.Org, c.FactorAge)
	}
	if allocs > 3 {
		t.Fatalf("parseClaims: %v allocations, want <= 3", allocs)
	}
}

// TestRegisteredClaimsOneReader holds session tokens and machine JWTs to
// the same reading of the registered claims (sub, exp, iat, nbf, iss, aud):
// both parsers go through registered.read and registered.require.
func TestRegisteredClaimsOneReader(t *testing.T) {
	tests := []struct {
		payload string
		want    Reason
	}{
		{`{"sub":"user_1","exp":1800000000}`, ""},
		{`{"sub":"user_1","exp":1800000000,"iat":1,"nbf":0,"iss":"https://x","aud":["a","b"]}`, ""},
		{`{"sub":"user_1","exp":1800000000,"aud":"a"}`, ""},
		{`{"exp":1800000000}`, ReasonTokenInvalidSubject},
		{`{"sub":"","exp":1800000000}`, ReasonTokenInvalidSubject},
		{`{"sub":null,"exp":1800000000}`, ReasonTokenInvalidSubject},
		{`{"sub":7,"exp":1800000000}`, ReasonTokenInvalidSubject},
		{`{"sub":"user_1"}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":null}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":"1800000000"}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":1.5}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":-1}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":253402300800}`, ReasonTokenMissingExpiry},
		{`{"sub":"user_1","exp":1800000000,"iat":null}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000,"nbf":"0"}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000,"iss":null}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000,"aud":null}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000,"aud":[null]}`, ReasonTokenMalformed},
		{`{"sub":"user_1","sub":"user_2","exp":1800000000}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000,"x":[}`, ReasonTokenMalformed},
		{`{"sub":"user_1","exp":1800000000} {}`, ReasonTokenMalformed},
	}
	for _, tt := range tests {
		_, session, _ := parseClaims(tt.payload)
		_, machine, _ := parseMachineClaims(OAuthToken, tt.payload)
		if session != tt.want || machine != tt.want {
			t.Errorf("%s: session %q, machine %q, want %q", tt.payload, session, machine, tt.want)
		}
	}
	// M2M tokens also need a machine subject; its absence is a subject error
	// before a missing expiry, as before.
	if _, r, _ := parseMachineClaims(M2MToken, `{"sub":"user_1"}`); r != ReasonTokenInvalidSubject {
		t.Errorf("M2M token with a user subject: %q, want %q", r, ReasonTokenInvalidSubject)
	}
	if _, r, _ := parseMachineClaims(M2MToken, `{"sub":"mch_1"}`); r != ReasonTokenMissingExpiry {
		t.Errorf("M2M token without exp: %q, want %q", r, ReasonTokenMissingExpiry)
	}
}
