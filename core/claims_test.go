package core

import "testing"

// TestParseClaimsAllocations keeps a Clerk session's claims (v2
// organization, factor ages) to one allocation for the Claims and the
// parts they point to, plus the organization's role and permissions.
func TestParseClaimsAllocations(t *testing.T) {
	const payload = `{"azp":"https://example.com","exp":1800000060,"fea":"o:invoices","fva":[0,-1],"iat":1800000000,` +
		`"iss":"https://clerk.example.com","o":{"fpm":"1","id":"org_1","per":"read","rol":"admin","slg":"acme"},` +
		`"sid":"sess_1","sts":"active","sub":"user_1","v":2}`
	var c *Claims
	allocs := testing.AllocsPerRun(100, func() {
		var r Reason
		if c, r, _ = parseClaims(payload); r != "" {
			t.Fatal(r)
		}
	})
	if c.Org == nil || c.Org.Role != "org:admin" || len(c.Org.Permissions) != 1 || c.FactorAge == nil || c.FactorAge.Second != -1 {
		t.Fatalf("claims %+v, org %+v, fva %+v", c, c.Org, c.FactorAge)
	}
	if allocs > 4 {
		t.Fatalf("parseClaims: %v allocations, want <= 4", allocs)
	}
}
