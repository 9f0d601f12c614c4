package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// The test vector of Svix's documentation ("How to Verify Webhooks with the
// Svix Libraries", https://docs.svix.com/receiving/verifying-payloads/how,
// the JavaScript example; the Standard Webhooks specification uses the same
// one): secret, message id, timestamp, payload and the signature Svix
// computed for them.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = "1614265330"
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSvixDocumentationVector(t *testing.T) {
	at := time.Unix(1614265330, 0)
	v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(vectorSecret), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("svix-id", vectorID)
	h.Set("svix-timestamp", vectorTimestamp)
	h.Set("svix-signature", vectorSignature)
	if err := v.VerifySignature(h.Get, []byte(vectorPayload)); err != nil {
		t.Fatalf("the published vector does not verify: %v", err)
	}
	// The payload is not a Clerk event: Verify accepts the signature and
	// then refuses the payload.
	if _, err := v.Verify(h.Get, []byte(vectorPayload)); !errors.Is(err, webhook.ErrPayloadInvalid) {
		t.Errorf("Verify of a non-event payload: %v, want ErrPayloadInvalid", err)
	}
	// Our signer computes the same signature.
	signer, err := clerktest.NewWebhookSigner(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if d := signer.SignAt(vectorID, at, []byte(vectorPayload)); d.Signature != vectorSignature {
		t.Errorf("clerktest signs the vector as %q, want %q", d.Signature, vectorSignature)
	}
	// One byte off anywhere fails.
	if err := v.VerifySignature(h.Get, []byte(`{"test": 2432232315}`)); !errors.Is(err, webhook.ErrSignatureMismatch) {
		t.Errorf("tampered vector: %v", err)
	}
}

// mutate returns the delivery's headers after edit.
func mutate(d clerktest.WebhookDelivery, edit func(h http.Header)) http.Header {
	h := d.Header()
	if edit != nil {
		edit(h)
	}
	return h
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	d := f.sample(t, webhook.UserCreated)
	sig := d.Signature
	value := strings.TrimPrefix(sig, "v1,")
	other, _ := clerktest.NewWebhookSigner()
	foreign := other.SignAt(d.ID, f.clk.Now(), d.Body).Signature
	ts := f.clk.Now().Unix()
	resign := func(id string, at int64, body []byte) http.Header {
		return f.signer.SignAt(id, time.Unix(at, 0), body).Header()
	}
	set := func(k, v string) func(http.Header) { return func(h http.Header) { h.Set(k, v) } }
	del := func(k string) func(http.Header) { return func(h http.Header) { h.Del(k) } }

	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   error // nil: accepted
	}{
		{"valid", d.Header(), d.Body, nil},
		{"standard webhooks names", d.StandardHeader(), d.Body, nil},
		{"both sets, svix wins", mutate(d, func(h http.Header) {
			h.Set("webhook-id", "msg_other")
			h.Set("webhook-timestamp", "1")
			h.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"=")
		}), d.Body, nil},
		{"incomplete svix set falls back to a complete webhook set", mutate(d, func(h http.Header) {
			for k, v := range d.StandardHeader() {
				h[k] = v
			}
			h.Del("svix-signature")
		}), d.Body, nil},
		{"sets are never mixed", mutate(d, func(h http.Header) {
			h.Del("svix-signature")
			h.Set("webhook-signature", sig)
		}), d.Body, webhook.ErrHeadersMissing},
		{"no headers", http.Header{}, d.Body, webhook.ErrHeadersMissing},
		{"no id", mutate(d, del("svix-id")), d.Body, webhook.ErrHeadersMissing},
		{"no timestamp", mutate(d, del("svix-timestamp")), d.Body, webhook.ErrHeadersMissing},
		{"no signature", mutate(d, del("svix-signature")), d.Body, webhook.ErrHeadersMissing},
		{"blank signature", mutate(d, set("svix-signature", "  ")), d.Body, webhook.ErrHeadersMissing},
		{"surrounding spaces are trimmed", mutate(d, set("svix-signature", " "+sig+"\t")), d.Body, nil},

		{"id too long", resign(strings.Repeat("m", webhook.MaxIDSize+1), ts, d.Body), d.Body, webhook.ErrIDInvalid},
		{"id at the limit", resign(strings.Repeat("m", webhook.MaxIDSize), ts, d.Body), d.Body, nil},
		{"id with a space", resign("msg 1", ts, d.Body), d.Body, webhook.ErrIDInvalid},
		{"id with a dot", resign("msg."+strconv.FormatInt(ts, 10), ts, d.Body), d.Body, webhook.ErrIDInvalid},
		{"id with a control character", resign("msg\x7f1", ts, d.Body), d.Body, webhook.ErrIDInvalid},
		{"id not ASCII", resign("msg_é", ts, d.Body), d.Body, webhook.ErrIDInvalid},

		{"timestamp with a sign", mutate(d, set("svix-timestamp", "+"+d.Timestamp)), d.Body, webhook.ErrTimestampInvalid},
		{"timestamp negative", mutate(d, set("svix-timestamp", "-1")), d.Body, webhook.ErrTimestampInvalid},
		// Svix's Go library re-formats the parsed number and so accepts
		// this second spelling of a signed timestamp; one spelling is
		// accepted here.
		{"timestamp with a leading zero", mutate(d, set("svix-timestamp", "0"+d.Timestamp)), d.Body, webhook.ErrTimestampInvalid},
		{"timestamp in milliseconds is too new", resign(d.ID, ts*1000, d.Body), d.Body, webhook.ErrTimestampTooNew},
		{"timestamp fractional", mutate(d, set("svix-timestamp", d.Timestamp+".5")), d.Body, webhook.ErrTimestampInvalid},
		{"timestamp hexadecimal", mutate(d, set("svix-timestamp", "0x66561f00")), d.Body, webhook.ErrTimestampInvalid},
		{"timestamp with 19 digits", mutate(d, set("svix-timestamp", "1"+strings.Repeat("0", 18))), d.Body, webhook.ErrTimestampInvalid},
		{"timestamp with 18 digits", resign(d.ID, 100000000000000000, d.Body), d.Body, webhook.ErrTimestampTooNew},
		{"timestamp zero", resign(d.ID, 0, d.Body), d.Body, webhook.ErrTimestampTooOld},
		{"timestamp older than the tolerance", resign(d.ID, ts-301, d.Body), d.Body, webhook.ErrTimestampTooOld},
		{"timestamp at the tolerance in the past", resign(d.ID, ts-300, d.Body), d.Body, nil},
		{"timestamp at the tolerance in the future", resign(d.ID, ts+300, d.Body), d.Body, nil},
		{"timestamp beyond the tolerance in the future", resign(d.ID, ts+301, d.Body), d.Body, webhook.ErrTimestampTooNew},

		{"signature without version", mutate(d, set("svix-signature", value)), d.Body, webhook.ErrSignatureMalformed},
		{"signature with an empty value", mutate(d, set("svix-signature", "v1,")), d.Body, webhook.ErrSignatureMalformed},
		{"signature with an empty version", mutate(d, set("svix-signature", ","+value)), d.Body, webhook.ErrSignatureMalformed},
		{"version in upper case", mutate(d, set("svix-signature", "V1,"+value)), d.Body, webhook.ErrSignatureMalformed},
		{"v1 not base64", mutate(d, set("svix-signature", "v1,"+strings.Repeat("!", 44))), d.Body, webhook.ErrSignatureMalformed},
		{"v1 of 31 bytes", mutate(d, set("svix-signature", "v1,"+strings.Repeat("A", 40)+"AA==")), d.Body, webhook.ErrSignatureMalformed},
		{"v1 of 44 characters without padding", mutate(d, set("svix-signature", "v1,"+strings.Repeat("0", 44))), d.Body, webhook.ErrSignatureMalformed}, // found by FuzzParseSignatures
		{"v1 unpadded", mutate(d, set("svix-signature", strings.TrimSuffix(sig, "="))), d.Body, webhook.ErrSignatureMalformed},
		{"v1 URL alphabet", mutate(d, set("svix-signature", "v1,"+strings.Repeat("_", 43)+"=")), d.Body, webhook.ErrSignatureMalformed},
		{"v1 with stray trailing bits", mutate(d, set("svix-signature", "v1,"+value[:42]+flipLowBits(value[42])+"=")), d.Body, webhook.ErrSignatureMalformed},
		{"v1 with a comma inside", mutate(d, set("svix-signature", sig+",x")), d.Body, webhook.ErrSignatureMalformed},
		{"one malformed entry spoils the header", mutate(d, set("svix-signature", sig+" v1,!!")), d.Body, webhook.ErrSignatureMalformed},
		{"header too large", mutate(d, set("svix-signature", sig+strings.Repeat(" v2,x", webhook.MaxSignatureHeaderSize/5))), d.Body, webhook.ErrSignatureMalformed},
		{"other versions are ignored", mutate(d, set("svix-signature", "v2,whatever v1a,x "+sig)), d.Body, nil},
		{"only other versions", mutate(d, set("svix-signature", "v2,"+value)), d.Body, webhook.ErrSignatureMismatch},
		{"several spaces", mutate(d, set("svix-signature", "v1,"+strings.Repeat("A", 43)+"=   "+sig)), d.Body, nil},
		{"matching entry last of several", mutate(d, set("svix-signature", foreign+" "+foreign+" "+sig)), d.Body, nil},
		{"signature of another secret", mutate(d, set("svix-signature", foreign)), d.Body, webhook.ErrSignatureMismatch},
		{"tampered body", d.Header(), bytes.Replace(d.Body, []byte("Ada"), []byte("Eve"), 1), webhook.ErrSignatureMismatch},
		{"body with a trailing newline", d.Header(), append(append([]byte(nil), d.Body...), '\n'), webhook.ErrSignatureMismatch},
		{"tampered id", mutate(d, set("svix-id", d.ID+"x")), d.Body, webhook.ErrSignatureMismatch},
		{"tampered timestamp", mutate(d, set("svix-timestamp", strconv.FormatInt(ts+1, 10))), d.Body, webhook.ErrSignatureMismatch},
		{"empty body", resign(d.ID, ts, nil), nil, webhook.ErrPayloadInvalid},

		{"body not JSON", resign(d.ID, ts, []byte("hello")), []byte("hello"), webhook.ErrPayloadInvalid},
		{"body without type", resign(d.ID, ts, []byte(`{"data":{}}`)), []byte(`{"data":{}}`), webhook.ErrPayloadInvalid},
		{"type not a string", resign(d.ID, ts, []byte(`{"type":1,"data":{}}`)), []byte(`{"type":1,"data":{}}`), webhook.ErrPayloadInvalid},
		{"body a JSON array", resign(d.ID, ts, []byte(`[]`)), []byte(`[]`), webhook.ErrPayloadInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := f.v.Verify(tt.header.Get, tt.body)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if ev.Type != webhook.UserCreated || ev.MessageID != tt.header.Get("svix-id") && ev.MessageID != tt.header.Get("webhook-id") {
					t.Errorf("event %+v", ev)
				}
				return
			}
			if !errors.Is(err, tt.want) || ev != nil {
				t.Fatalf("got %v (event %v), want %v", err, ev, tt.want)
			}
			var we *webhook.Error
			if !errors.As(err, &we) || we.Reason.Status() == 0 {
				t.Fatalf("%T is not a *webhook.Error", err)
			}
			if msg := err.Error(); strings.Contains(msg, value) || strings.Contains(msg, f.signer.Secret()[6:]) {
				t.Errorf("error %q shows a signature or the secret", msg)
			}
		})
	}
}

