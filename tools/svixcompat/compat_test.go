package svixcompat_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// The test vector of Svix's documentation: "How to Verify Webhooks with the
// Svix Libraries", https://docs.svix.com/receiving/verifying-payloads/how
// (its JavaScript example; the Standard Webhooks specification publishes
// the same one). A secret, a message id, a timestamp, a payload and the
// signature Svix computed over them.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = "1614265330"
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeader() http.Header {
	h := http.Header{}
	h.Set("svix-id", vectorID)
	h.Set("svix-timestamp", vectorTimestamp)
	h.Set("svix-signature", vectorSignature)
	return h
}

func TestDocumentationVector(t *testing.T) {
	at := time.Unix(1614265330, 0)
	ours, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(vectorSecret), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := svix.NewWebhook(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	// Svix's library checks the timestamp against the real clock only, so
	// the 2021 vector goes through its timestamp-free variant.
	if err := wh.VerifyIgnoringTimestamp([]byte(vectorPayload), vectorHeader()); err != nil {
		t.Fatalf("Svix rejects its own vector: %v", err)
	}
	if err := ours.VerifySignature(vectorHeader().Get, []byte(vectorPayload)); err != nil {
		t.Fatalf("we reject Svix's vector: %v", err)
	}
	sig, err := wh.Sign(vectorID, at, []byte(vectorPayload))
	if err != nil || sig != vectorSignature {
		t.Fatalf("Svix signs the vector as %q (%v)", sig, err)
	}
	signer, err := clerktest.NewWebhookSigner(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if d := signer.SignAt(vectorID, at, []byte(vectorPayload)); d.Signature != vectorSignature {
		t.Errorf("clerktest signs the vector as %q", d.Signature)
	}
	// Both see the real clock as years past the vector.
	now, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(vectorSecret)})
	if err != nil {
		t.Fatal(err)
	}
	if err := now.VerifySignature(vectorHeader().Get, []byte(vectorPayload)); !errors.Is(err, webhook.ErrTimestampTooOld) {
		t.Errorf("ours, today: %v", err)
	}
	if err := wh.Verify([]byte(vectorPayload), vectorHeader()); err == nil {
		t.Error("Svix, today: accepted")
	}
}

// deliveries are the sample events of clerktest, one per typed event type.
func deliveries(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, typ := range clerktest.SampleWebhookTypes() {
		data, _ := clerktest.SampleWebhookData(typ)
		body, err := clerktest.WebhookPayload(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		out[typ] = body
	}
	return out
}

func randomID(t *testing.T) string {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return "msg_" + n.Text(62)
}

// Svix signs, we verify (with the real clock, as Svix's library has no
// other).
func TestSvixSignsWeVerify(t *testing.T) {
	secret := clerktest.NewWebhookSecret()
	wh, err := svix.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
	if err != nil {
		t.Fatal(err)
	}
	for typ, body := range deliveries(t) {
		id, at := randomID(t), time.Now()
		sig, err := wh.Sign(id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"svix-", "webhook-"} {
			h := http.Header{}
			h.Set(prefix+"id", id)
			h.Set(prefix+"timestamp", strconv.FormatInt(at.Unix(), 10))
			h.Set(prefix+"signature", sig)
			ev, err := ours.Verify(h.Get, body)
			if err != nil {
				t.Fatalf("%s (%s headers): we reject Svix's signature: %v", typ, prefix, err)
			}
			if ev.Type != typ || ev.MessageID != id {
				t.Errorf("%s: event %s %s", typ, ev.Type, ev.MessageID)
			}
			if _, err := ev.Decode(); err != nil {
				t.Errorf("%s: %v", typ, err)
			}
			if err := wh.Verify(body, h); err != nil {
				t.Errorf("%s: Svix rejects its own delivery: %v", typ, err)
			}
		}
	}
}

// clerktest signs, Svix verifies.
func TestWeSignSvixVerifies(t *testing.T) {
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		t.Fatal(err)
	}
	wh, err := svix.NewWebhook(signer.Secret())
	if err != nil {
		t.Fatal(err)
	}
	for typ, body := range deliveries(t) {
		d := signer.Sign(body)
		if err := wh.Verify(d.Body, d.Header()); err != nil {
			t.Errorf("%s: Svix rejects clerktest's signature: %v", typ, err)
		}
		if err := wh.Verify(d.Body, d.StandardHeader()); err != nil {
			t.Errorf("%s: Svix rejects clerktest's signature under the webhook-* names: %v", typ, err)
		}
	}
}

