package demotest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

// Output returns everything the demo printed so far: the banner and the
// log lines after it.
func (s *Server) Output() string { return s.out.String() }

// Post sends POST path with the headers and the body.
func (s *Server) Post(t *testing.T, path string, header http.Header, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading body: %v", path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// curlDelivery is what the banner's curl command sends.
type curlDelivery struct {
	url    string
	header http.Header
	body   []byte
}

var (
	curlStartRE  = regexp.MustCompile(`^curl -i -X POST (\S+) \\$`)
	curlHeaderRE = regexp.MustCompile(`^-H '([^':]+): ([^']*)' \\$`)
	curlDataRE   = regexp.MustCompile(`^--data-raw '([^']*)'$`)
)

// parseCurl finds the banner's webhook curl command and reads it as a
// shell would.
func parseCurl(t *testing.T, banner string) curlDelivery {
	t.Helper()
	var d curlDelivery
	lines := strings.Split(banner, "\n")
	for i, l := range lines {
		m := curlStartRE.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		d.url, d.header = m[1], http.Header{}
		for _, l := range lines[i+1:] {
			l = strings.TrimSpace(l)
			if h := curlHeaderRE.FindStringSubmatch(l); h != nil {
				d.header.Add(h[1], h[2])
				continue
			}
			if b := curlDataRE.FindStringSubmatch(l); b != nil {
				d.body = []byte(b[1])
				return d
			}
			t.Fatalf("unexpected line in the webhook curl command: %q\n%s", l, banner)
		}
	}
	t.Fatalf("banner has no webhook curl command:\n%s", banner)
	return d
}

// webhookAnswer is the JSON body of a webhook answer.
type webhookAnswer struct {
	Status    int    `json:"status"`
	Reason    string `json:"reason"`
	Received  bool   `json:"received"`
	Duplicate bool   `json:"duplicate"`
}

func wantWebhookAnswer(t *testing.T, what string, r Response, status int, reason string, duplicate bool) {
	t.Helper()
	var a webhookAnswer
	if r.Status != status || !isJSON(r.Header) || json.Unmarshal(r.Body, &a) != nil || a.Reason != reason || a.Duplicate != duplicate {
		t.Errorf("%s: %d %s, want %d reason %q duplicate %v", what, r.Status, r.Body, status, reason, duplicate)
	}
}

// waitForLog waits until the demo's output holds line.
func waitForLog(t *testing.T, s *Server, line string) {
	t.Helper()
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	for !strings.Contains(s.Output(), line) {
		select {
		case <-s.out.changed:
		case <-deadline.C:
			t.Fatalf("the demo did not log %q; output:\n%s", line, s.Output())
		}
	}
}

// CheckWebhookCurl runs the signed curl command the banner of the fake
// mode prints, as pasted: it is delivered and logged, a replay is a
// duplicate, and a tampered copy is refused.
func CheckWebhookCurl(t *testing.T, s *Server) {
	if !strings.Contains(s.Banner, "valid for 5 minutes") || !strings.Contains(s.Banner, "POST "+demo.WebhookPath) {
		t.Errorf("banner does not describe the webhook route and its 5-minute window:\n%s", s.Banner)
	}
	d := parseCurl(t, s.Banner)
	if d.url != s.Host+demo.WebhookPath {
		t.Errorf("curl posts to %q, want %q", d.url, s.Host+demo.WebhookPath)
	}
	r := s.Post(t, demo.WebhookPath, d.header, d.body)
	wantWebhookAnswer(t, "the banner's delivery", r, http.StatusOK, "", false)
	waitForLog(t, s, "webhook: user.created "+d.header.Get("svix-id")+" user_demo")

	r = s.Post(t, demo.WebhookPath, d.header, d.body)
	wantWebhookAnswer(t, "the banner's delivery again", r, http.StatusOK, "", true)

	tampered := bytes.Replace(d.body, []byte("Demo"), []byte("Evil"), 1)
	r = s.Post(t, demo.WebhookPath, d.header, tampered)
	wantWebhookAnswer(t, "a tampered delivery", r, http.StatusUnauthorized, "signature-mismatch", false)

	r = s.Post(t, demo.WebhookPath, http.Header{"Content-Type": {"application/json"}}, d.body)
	wantWebhookAnswer(t, "an unsigned delivery", r, http.StatusUnauthorized, "headers-missing", false)
}

// CheckWebhookSigned posts deliveries signed with the secret the test put
// in CLERK_WEBHOOK_SIGNING_SECRET: they are delivered and logged; one
// signed with another secret is refused. The banner prints no signed
// sample: the demo did not choose the secret.
func CheckWebhookSigned(t *testing.T, s *Server, signer *clerktest.WebhookSigner) {
	if !strings.Contains(s.Banner, "POST "+demo.WebhookPath+", verified with "+webhook.EnvSigningSecret) || strings.Contains(s.Banner, "svix-signature") {
		t.Errorf("banner of a configured webhook secret:\n%s", s.Banner)
	}
	for _, typ := range []string{webhook.UserCreated, webhook.UserDeleted, webhook.OrganizationMembershipCreated} {
		data, _ := clerktest.SampleWebhookData(typ)
		d, err := signer.SignEvent(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		r := s.Post(t, demo.WebhookPath, d.Header(), d.Body)
		wantWebhookAnswer(t, typ, r, http.StatusOK, "", false)
		waitForLog(t, s, "webhook: "+typ+" "+d.ID+" ")
	}
	other, _ := clerktest.NewWebhookSigner()
	d, _ := other.SignEvent(webhook.UserCreated, map[string]string{"id": "user_x"})
	r := s.Post(t, demo.WebhookPath, d.Header(), d.Body)
	wantWebhookAnswer(t, "another secret", r, http.StatusUnauthorized, "signature-mismatch", false)
}

// CheckNoWebhookRoute checks that a demo on a real instance without
// CLERK_WEBHOOK_SIGNING_SECRET serves no webhook route.
func CheckNoWebhookRoute(t *testing.T, s *Server) {
	if !strings.Contains(s.Banner, "No "+webhook.EnvSigningSecret) {
		t.Errorf("banner does not say there is no webhook route:\n%s", s.Banner)
	}
	signer, _ := clerktest.NewWebhookSigner()
	d, _ := signer.SignEvent(webhook.UserCreated, map[string]string{"id": "user_x"})
	if r := s.Post(t, demo.WebhookPath, d.Header(), d.Body); r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST %s without a secret: %d %s, want no route", demo.WebhookPath, r.Status, r.Body)
	}
}