// flipLowBits returns the base64 character with the same high bits as c
// and other low bits: a non-canonical last character before the padding.
func flipLowBits(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

func TestVerifyEventFields(t *testing.T) {
	f := newFixture(t)
	d := f.sample(t, webhook.UserCreated)
	ev, err := f.v.Verify(d.Header().Get, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ev.MessageID != d.ID || !ev.SignedAt.Equal(f.clk.Now()) || ev.Object != "event" ||
		ev.InstanceID == "" || ev.Timestamp == 0 || len(ev.Data) == 0 {
		t.Errorf("envelope: %+v", ev)
	}
	if ev.Attributes == nil || ev.Attributes.HTTPRequest == nil || ev.Attributes.HTTPRequest.ClientIP != "192.0.2.1" {
		t.Errorf("event_attributes: %+v", ev.Attributes)
	}
}

func TestSecretRotation(t *testing.T) {
	oldSigner, _ := clerktest.NewWebhookSigner()
	newSigner, _ := clerktest.NewWebhookSigner()
	both, err := clerktest.NewWebhookSigner(newSigner.Secret(), oldSigner.Secret())
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	body, _ := clerktest.WebhookPayload(webhook.UserUpdated, map[string]string{"id": "user_1", "object": "user"})
	for _, tt := range []struct {
		name     string
		accepted []string
		signer   *clerktest.WebhookSigner
		ok       bool
	}{
		{"old secret, verifier with both", []string{newSigner.Secret(), oldSigner.Secret()}, oldSigner, true},
		{"new secret, verifier with both", []string{newSigner.Secret(), oldSigner.Secret()}, newSigner, true},
		{"both signatures, verifier with the new one", []string{newSigner.Secret()}, both, true},
		{"both signatures, verifier with the old one", []string{oldSigner.Secret()}, both, true},
		{"old secret, verifier with the new one", []string{newSigner.Secret()}, oldSigner, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(tt.accepted...), Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			d := tt.signer.SignAt("msg_1", clk.Now(), body)
			_, err = v.Verify(d.Header().Get, d.Body)
			if (err == nil) != tt.ok {
				t.Errorf("accepted %v, want %v (%v)", err == nil, tt.ok, err)
			}
		})
	}
	if got := strings.Count(both.Sign(body).Signature, "v1,"); got != 2 {
		t.Errorf("a signer with two secrets sends %d signatures", got)
	}
}

func TestTolerance(t *testing.T) {
	f := newFixture(t, func(c *webhook.Config) { c.Tolerance = 10 * time.Second })
	d := f.sample(t, webhook.UserCreated)
	if f.v.Tolerance() != 10*time.Second {
		t.Fatalf("Tolerance() = %s", f.v.Tolerance())
	}
	for _, tt := range []struct {
		advance time.Duration
		want    error
	}{
		{0, nil},
		{10 * time.Second, nil},
		{11 * time.Second, webhook.ErrTimestampTooOld},
		{-32 * time.Second, webhook.ErrTimestampTooNew}, // 11 s before the signature
	} {
		f.clk.Advance(tt.advance)
		if err := f.v.VerifySignature(d.Header().Get, d.Body); !errors.Is(err, tt.want) && (tt.want != nil || err != nil) {
			t.Errorf("clock at signature%+v: %v, want %v", f.clk.Now().Sub(time.Unix(1716883200, 0)), err, tt.want)
		}
	}
}

func TestDefaultClockIsTimeNow(t *testing.T) {
	signer, _ := clerktest.NewWebhookSigner()
	v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	if err != nil {
		t.Fatal(err)
	}
	d, err := signer.SignEvent(webhook.UserCreated, map[string]string{"id": "user_1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(d.Header().Get, d.Body); err != nil {
		t.Fatalf("a delivery signed now: %v", err)
	}
	old := signer.SignAt(d.ID, time.Now().Add(-webhook.DefaultTolerance-time.Minute), d.Body)
	if _, err := v.Verify(old.Header().Get, old.Body); !errors.Is(err, webhook.ErrTimestampTooOld) {
		t.Fatalf("a delivery signed 6 minutes ago: %v", err)
	}
}

// countingReader yields endless JSON-ish bytes and counts what was read.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestBodySizeCap(t *testing.T) {
	f := newFixture(t, func(c *webhook.Config) { c.MaxBodySize = 1000 })
	if f.v.MaxBodySize() != 1000 {
		t.Fatalf("MaxBodySize() = %d", f.v.MaxBodySize())
	}
	d := f.sample(t, webhook.UserDeleted)
	if len(d.Body) > 1000 {
		t.Fatalf("sample of %d bytes", len(d.Body))
	}
	if _, err := f.v.VerifyReader(d.Header().Get, bytes.NewReader(d.Body)); err != nil {
		t.Fatalf("body under the cap: %v", err)
	}
	padded := append(append([]byte(nil), d.Body...), bytes.Repeat([]byte(" "), 1000-len(d.Body))...)
	pd := f.signer.SignAt(d.ID, f.clk.Now(), padded)
	if _, err := f.v.VerifyReader(pd.Header().Get, bytes.NewReader(pd.Body)); err != nil {
		t.Fatalf("body at the cap: %v", err)
	}
	big := f.signer.SignAt(d.ID, f.clk.Now(), append(padded, ' '))
	if _, err := f.v.Verify(big.Header().Get, big.Body); !errors.Is(err, webhook.ErrBodyTooLarge) {
		t.Errorf("Verify of a body over the cap: %v", err)
	}
	// Reading stops at the cap: an endless body is not read to its end.
	r := &countingReader{}
	if _, err := f.v.VerifyReader(d.Header().Get, r); !errors.Is(err, webhook.ErrBodyTooLarge) {
		t.Errorf("endless body: %v", err)
	}
	if r.n > 1001 {
		t.Errorf("read %d bytes of an endless body with a cap of 1000", r.n)
	}
	// A declared length over the cap is refused before reading.
	req := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(r))
	req.ContentLength = 5000
	r.n = 0
	if _, err := f.v.VerifyRequest(req); !errors.Is(err, webhook.ErrBodyTooLarge) || r.n != 0 {
		t.Errorf("Content-Length over the cap: %v after reading %d bytes", err, r.n)
	}
	// A failing reader is ErrBodyUnreadable, with its cause.
	cause := errors.New("connection reset")
	_, err := f.v.VerifyReader(d.Header().Get, io.MultiReader(bytes.NewReader(d.Body[:10]), &failingReader{cause}))
	if !errors.Is(err, webhook.ErrBodyUnreadable) || !errors.Is(err, cause) {
		t.Errorf("failing reader: %v", err)
	}
}

