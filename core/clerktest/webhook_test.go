package clerktest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
)

func TestNewWebhookSecret(t *testing.T) {
	a, b := clerktest.NewWebhookSecret(), clerktest.NewWebhookSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	for _, s := range []string{a, b} {
		key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil || len(key) != clerktest.WebhookSecretSize {
			t.Errorf("secret %q: %v, %d bytes", s, err, len(key))
		}
	}
}

func TestNewWebhookSigner(t *testing.T) {
	for _, bad := range []string{"", "whsec_", "sk_test_x", "whsec_!!!", "whsec_" + "YWJj\nZGVm", "abc"} {
		if _, err := clerktest.NewWebhookSigner(bad); !errors.Is(err, clerktest.ErrWebhookSecret) || len(bad) > len("whsec_") && strings.Contains(err.Error(), bad) {
			t.Errorf("secret %q: %v", bad, err)
		}
	}
	s, err := clerktest.NewWebhookSigner()
	if err != nil || !strings.HasPrefix(s.Secret(), "whsec_") || len(s.Secrets()) != 1 {
		t.Fatalf("generated: %v %v", s, err)
	}
	secrets := s.Secrets()
	secrets[0] = "changed"
	if s.Secret() == "changed" {
		t.Error("Secrets() shares its slice")
	}
}

// The signer reproduces the test vector of Svix's documentation
// (https://docs.svix.com/receiving/verifying-payloads/how).
func TestWebhookSignerVector(t *testing.T) {
	s, err := clerktest.NewWebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	d := s.SignAt("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 999), []byte(`{"test": 2432232314}`))
	if d.Signature != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" || d.Timestamp != "1614265330" || d.ID != "msg_p5jXN8AQM9LWM0D4loKWxJek" {
		t.Errorf("signed %+v", []string{d.ID, d.Timestamp, d.Signature})
	}
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if got := clerktest.SignWebhook(key, d.ID, d.Timestamp, d.Body); "v1,"+got != d.Signature {
		t.Errorf("SignWebhook = %q", got)
	}
}

func TestWebhookDelivery(t *testing.T) {
	a, _ := clerktest.NewWebhookSigner()
	b, _ := clerktest.NewWebhookSigner()
	both, err := clerktest.NewWebhookSigner(a.Secret(), b.Secret())
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"user.created"}`)
	d := both.Sign(body)
	if !strings.HasPrefix(d.ID, "msg_") || len(d.ID) != len("msg_")+27 {
		t.Errorf("message id %q", d.ID)
	}
	sigs := strings.Split(d.Signature, " ")
	if len(sigs) != 2 || sigs[0] != a.SignAt(d.ID, time.Now(), body).Signature && sigs[0] != a.SignAt(d.ID, time.Unix(mustAtoi(t, d.Timestamp), 0), body).Signature {
		t.Errorf("rotation signatures %q", d.Signature)
	}
	body[0] = 'X'
	if d.Body[0] != '{' {
		t.Error("the delivery shares the caller's body")
	}
	h := d.Header()
	if h.Get("svix-id") != d.ID || h.Get("svix-timestamp") != d.Timestamp || h.Get("svix-signature") != d.Signature || h.Get("Content-Type") != "application/json" {
		t.Errorf("Header() = %v", h)
	}
	sh := d.StandardHeader()
	if sh.Get("webhook-id") != d.ID || sh.Get("webhook-signature") != d.Signature || sh.Get("svix-id") != "" {
		t.Errorf("StandardHeader() = %v", sh)
	}
	req, err := d.Request("http://localhost/webhooks/clerk")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(req.Body)
	if req.Method != "POST" || !bytes.Equal(got, d.Body) || req.Header.Get("svix-signature") != d.Signature {
		t.Errorf("Request: %s %s %v", req.Method, got, req.Header)
	}
	if _, err := d.Request("://bad"); err == nil {
		t.Error("bad URL accepted")
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		if out := fmt.Sprintf(verb, d); strings.Contains(out, sigs[0][3:]) {
			t.Errorf("%s shows the signature: %s", verb, out)
		}
	}
	var nilSigner *clerktest.WebhookSigner
	if nd := nilSigner.SignAt("msg_1", time.Now(), body); nd.Signature != "" || nd.ID != "msg_1" {
		t.Errorf("nil signer signed: %v", nd)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhookPayload(t *testing.T) {
	before := time.Now().UnixMilli()
	body, err := clerktest.WebhookPayload("user.created", map[string]string{"id": "user_1"})
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Type       string          `json:"type"`
		Object     string          `json:"object"`
		Timestamp  int64           `json:"timestamp"`
		InstanceID string          `json:"instance_id"`
		Data       json.RawMessage `json:"data"`
		Attributes struct {
			HTTPRequest struct {
				ClientIP string `json:"client_ip"`
			} `json:"http_request"`
		} `json:"event_attributes"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "user.created" || env.Object != "event" || env.Timestamp < before || !strings.HasPrefix(env.InstanceID, "ins_") ||
		string(env.Data) != `{"id":"user_1"}` || env.Attributes.HTTPRequest.ClientIP == "" {
		t.Errorf("payload %s", body)
	}
	if _, err := clerktest.WebhookPayload("x", func() {}); err == nil {
		t.Error("unencodable data accepted")
	}
	s, _ := clerktest.NewWebhookSigner()
	if _, err := s.SignEvent("x", make(chan int)); err == nil {
		t.Error("SignEvent of unencodable data")
	}
}

func TestSampleWebhookData(t *testing.T) {
	types := clerktest.SampleWebhookTypes()
	if len(types) < 30 {
		t.Fatalf("%d sample types", len(types))
	}
	seen := map[string]bool{}
	for _, typ := range types {
		if seen[typ] {
			t.Errorf("%s twice", typ)
		}
		seen[typ] = true
		data, ok := clerktest.SampleWebhookData(typ)
		var obj struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		}
		if !ok || json.Unmarshal(data, &obj) != nil || obj.ID == "" || obj.Object == "" || bytes.ContainsAny(data, "\n\t") {
			t.Errorf("%s: %s", typ, data)
		}
		data[0] = 'X'
		if again, _ := clerktest.SampleWebhookData(typ); again[0] != '{' {
			t.Errorf("%s: samples share memory", typ)
		}
	}
	types[0] = "changed"
	if clerktest.SampleWebhookTypes()[0] == "changed" {
		t.Error("SampleWebhookTypes shares its slice")
	}
	if _, ok := clerktest.SampleWebhookData("subscription.created"); ok {
		t.Error("a sample for an untyped event")
	}
}
