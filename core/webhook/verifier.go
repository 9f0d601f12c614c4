package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clerkgo/clerk/internal/secret"
)

// Defaults and limits of a [Verifier].
const (
	// EnvSigningSecret is the environment variable [NewFromEnv] reads: the
	// endpoint's signing secret from the Clerk Dashboard (whsec_...), or
	// several separated by spaces or commas during a rotation.
	EnvSigningSecret = "CLERK_WEBHOOK_SIGNING_SECRET" //nolint:gosec // a variable's name, not a credential
	// SecretPrefix starts the signing secrets the Clerk Dashboard shows. It
	// may be left out: as in Svix's own libraries, a secret is accepted
	// with or without it (the base64 of the key alone).
	SecretPrefix = "whsec_"
	// MinSecretSize is the least number of key bytes (the base64-decoded
	// part after whsec_) a secret must have. Svix's secrets have 24.
	MinSecretSize = 24
	// DefaultTolerance is how far a delivery's timestamp may be from the
	// clock, either way, as in Svix's own libraries.
	DefaultTolerance = 5 * time.Minute
	// DefaultMaxBodySize bounds the body of a delivery: 1 MiB.
	DefaultMaxBodySize = 1 << 20
	// MaxIDSize bounds the message id (svix-id).
	MaxIDSize = 256
	// MaxSignatureHeaderSize bounds the signature header. One signature
	// takes 47 bytes, so it has room for dozens of secrets.
	MaxSignatureHeaderSize = 4096
)

// Config describes how deliveries are verified. Only Secrets is required;
// the zero value of the other fields selects the default.
type Config struct {
	// Secrets are the endpoint's signing secrets (whsec_... from the Clerk
	// Dashboard; the whsec_ prefix may be left out, as Svix's libraries
	// allow), built with [Secrets]. A delivery is accepted when one of
	// its signatures matches under any of them, so during a rotation list
	// the new and the old.
	Secrets []Secret
	// Tolerance is how far the delivery's timestamp may be from Now, either
	// way. Default 5 minutes; negative values are rejected.
	Tolerance time.Duration
	// MaxBodySize bounds the body in bytes. Default 1 MiB; negative values
	// are rejected.
	MaxBodySize int64
	// Now is the clock. Default time.Now. Tests inject their own.
	Now func() time.Time
}

// ConfigFromEnv returns a Config with the secrets of
// CLERK_WEBHOOK_SIGNING_SECRET (several may be separated by spaces or
// commas). An unset or empty variable yields [ErrNoSecret].
func ConfigFromEnv() (Config, error) {
	var secrets []Secret
	for _, s := range strings.FieldsFunc(os.Getenv(EnvSigningSecret), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}) {
		secrets = append(secrets, NewSecret(s))
	}
	if len(secrets) == 0 {
		return Config{}, ErrNoSecret
	}
	return Config{Secrets: secrets}, nil
}

// Secret is a signing secret (whsec_...), held so that nothing prints it:
// String, GoString, Format, LogValue and MarshalJSON show "[redacted]" (""
// for an empty secret), and fmt reaches no value even where it calls no
// method (an unexported struct field, %p). Build one with [NewSecret] or
// [Secrets]; the zero Secret is empty.
type Secret struct{ value secret.String }

// NewSecret wraps a signing secret.
func NewSecret(s string) Secret { return Secret{value: secret.New(s)} }

// Secrets wraps several signing secrets, for [Config].Secrets.
func Secrets(s ...string) []Secret {
	out := make([]Secret, len(s))
	for i, v := range s {
		out[i] = NewSecret(v)
	}
	return out
}

// reveal returns the secret's value.
func (s Secret) reveal() string { return s.value.Reveal() }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string { return s.value.String() }

// GoString is String.
func (s Secret) GoString() string { return s.value.GoString() }

// Format writes String for every verb.
func (s Secret) Format(f fmt.State, verb rune) { s.value.Format(f, verb) }

// LogValue is the redacted form for log/slog.
func (s Secret) LogValue() slog.Value { return s.value.LogValue() }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return s.value.MarshalJSON() }

// String describes the config with every secret redacted.
func (c Config) String() string {
	return fmt.Sprintf("webhook.Config{Secrets:%s Tolerance:%s MaxBodySize:%d}", redacted(len(c.Secrets)), c.Tolerance, c.MaxBodySize)
}

// GoString is String, so that %#v redacts the secrets too.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb, so that no verb (%x, %d, ...) prints
// a secret.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue is the redacted form for log/slog.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("secrets", redacted(len(c.Secrets))),
		slog.Duration("tolerance", c.Tolerance),
		slog.Int64("max_body_size", c.MaxBodySize),
	)
}

// redacted describes n secrets without showing any.
func redacted(n int) string {
	if n == 1 {
		return "[1 redacted]"
	}
	return "[" + strconv.Itoa(n) + " redacted]"
}