type failingReader struct{ err error }

func (r *failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestVerifyRequest(t *testing.T) {
	f := newFixture(t)
	d := f.sample(t, webhook.OrganizationCreated)
	req, err := d.Request("http://example.com/webhooks/clerk")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := f.v.VerifyRequest(req)
	if err != nil || ev.Type != webhook.OrganizationCreated {
		t.Fatalf("VerifyRequest: %v, %+v", err, ev)
	}
	if _, err := f.v.VerifyRequest(nil); !errors.Is(err, webhook.ErrHeadersMissing) {
		t.Errorf("nil request: %v", err)
	}
	if _, err := f.v.VerifyReader(d.Header().Get, nil); !errors.Is(err, webhook.ErrSignatureMismatch) { // an empty body
		t.Errorf("nil reader: %v", err)
	}
	if _, err := f.v.Verify(nil, d.Body); !errors.Is(err, webhook.ErrHeadersMissing) {
		t.Errorf("nil header lookup: %v", err)
	}
}

func TestNilVerifier(t *testing.T) {
	var v *webhook.Verifier
	h := http.Header{}
	if _, err := v.Verify(h.Get, nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("Verify: %v", err)
	}
	if err := v.VerifySignature(h.Get, nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("VerifySignature: %v", err)
	}
	if _, err := v.VerifyReader(h.Get, nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("VerifyReader: %v", err)
	}
	if _, err := v.VerifyRequest(httptest.NewRequest("POST", "/", nil)); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("VerifyRequest: %v", err)
	}
	if v.Tolerance() != 0 || v.MaxBodySize() != 0 || v.String() == "" {
		t.Error("getters of a nil verifier")
	}
	var zero webhook.Verifier
	if _, err := zero.Verify(h.Get, nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("zero Verifier: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	good := clerktest.NewWebhookSecret()
	for _, tt := range []struct {
		name  string
		cfg   webhook.Config
		field string
		value string // must not appear in the error
	}{
		{"no prefix, not base64", webhook.Config{Secrets: webhook.Secrets("not*base64*at*all*ever*!!!")}, "Secrets[0]", "not*base64"},
		{"no prefix, too short", webhook.Config{Secrets: webhook.Secrets("c2hvcnQ=")}, "Secrets[0]", "c2hvcnQ"},
		{"a secret key", webhook.Config{Secrets: webhook.Secrets("sk_test_abcdefghijklmnopqrstuvwxyz012345")}, "Secrets[0]", "abcdefghijkl"},
		{"a secret key behind whsec_", webhook.Config{Secrets: webhook.Secrets("whsec_sk_live_abcdefghijklmnopqrstuvwxyz")}, "Secrets[0]", "abcdefghijkl"},
		{"a publishable key", webhook.Config{Secrets: webhook.Secrets("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k")}, "Secrets[0]", "Y2xlcmsu"},
		{"empty", webhook.Config{Secrets: webhook.Secrets(good, "")}, "Secrets[1]", good[6:]},
		{"not base64", webhook.Config{Secrets: webhook.Secrets("whsec_not*base64*at*all*ever*!!!")}, "Secrets[0]", "not*base64"},
		{"line break", webhook.Config{Secrets: webhook.Secrets(good[:20] + "\n" + good[20:])}, "Secrets[0]", good[6:20]},
		{"too short", webhook.Config{Secrets: webhook.Secrets("whsec_c2hvcnQ=")}, "Secrets[0]", "c2hvcnQ"},
		{"negative tolerance", webhook.Config{Secrets: webhook.Secrets(good), Tolerance: -time.Second}, "Tolerance", good[6:]},
		{"negative body size", webhook.Config{Secrets: webhook.Secrets(good), MaxBodySize: -1}, "MaxBodySize", good[6:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhook.New(tt.cfg)
			var ce *webhook.ConfigError
			if !errors.As(err, &ce) || v != nil {
				t.Fatalf("got %v, %v; want a *ConfigError", v, err)
			}
			if ce.Field != tt.field || ce.Problem == "" {
				t.Errorf("field %q problem %q, want field %q", ce.Field, ce.Problem, tt.field)
			}
			if strings.Contains(err.Error(), tt.value) {
				t.Errorf("error %q shows the value", err)
			}
		})
	}
	if _, err := webhook.New(webhook.Config{}); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("no secret: %v", err)
	}
}

func TestNewFromEnv(t *testing.T) {
	a, b := clerktest.NewWebhookSecret(), clerktest.NewWebhookSecret()
	t.Setenv(webhook.EnvSigningSecret, "")
	if _, err := webhook.NewFromEnv(); !errors.Is(err, webhook.ErrNoSecret) || !strings.Contains(err.Error(), webhook.EnvSigningSecret) {
		t.Errorf("unset: %v", err)
	}
	t.Setenv(webhook.EnvSigningSecret, " "+a+", "+b+"\n")
	v, err := webhook.NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.String(), "[2 redacted]") {
		t.Errorf("two secrets: %s", v)
	}
	signer, _ := clerktest.NewWebhookSigner(b)
	d := signer.Sign([]byte(`{"type":"user.created","data":{}}`))
	if _, err := v.Verify(d.Header().Get, d.Body); err != nil {
		t.Errorf("second secret of the variable: %v", err)
	}
	t.Setenv(webhook.EnvSigningSecret, "sk_test_oops")
	_, err = webhook.NewFromEnv()
	var ce *webhook.ConfigError
	if !errors.As(err, &ce) || ce.Field != webhook.EnvSigningSecret || strings.Contains(err.Error(), "oops") {
		t.Errorf("bad value: %v", err)
	}
}

