package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseSignatures feeds arbitrary signature headers to the parser and
// the matcher: they must never panic, and a header that matches must be
// one the parser accepts, holding the matching value as a v1 entry.
func FuzzParseSignatures(f *testing.F) {
	mac := sha256.Sum256([]byte("x"))
	good := base64.StdEncoding.EncodeToString(mac[:])
	f.Add("v1," + good)
	f.Add("v1," + good + " v2,abc v1," + strings.Repeat("A", 43) + "=")
	f.Add("v1,")
	f.Add(",,, ")
	f.Add("v1," + good[:43] + "\n")
	f.Add("V1," + good)
	f.Fuzz(func(t *testing.T, h string) {
		valid := validSignatures(h)
		matched := matchSignature(h, mac[:])
		if matched && !valid && len(h) <= MaxSignatureHeaderSize {
			// matchSignature alone is lenient; verify only calls it on
			// valid headers. A match must come from a v1 entry of mac.
			if !strings.Contains(h, "v1,"+good) {
				t.Fatalf("matched %q without the signature", h)
			}
		}
		if valid && matched && !strings.Contains(h, "v1,"+good) {
			t.Fatalf("valid header %q matched without the signature", h)
		}
	})
}

// FuzzParseTimestamp parses arbitrary timestamp headers: whatever is
// accepted is the one canonical spelling of its value.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"1614265330", "0", "01", "+1", "-1", "1e9", "999999999999999999", "1000000000000000000", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseTimestamp(s)
		if !ok {
			return
		}
		if n < 0 || strconv.FormatInt(n, 10) != s {
			t.Fatalf("accepted %q as %d", s, n)
		}
		_ = time.Until(time.Unix(n, 0)) // no overflow panic in the tolerance check
	})
}

// FuzzVerify runs the whole entry point on arbitrary headers and bodies,
// and on mutations of a valid delivery: no panic, a typed error for every
// failure, and acceptance only of a body and headers that carry a
// signature the secret made.
func FuzzVerify(f *testing.F) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 24))
	now := time.Unix(1716883200, 0)
	v, err := New(Config{Secrets: Secrets(secret), Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 24)
	sign := func(id, ts string, body []byte) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + ts + "."))
		m.Write(body)
		return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	body := []byte(`{"type":"user.created","object":"event","data":{"id":"user_1","object":"user"}}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Add("msg_1", ts, sign("msg_1", ts, body), body, false)
	f.Add("msg_1", ts, sign("msg_1", ts, body), body, true)
	f.Add("msg_1", ts, sign("msg_1", ts, body)+" v1,AAAA", body, false)
	f.Add("", "", "", []byte(nil), false)
	f.Add("msg_1", "1e9", "v1,x", []byte("{"), false)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte, standard bool) {
		h := http.Header{}
		prefix := "svix-"
		if standard {
			prefix = "webhook-"
		}
		h.Set(prefix+"id", id)
		h.Set(prefix+"timestamp", ts)
		h.Set(prefix+"signature", sig)
		ev, err := v.Verify(h.Get, body)
		if err != nil {
			if ReasonOf(err) == "" || ev != nil {
				t.Fatalf("untyped error %v (event %v)", err, ev)
			}
			return
		}
		// Accepted: one of the entries must be the signature of exactly
		// what was received (after the header trimming HTTP does anyway).
		id, ts = strings.Trim(h.Get(prefix+"id"), " \t"), strings.Trim(h.Get(prefix+"timestamp"), " \t")
		if !strings.Contains(sig, sign(id, ts, body)) {
			t.Fatalf("accepted a delivery that the secret did not sign: %q %q %q", id, ts, sig)
		}
		if ev.Type == "" || ev.MessageID != id {
			t.Fatalf("event %+v", ev)
		}
		ev.Decode() // must not panic
	})
}

func TestSeenSet(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newSeenSet(3)
	has := func(id string, at time.Time) bool { return s.check(id, at, time.Time{}) }
	s.add("a", now, now.Add(10*time.Second))
	s.add("b", now, now.Add(20*time.Second))
	s.add("expired", now, now.Add(-time.Nanosecond)) // already expired: not kept
	if !has("a", now) || !has("b", now) || has("expired", now) || s.len() != 2 {
		t.Fatalf("after adds: a %v b %v len %d", has("a", now), has("b", now), s.len())
	}
	edge := now.Add(10 * time.Second)
	if !has("a", edge) { // its last instant is included
		t.Error("a forgotten at its last instant")
	}
	later := edge.Add(time.Nanosecond)
	if has("a", later) || !has("b", later) {
		t.Error("expiry")
	}
	s.add("c", later, later.Add(time.Minute)) // evicts the expired a first
	s.add("d", later, later.Add(time.Minute))
	if s.len() != 3 || has("a", later) {
		t.Errorf("len %d", s.len())
	}
	s.add("e", later, later.Add(time.Minute)) // full: forgets the oldest, b
	if has("b", later) || !has("c", later) || !has("e", later) || s.len() != 3 {
		t.Errorf("eviction of the oldest: len %d", s.len())
	}
	s.add("c", later, later.Add(time.Hour)) // re-adding extends
	if !has("c", later.Add(30*time.Minute)) || s.len() != 3 {
		t.Error("re-add")
	}
	if !s.check("d", later, later.Add(2*time.Hour)) || !has("d", later.Add(90*time.Minute)) { // a hit extends too
		t.Error("a hit did not extend the entry")
	}
	if s.check("nope", later, later.Add(time.Hour)) || s.len() != 3 { // a miss adds nothing
		t.Error("a miss was remembered")
	}
	much := later.Add(3 * time.Hour)
	s.add("f", much, much.Add(time.Second))
	if s.len() != 1 {
		t.Errorf("all expired entries should go: len %d", s.len())
	}
}