// A rotation: one delivery signed with two secrets verifies with either,
// in both libraries.
func TestRotation(t *testing.T) {
	oldSecret, newSecret := clerktest.NewWebhookSecret(), clerktest.NewWebhookSecret()
	both, err := clerktest.NewWebhookSigner(newSecret, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	d := both.Sign(deliveries(t)[webhook.UserUpdated])
	for _, secret := range []string{oldSecret, newSecret} {
		wh, _ := svix.NewWebhook(secret)
		if err := wh.Verify(d.Body, d.Header()); err != nil {
			t.Errorf("Svix with one of the two secrets: %v", err)
		}
		ours, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
		if err := ours.VerifySignature(d.Header().Get, d.Body); err != nil {
			t.Errorf("ours with one of the two secrets: %v", err)
		}
	}
	// And a verifier holding both secrets takes a delivery of either.
	ours, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(newSecret, oldSecret)})
	for _, secret := range []string{oldSecret, newSecret} {
		wh, _ := svix.NewWebhook(secret)
		at := time.Now()
		sig, _ := wh.Sign("msg_rotation", at, d.Body)
		h := http.Header{"Svix-Id": {"msg_rotation"}, "Svix-Timestamp": {strconv.FormatInt(at.Unix(), 10)}, "Svix-Signature": {sig}}
		if err := ours.VerifySignature(h.Get, d.Body); err != nil {
			t.Errorf("ours with both secrets, Svix signing with one: %v", err)
		}
	}
}