// Verifier verifies Clerk webhook deliveries (Clerk delivers through Svix):
// the signature over the message id, timestamp and raw body, the timestamp
// against the clock, and the body size. It is immutable and safe for
// concurrent use; formatting or logging it never shows a secret.
type Verifier struct {
	// keys returns the decoded signing keys. A closure: fmt and slog print
	// a func as an address, so even a Verifier printed without its methods
	// (a copy in an unexported field, a verb that bypasses Format) shows no
	// key.
	keys      func() [][]byte
	tolerance time.Duration
	maxBody   int64
	now       func() time.Time
}

// New returns a Verifier for cfg. Every invalid setting is a
// [*ConfigError] that names the setting (Secrets[1], Tolerance, ...), never
// its value; no secret at all is [ErrNoSecret].
func New(cfg Config) (*Verifier, error) {
	return newVerifier(cfg, func(i int) string { return "Secrets[" + strconv.Itoa(i) + "]" })
}

// NewFromEnv returns a Verifier for the secrets of
// CLERK_WEBHOOK_SIGNING_SECRET with the default tolerance and body size.
func NewFromEnv() (*Verifier, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	return newVerifier(cfg, func(int) string { return EnvSigningSecret })
}

func newVerifier(cfg Config, field func(i int) string) (*Verifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, ErrNoSecret
	}
	v := &Verifier{tolerance: cfg.Tolerance, maxBody: cfg.MaxBodySize, now: cfg.Now}
	keys := make([][]byte, 0, len(cfg.Secrets))
	for i, s := range cfg.Secrets {
		key, problem := decodeSecret(s.reveal())
		if problem != "" {
			return nil, &ConfigError{Field: field(i), Problem: problem}
		}
		keys = append(keys, key)
	}
	v.keys = func() [][]byte { return keys }
	switch {
	case v.tolerance < 0:
		return nil, &ConfigError{Field: "Tolerance", Problem: "must not be negative"}
	case v.tolerance == 0:
		v.tolerance = DefaultTolerance
	}
	switch {
	case v.maxBody < 0:
		return nil, &ConfigError{Field: "MaxBodySize", Problem: "must not be negative"}
	case v.maxBody == 0:
		v.maxBody = DefaultMaxBodySize
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// decodeSecret returns the key of a secret (whsec_ and the base64 of the
// key, or the base64 alone), or a problem that does not quote the secret.
func decodeSecret(s string) ([]byte, string) {
	if s == "" {
		return nil, "is empty"
	}
	// The prefix is optional, as in Svix's own libraries, which strip it
	// when present and decode the rest.
	rest := strings.TrimPrefix(s, SecretPrefix)
	if strings.HasPrefix(rest, "sk_") || strings.HasPrefix(rest, "pk_") {
		return nil, "is a Clerk API key, not a webhook signing secret (" + SecretPrefix + "..., on the endpoint's page of the Clerk Dashboard)"
	}
	// Go's base64 decoders skip CR and LF; a secret with them is a paste
	// error, not another spelling of the key.
	if strings.ContainsAny(rest, "\r\n") {
		return nil, "must not contain line breaks"
	}
	key, err := base64.StdEncoding.Strict().DecodeString(rest)
	if err != nil {
		return nil, `must be "` + SecretPrefix + `" followed by standard base64 (the prefix may be left out)`
	}
	if len(key) < MinSecretSize {
		return nil, "is too short: the part after " + SecretPrefix + " must decode to at least " + strconv.Itoa(MinSecretSize) + " bytes"
	}
	return key, ""
}

// Tolerance returns the timestamp tolerance in force.
func (v *Verifier) Tolerance() time.Duration {
	if v == nil {
		return 0
	}
	return v.tolerance
}

// MaxBodySize returns the body size limit in force.
func (v *Verifier) MaxBodySize() int64 {
	if v == nil {
		return 0
	}
	return v.maxBody
}

// String describes the verifier with its secrets redacted.
func (v *Verifier) String() string {
	if v == nil {
		return "webhook.Verifier(nil)"
	}
	n := 0
	if v.keys != nil {
		n = len(v.keys())
	}
	return fmt.Sprintf("webhook.Verifier{Secrets:%s Tolerance:%s MaxBodySize:%d}", redacted(n), v.tolerance, v.maxBody)
}

// GoString is String, so that %#v redacts the secrets too.
func (v *Verifier) GoString() string { return v.String() }

// Format writes String for every verb, so that no verb prints a key.
func (v *Verifier) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, v.String()) }

// LogValue is the redacted form for log/slog.
func (v *Verifier) LogValue() slog.Value { return slog.StringValue(v.String()) }

// Verify checks a delivery: header looks up a request header by name (it
// must ignore case, as [net/http.Header.Get] does; pass r.Header.Get, or
// c.Get in Fiber) and body is the raw request body, byte for byte. It
// returns the event on success, and an [*Error] otherwise.
//
// The headers are svix-id, svix-timestamp and svix-signature, or, when
// those are not all present, webhook-id, webhook-timestamp and
// webhook-signature (the Standard Webhooks names). The signature header
// lists space-separated "v1,<base64>" entries; entries of other versions
// are ignored, and one matching v1 entry under any secret is enough.
func (v *Verifier) Verify(header func(name string) string, body []byte) (*Event, error) {
	if v == nil || v.keys == nil {
		return nil, ErrNoSecret
	}
	ev, _, err := v.verifyEvent(header, body)
	return ev, err
}