func TestErrors(t *testing.T) {
	cause := errors.New("boom")
	err := error(&webhook.Error{Reason: webhook.ReasonBodyUnreadable, Err: cause})
	if !errors.Is(err, webhook.ErrBodyUnreadable) || !errors.Is(err, cause) ||
		!errors.Is(err, &webhook.Error{Reason: webhook.ReasonBodyUnreadable}) ||
		errors.Is(err, webhook.ErrBodyTooLarge) || errors.Is(err, &webhook.Error{Reason: webhook.ReasonBodyTooLarge}) {
		t.Error("errors.Is")
	}
	if webhook.ReasonOf(err) != webhook.ReasonBodyUnreadable || webhook.ReasonOf(errors.New("x")) != "" || webhook.ReasonOf(nil) != "" {
		t.Error("ReasonOf")
	}
	if got := err.Error(); got != "clerk webhook: body could not be read: boom" {
		t.Errorf("Error() = %q", got)
	}
	var nilErr *webhook.Error
	if nilErr.Error() != "<nil>" || nilErr.Unwrap() != nil || nilErr.Is(webhook.ErrBodyTooLarge) {
		t.Error("nil *Error")
	}
	var nilCfg *webhook.ConfigError
	if nilCfg.Error() != "<nil>" {
		t.Error("nil *ConfigError")
	}
	// An HTTP-only reason has no sentinel.
	if errors.Is(&webhook.Error{Reason: webhook.ReasonHandlerFailed}, webhook.ErrPayloadInvalid) {
		t.Error("handler-failed matches a sentinel")
	}
	for r, status := range map[webhook.Reason]int{
		webhook.ReasonHeadersMissing: 401, webhook.ReasonSignatureMismatch: 401,
		webhook.ReasonTimestampTooOld: 401, webhook.ReasonTimestampTooNew: 401,
		webhook.ReasonIDInvalid: 400, webhook.ReasonTimestampInvalid: 400, webhook.ReasonSignatureMalformed: 400,
		webhook.ReasonBodyTooLarge: 400, webhook.ReasonBodyUnreadable: 400, webhook.ReasonPayloadInvalid: 400,
		webhook.ReasonMethodNotAllowed: 405, webhook.ReasonHandlerFailed: 500,
	} {
		if got := r.Status(); got != status {
			t.Errorf("%s.Status() = %d, want %d", r, got, status)
		}
	}
}