// Tampering with the body, the timestamp, the id or the signature is caught
// by both libraries, whichever signed.
func TestTamperedRejectedByBoth(t *testing.T) {
	secret := clerktest.NewWebhookSecret()
	wh, _ := svix.NewWebhook(secret)
	ours, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
	signer, _ := clerktest.NewWebhookSigner(secret)
	body := deliveries(t)[webhook.UserCreated]

	svixSigned := func() (http.Header, []byte) {
		id, at := randomID(t), time.Now()
		sig, _ := wh.Sign(id, at, body)
		return http.Header{"Svix-Id": {id}, "Svix-Timestamp": {strconv.FormatInt(at.Unix(), 10)}, "Svix-Signature": {sig}}, body
	}
	ourSigned := func() (http.Header, []byte) { d := signer.Sign(body); return d.Header(), d.Body }

	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0x01
		return c
	}
	tampers := []struct {
		name string
		edit func(h http.Header, b []byte) (http.Header, []byte)
	}{
		{"one body byte", func(h http.Header, b []byte) (http.Header, []byte) { return h, flip(b, len(b)/2) }},
		{"first body byte", func(h http.Header, b []byte) (http.Header, []byte) { return h, flip(b, 0) }},
		{"body with a trailing space", func(h http.Header, b []byte) (http.Header, []byte) { return h, append(append([]byte(nil), b...), ' ') }},
		{"body truncated", func(h http.Header, b []byte) (http.Header, []byte) { return h, b[:len(b)-1] }},
		{"empty body", func(h http.Header, b []byte) (http.Header, []byte) { return h, nil }},
		{"timestamp one second later", func(h http.Header, b []byte) (http.Header, []byte) {
			n, _ := strconv.ParseInt(h.Get("svix-timestamp"), 10, 64)
			h.Set("svix-timestamp", strconv.FormatInt(n+1, 10))
			return h, b
		}},
		{"timestamp an hour back", func(h http.Header, b []byte) (http.Header, []byte) {
			n, _ := strconv.ParseInt(h.Get("svix-timestamp"), 10, 64)
			h.Set("svix-timestamp", strconv.FormatInt(n-3600, 10))
			return h, b
		}},
		{"id changed", func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set("svix-id", h.Get("svix-id")+"0")
			return h, b
		}},
		{"first timestamp digit moved into the id", func(h http.Header, b []byte) (http.Header, []byte) {
			id, ts := h.Get("svix-id"), h.Get("svix-timestamp")
			h.Set("svix-id", id+"."+ts[:1])
			h.Set("svix-timestamp", ts[1:])
			return h, b
		}},
		{"signature bit flipped", func(h http.Header, b []byte) (http.Header, []byte) {
			s := h.Get("svix-signature")
			c := []byte(s)
			if c[10] == 'A' {
				c[10] = 'B'
			} else {
				c[10] = 'A'
			}
			h.Set("svix-signature", string(c))
			return h, b
		}},
		{"signature under another version", func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set("svix-signature", "v2,"+strings.TrimPrefix(h.Get("svix-signature"), "v1,"))
			return h, b
		}},
		{"signature removed", func(h http.Header, b []byte) (http.Header, []byte) { h.Del("svix-signature"); return h, b }},
		{"signature of another secret", func(h http.Header, b []byte) (http.Header, []byte) {
			other, _ := clerktest.NewWebhookSigner()
			h.Set("svix-signature", other.SignAt(h.Get("svix-id"), time.Now(), b).Signature)
			return h, b
		}},
	}
	for _, signed := range []struct {
		name string
		make func() (http.Header, []byte)
	}{{"Svix signed", svixSigned}, {"clerktest signed", ourSigned}} {
		h, b := signed.make()
		if err := wh.Verify(b, h); err != nil {
			t.Fatalf("%s, untouched: Svix rejects: %v", signed.name, err)
		}
		if err := ours.VerifySignature(h.Get, b); err != nil {
			t.Fatalf("%s, untouched: we reject: %v", signed.name, err)
		}
		for _, tt := range tampers {
			h, b := signed.make()
			h, b = tt.edit(h, b)
			svixErr := wh.Verify(b, h)
			ourErr := ours.VerifySignature(h.Get, b)
			if svixErr == nil || ourErr == nil {
				t.Errorf("%s, %s: Svix %v, ours %v; both must reject", signed.name, tt.name, svixErr, ourErr)
			}
		}
	}
}

// Random deliveries: both libraries accept the untouched ones and reject
// every single-byte change of the body.
func TestRandomDeliveries(t *testing.T) {
	secret := clerktest.NewWebhookSecret()
	wh, _ := svix.NewWebhook(secret)
	ours, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
	signer, _ := clerktest.NewWebhookSigner(secret)
	for i := 0; i < 200; i++ {
		size, _ := rand.Int(rand.Reader, big.NewInt(4096))
		body := make([]byte, size.Int64()+1)
		rand.Read(body)
		d := signer.Sign(body)
		if err := wh.Verify(d.Body, d.Header()); err != nil {
			t.Fatalf("Svix rejects a random delivery: %v", err)
		}
		if err := ours.VerifySignature(d.Header().Get, d.Body); err != nil {
			t.Fatalf("we reject a random delivery: %v", err)
		}
		pos, _ := rand.Int(rand.Reader, big.NewInt(int64(len(body))))
		tampered := bytes.Clone(d.Body)
		tampered[pos.Int64()] ^= 0x80
		if wh.Verify(tampered, d.Header()) == nil || ours.VerifySignature(d.Header().Get, tampered) == nil {
			t.Fatalf("a changed byte at %d passed", pos.Int64())
		}
	}
}