// verifyEvent is Verify, also returning what the headers said and the
// instant the timestamp was checked at.
func (v *Verifier) verifyEvent(header func(name string) string, body []byte) (*Event, delivery, error) {
	d, err := v.verify(header, body)
	if err != nil {
		return nil, delivery{}, err
	}
	ev, err := decodeEvent(body)
	if err != nil {
		return nil, delivery{}, err
	}
	ev.MessageID, ev.SignedAt = d.id, d.signedAt
	return ev, d, nil
}

// VerifySignature is [Verifier.Verify] without the payload: it checks the
// headers, the timestamp, the size and the signature of any body, Clerk
// event or not (another sender of Standard Webhooks, a test vector).
func (v *Verifier) VerifySignature(header func(name string) string, body []byte) error {
	if v == nil || v.keys == nil {
		return ErrNoSecret
	}
	_, err := v.verify(header, body)
	return err
}

// VerifyReader is [Verifier.Verify] for a body read from r. It reads at
// most MaxBodySize+1 bytes: a larger body is [ErrBodyTooLarge], read no
// further.
func (v *Verifier) VerifyReader(header func(name string) string, r io.Reader) (*Event, error) {
	if v == nil || v.keys == nil {
		return nil, ErrNoSecret
	}
	body, err := v.readBody(r)
	if err != nil {
		return nil, err
	}
	return v.Verify(header, body)
}

// VerifyRequest is [Verifier.Verify] for a net/http request: its headers
// and its body, read up to the size limit (a Content-Length above it is
// rejected before reading).
func (v *Verifier) VerifyRequest(r *http.Request) (*Event, error) {
	if v == nil || v.keys == nil {
		return nil, ErrNoSecret
	}
	ev, _, err := v.verifyRequest(r)
	return ev, err
}

// verifyRequest is VerifyRequest, also returning the delivery.
func (v *Verifier) verifyRequest(r *http.Request) (*Event, delivery, error) {
	if r == nil {
		return nil, delivery{}, newError(ReasonHeadersMissing, nil)
	}
	if r.ContentLength > v.maxBody {
		return nil, delivery{}, newError(ReasonBodyTooLarge, nil)
	}
	body, err := v.readBody(r.Body)
	if err != nil {
		return nil, delivery{}, err
	}
	return v.verifyEvent(r.Header.Get, body)
}

// readBody reads r up to the size limit.
func (v *Verifier) readBody(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r, v.maxBody+1))
	if int64(len(body)) > v.maxBody {
		return nil, newError(ReasonBodyTooLarge, nil)
	}
	if err != nil {
		return nil, newError(ReasonBodyUnreadable, err)
	}
	return body, nil
}

// delivery is what the headers of a verified delivery say, and when they
// were checked.
type delivery struct {
	id       string
	signedAt time.Time
	checked  time.Time // the verifier's clock when the timestamp was checked
}

// acceptedUntil is the last instant at which a delivery signed at signedAt
// passes the timestamp check (that instant included). Dedup remembers a
// message id exactly as long, so that no replay the verifier accepts gets
// past it.
func (v *Verifier) acceptedUntil(signedAt time.Time) time.Time {
	return signedAt.Add(v.tolerance)
}

// verify checks everything but the payload's JSON.
func (v *Verifier) verify(header func(string) string, body []byte) (delivery, error) {
	if int64(len(body)) > v.maxBody {
		return delivery{}, newError(ReasonBodyTooLarge, nil)
	}
	id, ts, sigs, ok := lookupHeaders(header)
	if !ok {
		return delivery{}, newError(ReasonHeadersMissing, nil)
	}
	if !validID(id) {
		return delivery{}, newError(ReasonIDInvalid, nil)
	}
	sec, ok := parseTimestamp(ts)
	if !ok {
		return delivery{}, newError(ReasonTimestampInvalid, nil)
	}
	signedAt := time.Unix(sec, 0)
	now := v.now()
	if now.After(v.acceptedUntil(signedAt)) {
		return delivery{}, newError(ReasonTimestampTooOld, nil)
	}
	if signedAt.Sub(now) > v.tolerance {
		return delivery{}, newError(ReasonTimestampTooNew, nil)
	}
	if !validSignatures(sigs) {
		return delivery{}, newError(ReasonSignatureMalformed, nil)
	}
	for _, key := range v.keys() {
		mac := hmac.New(sha256.New, key)
		_, _ = io.WriteString(mac, id)
		mac.Write([]byte{'.'})
		_, _ = io.WriteString(mac, ts)
		mac.Write([]byte{'.'})
		mac.Write(body)
		var sum [sha256.Size]byte
		if matchSignature(sigs, mac.Sum(sum[:0])) {
			return delivery{id: id, signedAt: signedAt, checked: now}, nil
		}
	}
	return delivery{}, newError(ReasonSignatureMismatch, nil)
}
