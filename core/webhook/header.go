package webhook

import (
	"crypto/hmac"
	"encoding/base64"
	"strconv"
	"strings"
)

// Header names of a delivery: Svix's, and the Standard Webhooks names that
// Svix also sends for white-labelled endpoints. Header names ignore case;
// these are in net/http's canonical form, which [net/http.Header.Get]
// looks up without allocating.
const (
	HeaderSvixID                   = "Svix-Id"
	HeaderSvixTimestamp            = "Svix-Timestamp"
	HeaderSvixSignature            = "Svix-Signature"
	HeaderStandardWebhookID        = "Webhook-Id"
	HeaderStandardWebhookTimestamp = "Webhook-Timestamp"
	HeaderStandardWebhookSignature = "Webhook-Signature"
)

// lookupHeaders returns the id, timestamp and signature headers: the svix-*
// set when all three are present, else the webhook-* set when all three are
// present. The two sets are never mixed.
func lookupHeaders(header func(string) string) (id, ts, sigs string, ok bool) {
	if header == nil {
		return "", "", "", false
	}
	get := func(name string) string { return strings.Trim(header(name), " \t") }
	id, ts, sigs = get(HeaderSvixID), get(HeaderSvixTimestamp), get(HeaderSvixSignature)
	if id != "" && ts != "" && sigs != "" {
		return id, ts, sigs, true
	}
	id, ts, sigs = get(HeaderStandardWebhookID), get(HeaderStandardWebhookTimestamp), get(HeaderStandardWebhookSignature)
	if id != "" && ts != "" && sigs != "" {
		return id, ts, sigs, true
	}
	return "", "", "", false
}

// validID reports whether id is 1 to MaxIDSize bytes of printable ASCII
// without spaces or dots. Svix's ids look like
// msg_2Lh9KRb0pzN4LePd3XiA4bHjxcx. Without a dot in the id, the signed
// content "<id>.<timestamp>.<body>" splits one way only: an id such as
// "msg.1716883200" cannot pass its digits off as the timestamp of another
// delivery with a longer body.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDSize {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' || id[i] == '.' {
			return false
		}
	}
	return true
}

// maxTimestampDigits keeps the seconds far from int64 overflow in any
// arithmetic on them (1e18 s is 31 billion years).
const maxTimestampDigits = 18

// parseTimestamp parses a timestamp header: a decimal number of seconds
// since the Unix epoch in its one canonical spelling (digits only, no sign,
// no leading zero). The signature covers the header's text, so a second
// spelling of the same instant is refused rather than re-formatted.
func parseTimestamp(s string) (int64, bool) {
	if s == "" || len(s) > maxTimestampDigits || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// v1SigLen is the length of the base64 of an HMAC-SHA256.
const v1SigLen = 44

// validSignatures reports whether h is a space-separated list (empty
// entries from repeated spaces are skipped) of at least one
// "<version>,<value>" entry, where version is 1 to 8 lower-case letters or
// digits and value is not empty, and every v1 value is the canonical
// base64 of 32 bytes. Entries of other versions are not looked into.
func validSignatures(h string) bool {
	if len(h) > MaxSignatureHeaderSize {
		return false
	}
	entries := 0
	for rest := h; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		if entry == "" {
			continue
		}
		version, value, ok := strings.Cut(entry, ",")
		if !ok || !validVersion(version) || value == "" {
			return false
		}
		if version == "v1" {
			if _, ok := decodeV1(value); !ok {
				return false
			}
		}
		entries++
	}
	return entries > 0
}

// validVersion reports whether v is 1 to 8 lower-case letters or digits.
func validVersion(v string) bool {
	if v == "" || len(v) > 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if (v[i] < 'a' || v[i] > 'z') && (v[i] < '0' || v[i] > '9') {
			return false
		}
	}
	return true
}

// decodeV1 decodes a v1 signature: exactly the canonical standard base64
// of 32 bytes. Go's decoder skips CR and LF, so the value must also
// re-encode to itself: one signature has one spelling.
func decodeV1(value string) ([32]byte, bool) {
	var sig [32]byte
	if len(value) != v1SigLen {
		return sig, false
	}
	// 44 characters without padding decode to 33 bytes: room for them, so
	// that such a value is refused rather than overflowing.
	var buf [33]byte
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(value))
	if err != nil || n != len(sig) {
		return sig, false
	}
	copy(sig[:], buf[:n])
	var again [v1SigLen]byte
	base64.StdEncoding.Encode(again[:], sig[:])
	return sig, string(again[:]) == value
}

// matchSignature reports whether one v1 entry of the (valid) header h
// equals mac, comparing in constant time.
func matchSignature(h string, mac []byte) bool {
	matched := false
	for rest := h; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		value, ok := strings.CutPrefix(entry, "v1,")
		if !ok {
			continue
		}
		sig, ok := decodeV1(value)
		if ok && hmac.Equal(sig[:], mac) {
			matched = true // no early exit: the time does not tell which entry matched
		}
	}
	return matched
}