// Where the two libraries differ on input Svix's servers never send, this
// package is the stricter one. Svix's library parses the timestamp and signs
// its re-formatted value, so "0"+timestamp (a second spelling of the same
// instant) passes there; here one spelling is accepted. It also takes any
// text after a "v1," entry's second comma; here such an entry is malformed.
func TestStricterThanSvix(t *testing.T) {
	secret := clerktest.NewWebhookSecret()
	wh, _ := svix.NewWebhook(secret)
	ours, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
	signer, _ := clerktest.NewWebhookSigner(secret)
	d := signer.Sign([]byte(`{"type":"user.created","data":{}}`))

	h := d.Header()
	h.Set("svix-timestamp", "0"+d.Timestamp)
	if err := wh.Verify(d.Body, h); err != nil {
		t.Logf("Svix now rejects a leading zero too: %v", err)
	}
	if err := ours.VerifySignature(h.Get, d.Body); !errors.Is(err, webhook.ErrTimestampInvalid) {
		t.Errorf("leading zero: %v", err)
	}

	h = d.Header()
	h.Set("svix-signature", d.Signature+",trailing")
	if err := wh.Verify(d.Body, h); err != nil {
		t.Logf("Svix now rejects text after a second comma too: %v", err)
	}
	if err := ours.VerifySignature(h.Get, d.Body); !errors.Is(err, webhook.ErrSignatureMalformed) {
		t.Errorf("second comma: %v", err)
	}
}

// Svix's library takes a secret with or without its "whsec_" prefix (it
// strips the prefix when present); so does this package. A delivery Svix
// signs under either spelling verifies here under either spelling, and the
// documentation's vector verifies with the bare base64 too.
func TestSecretSpellings(t *testing.T) {
	full := clerktest.NewWebhookSecret()
	bare := strings.TrimPrefix(full, "whsec_")
	body := deliveries(t)[webhook.UserCreated]
	for _, signWith := range []string{full, bare} {
		wh, err := svix.NewWebhook(signWith)
		if err != nil {
			t.Fatalf("Svix refuses a secret spelling: %v", err)
		}
		id, at := randomID(t), time.Now()
		sig, err := wh.Sign(id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{"Svix-Id": {id}, "Svix-Timestamp": {strconv.FormatInt(at.Unix(), 10)}, "Svix-Signature": {sig}}
		for _, verifyWith := range []string{full, bare} {
			ours, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(verifyWith)})
			if err != nil {
				t.Fatalf("we refuse a secret spelling Svix takes (prefix %v): %v", strings.HasPrefix(verifyWith, "whsec_"), err)
			}
			if err := ours.VerifySignature(h.Get, body); err != nil {
				t.Errorf("signed with prefix %v, verified with prefix %v: %v",
					strings.HasPrefix(signWith, "whsec_"), strings.HasPrefix(verifyWith, "whsec_"), err)
			}
			other, _ := svix.NewWebhook(verifyWith)
			if err := other.Verify(body, h); err != nil {
				t.Errorf("Svix disagrees with itself across spellings: %v", err)
			}
		}
	}
	at := time.Unix(1614265330, 0)
	ours, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(strings.TrimPrefix(vectorSecret, "whsec_")), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	if err := ours.VerifySignature(vectorHeader().Get, []byte(vectorPayload)); err != nil {
		t.Errorf("the vector with the bare secret: %v", err)
	}
}

// Svix signs a delivery; clerkgo's verifier checks it.
func Example() {
	secret := clerktest.NewWebhookSecret()
	wh, _ := svix.NewWebhook(secret)
	at := time.Now()
	body := []byte(`{"type":"user.created","object":"event","data":{"id":"user_1","object":"user"}}`)
	sig, _ := wh.Sign("msg_1", at, body)

	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(secret)})
	h := http.Header{"Svix-Id": {"msg_1"}, "Svix-Timestamp": {strconv.FormatInt(at.Unix(), 10)}, "Svix-Signature": {sig}}
	ev, err := v.Verify(h.Get, body)
	fmt.Println(ev.Type, err)
	// Output: user.created <nil>
}
