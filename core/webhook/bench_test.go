package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/clerkgo/clerk/core/webhook"
)

// The benchmarks verify the sample user.created delivery (about 2 KiB, the
// usual size of a Clerk event). BenchmarkHMACBaseline is the floor: one
// HMAC-SHA256 over the signed content and a constant-time compare, nothing
// else; the others are that plus header parsing, the clock check and the
// JSON decoding, so their ratio to it is the cost of this package.

func benchDelivery(b *testing.B) (*fixture, http.Header, []byte) {
	f := newFixture(b)
	d := f.sample(b, webhook.UserCreated)
	return f, d.Header(), d.Body
}

func BenchmarkHMACBaseline(b *testing.B) {
	f, h, body := benchDelivery(b)
	key, _ := base64.StdEncoding.DecodeString(f.signer.Secret()[len("whsec_"):])
	want, _ := base64.StdEncoding.DecodeString(h.Get("svix-signature")[3:])
	id, ts := h.Get("svix-id"), h.Get("svix-timestamp")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id))
		m.Write([]byte{'.'})
		m.Write([]byte(ts))
		m.Write([]byte{'.'})
		m.Write(body)
		if !hmac.Equal(m.Sum(nil), want) {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkVerifySignature is the signature check alone, with the header
// lookups through http.Header.Get.
func BenchmarkVerifySignature(b *testing.B) {
	f, h, body := benchDelivery(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.v.VerifySignature(h.Get, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify adds the envelope decoding: what an Endpoint does before
// calling the handler.
func BenchmarkVerify(b *testing.B) {
	f, h, body := benchDelivery(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.v.Verify(h.Get, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDecode adds decoding the data into a *bapi.User.
func BenchmarkVerifyDecode(b *testing.B) {
	f, h, body := benchDelivery(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev, err := f.v.Verify(h.Get, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ev.Decode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRejectSignature is a forged delivery: the cost an attacker can
// make the endpoint pay per request.
func BenchmarkRejectSignature(b *testing.B) {
	f, h, body := benchDelivery(b)
	h.Set("svix-signature", "v1,"+base64.StdEncoding.EncodeToString(make([]byte, 32)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.v.VerifySignature(h.Get, body); err == nil {
			b.Fatal("accepted")
		}
	}
}
