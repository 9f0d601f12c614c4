package clerkref

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var (
	update = flag.Bool("update", false, "rewrite "+tableFile+" and the case IDs of "+verdictsFile+" from this run")
	dump   = flag.String("dump", "", "write every case's two outcomes to this file (JSON lines), agreements included")
)

// anchors are cases whose verdict is known on both sides. They keep the
// comparison honest: a harness that rejected (or accepted) everything, or a
// clerkgo adapter that stopped verifying, fails here instead of producing a
// table of disagreements.
var anchors = map[string]bool{
	"header/baseline":      true,
	"claims/baseline":      true,
	"cookie/uat=older":     true,
	"verifyToken/baseline": true,
	// The valid controls next to the encoding variants.
	"encoding/alphabet=url-payload-control":  true,
	"encoding/trailing-bits=payload-control": true,
	"encoding/whitespace=control":            true,
	"signature/other-key":                    false,
	"signature/bit-flipped":                  false,
	"time/exp=now-6":                         false,
	"cookie/none":                            false,
}

// pageAnchors are page cases whose status is known on both sides.
var pageAnchors = map[string]string{
	"page-live/valid":                "signed-in",
	"page-live/no-cookies":           "signed-out",
	"page-live/expired,refresh=none": "handshake",
	"page-live/expired,refresh=ok":   "signed-in",
	"page-live/nonce=signed-in":      "signed-in",
	"page-test/valid":                "signed-in",
	"page-test/dev-browser=missing":  "handshake",
	"page-test/expired,refresh=none": "handshake",
	// The multi-domain cases (pages_domains.go): a configuration that
	// one side dropped would turn these around.
	"satellite-live/no-cookies":         "signed-out",
	"satellite-live/synced=false":       "handshake",
	"satellite-live/valid":              "signed-in",
	"satellite-test/synced=false":       "handshake",
	"sync-test/redirect-url":            "handshake",
	"sync-test/redirect-url,fetch":      "signed-out",
	"referrer-live/referer=satellite":   "handshake",
	"referrer-live/referer=same-origin": "signed-in",
	"orgsync-live/path=/orgs/acme":      "signed-in",
	"orgsync-live/path=/orgs/beta":      "handshake",
	"proxy-live/expired":                "handshake",
}

// pageLocationAnchors are page cases whose Location is known to start so
// on both sides: where the handshake or the sync redirect goes.
var pageLocationAnchors = map[string]string{
	"satellite-live/synced=false":       "https://clerk." + satDomain + "/v1/client/handshake?",
	"satellite-test/synced=false":       primarySignIn + "&__clerk_redirect_url=",
	"sync-test/redirect-url":            "http://sat.example/dashboard?tab=2&__clerk_synced=true&__clerk_db_jwt=",
	"proxy-live/expired":                appProxyURL + "/v1/client/handshake?",
	"proxy-live/other-host,expired":     otherProxyURL + "/v1/client/handshake?",
	"proxy-live/satellite,synced=false": satProxyURL + "/v1/client/handshake?",
	"proxy-test/satellite,expired":      satProxyURL + "/v1/client/handshake?",
}