// TestSecretWithoutPrefix: a secret is accepted with or without its
// "whsec_" prefix, as Svix's own libraries accept it, in Config and in
// CLERK_WEBHOOK_SIGNING_SECRET, and both spellings verify the same
// deliveries. Before, the bare base64 was refused at start-up.
func TestSecretWithoutPrefix(t *testing.T) {
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		t.Fatal(err)
	}
	full := signer.Secret()
	bare := strings.TrimPrefix(full, webhook.SecretPrefix)
	other := strings.TrimPrefix(clerktest.NewWebhookSecret(), webhook.SecretPrefix)
	d := signer.Sign([]byte(`{"type":"user.created","object":"event","data":{"id":"user_1","object":"user"}}`))
	for _, tt := range []struct {
		name    string
		secrets []string
		ok      bool
	}{
		{"with the prefix", []string{full}, true},
		{"without the prefix", []string{bare}, true},
		{"without the prefix, during a rotation", []string{other, bare}, true},
		{"another secret without the prefix", []string{other}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(tt.secrets...)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, err = v.Verify(d.Header().Get, d.Body)
			if tt.ok != (err == nil) {
				t.Fatalf("Verify: %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, webhook.ErrSignatureMismatch) {
				t.Errorf("Verify: %v, want a signature mismatch", err)
			}
			t.Setenv(webhook.EnvSigningSecret, strings.Join(tt.secrets, ","))
			fromEnv, err := webhook.NewFromEnv()
			if err != nil {
				t.Fatalf("NewFromEnv: %v", err)
			}
			if _, err := fromEnv.Verify(d.Header().Get, d.Body); tt.ok != (err == nil) {
				t.Fatalf("from the environment: %v, want ok %v", err, tt.ok)
			}
		})
	}
}