// TestReference runs every generated case through @clerk/backend and
// through clerkgo and checks the disagreements against verdicts.json.
func TestReference(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h, err := findHarness(ctx, "node")
	if errors.Is(err, errUnavailable) {
		t.Skipf("SKIPPED: differential test against @clerk/backend %s not run: %v", ClerkBackendVersion, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := generate(e)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := newPageInstances(ctx, e)
	for _, in := range ins {
		t.Cleanup(in.fake.Close)
	}
	if err != nil {
		t.Fatal(err)
	}
	pages, err := generatePages(ctx, e, ins)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, pages...)
	byName := map[string]*pageInstance{}
	for _, in := range ins {
		byName[in.name] = in
	}
	norm := newNormalizer(e, ins)
	clerk, err := h.run(ctx, e, harnessInstances(ins), cases, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	var ds []disagreement
	var unmapped []string
	var all bytes.Buffer
	for _, tc := range cases {
		c, ok := clerk[tc.ID]
		if !ok {
			t.Fatalf("the harness gave no verdict for %s", tc.ID)
		}
		var ours outcome
		if tc.Mode == "page" {
			ours = clerkgoPage(ctx, e, byName[tc.Instance], tc)
		} else {
			ours = clerkgoOutcome(ctx, e, tc)
		}
		if *dump != "" {
			line, _ := json.Marshal(struct {
				ID             string
				Clerk, Clerkgo outcome
			}{tc.ID, c, ours})
			all.Write(append(line, '\n'))
		}
		if want, isAnchor := anchors[tc.ID]; isAnchor && (c.Accepted != want || ours.Accepted != want) {
			t.Fatalf("anchor case %s: want accepted=%v on both sides, got Clerk %+v, clerkgo %+v", tc.ID, want, c, ours)
		}
		if want, isAnchor := pageAnchors[tc.ID]; isAnchor && (c.Page == nil || ours.Page == nil || c.Page.Status != want || ours.Page.Status != want) {
			t.Fatalf("anchor page case %s: want %s on both sides, got Clerk %+v, clerkgo %+v", tc.ID, want, c.Page, ours.Page)
		}
		if want, isAnchor := pageLocationAnchors[tc.ID]; isAnchor && (c.Page == nil || ours.Page == nil || !strings.HasPrefix(c.Page.Location, want) || !strings.HasPrefix(ours.Page.Location, want)) {
			t.Fatalf("anchor page case %s: want a Location starting %s on both sides, got Clerk %+v, clerkgo %+v", tc.ID, want, c.Page, ours.Page)
		}
		var d *disagreement
		if tc.Mode == "page" {
			d, err = norm.comparePage(tc, c, ours)
		} else {
			d, err = compare(tc, c, ours)
		}
		var um *errUnmappedReason
		if errors.As(err, &um) {
			unmapped = append(unmapped, err.Error())
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if d != nil {
			ds = append(ds, *d)
		}
	}
	if *dump != "" {
		if err := os.WriteFile(*dump, all.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(unmapped) > 0 {
		t.Fatalf("%d Clerk reasons are not mapped:\n%s", len(unmapped), strings.Join(unmapped, "\n"))
	}
	t.Logf("%d cases, %d disagreements with @clerk/backend %s", len(cases), len(ds), ClerkBackendVersion)

	v, err := loadVerdicts(verdictsFile)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		v = v.updated(ds)
		if err := os.WriteFile(verdictsFile, v.encode(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(tableFile, renderTable(len(cases), ds, v), 0o644); err != nil {
			t.Fatal(err)
		}
		if c := checkVerdicts(ds, v); len(c.Todo) > 0 {
			t.Logf("wrote %s and %s; %d disagreements still need a verdict (marked TODO in %s)", tableFile, verdictsFile, len(c.Todo), verdictsFile)
		}
		return
	}

	c := checkVerdicts(ds, v)
	for _, id := range c.New {
		d := find(ds, id)
		t.Errorf("new disagreement %s (%s): Clerk %s, clerkgo %s; it has no verdict in %s", id, d.Kind, d.Clerk, d.Clerkgo, verdictsFile)
	}
	for _, id := range c.Stale {
		t.Errorf("stale verdict %s: the verifiers now agree on it; drop it from %s", id, verdictsFile)
	}
	for _, id := range c.Todo {
		t.Errorf("disagreement %s is not judged yet: replace %q in %s", id, v[id], verdictsFile)
	}
	if !c.ok() {
		t.Errorf("to regenerate %s and add or drop the case IDs of %s: %s; then judge each TODO row in %s", tableFile, verdictsFile, regenerate, verdictsFile)
		return
	}
	got, err := os.ReadFile(tableFile)
	if err != nil || !bytes.Equal(got, renderTable(len(cases), ds, v)) {
		t.Errorf("%s is out of date (a verdict or a rendered verdict changed); regenerate it: %s", tableFile, regenerate)
	}
}

func find(ds []disagreement, id string) disagreement {
	for _, d := range ds {
		if d.ID == id {
			return d
		}
	}
	return disagreement{}
}
