package clerktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookSecretSize is the number of random key bytes of a secret from
// [NewWebhookSecret], as in the secrets Svix issues.
const WebhookSecretSize = 24

// NewWebhookSecret returns a new random webhook signing secret in Clerk's
// (Svix's) form: "whsec_" followed by the base64 of 24 random bytes.
func NewWebhookSecret() string {
	key := make([]byte, WebhookSecretSize)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Sprintf("clerktest: random: %v", err))
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// ErrWebhookSecret is returned by [NewWebhookSigner] for a secret that is
// not "whsec_" followed by standard base64. The error never quotes the
// secret.
var ErrWebhookSecret = errors.New(`clerktest: webhook secret must be "whsec_" followed by standard base64`)

// WebhookSigner signs webhook deliveries the way Clerk's webhooks (sent
// through Svix) are signed, so that tests can post them to the handler under
// test: HMAC-SHA256, keyed with the base64-decoded part of the secret after
// "whsec_", over "<svix-id>.<svix-timestamp>.<body>", sent as
// "svix-signature: v1,<base64>". With several secrets (a rotation) every
// delivery carries one signature per secret, as Svix sends them.
//
// It is safe for concurrent use. Formatting or logging it never shows a
// secret.
type WebhookSigner struct {
	// keys is a closure: fmt prints a func as an address, so even a copy
	// printed without the methods shows no secret.
	keys func() *webhookKeys
}

type webhookKeys struct {
	secrets []string
	keys    [][]byte
}

// NewWebhookSigner returns a signer for the given secrets, or for one new
// secret ([NewWebhookSecret]) when none is given.
func NewWebhookSigner(secrets ...string) (*WebhookSigner, error) {
	if len(secrets) == 0 {
		secrets = []string{NewWebhookSecret()}
	}
	k := &webhookKeys{}
	for _, s := range secrets {
		rest, ok := strings.CutPrefix(s, "whsec_")
		key, err := base64.StdEncoding.Strict().DecodeString(rest)
		if !ok || err != nil || len(key) == 0 || strings.ContainsAny(rest, "\r\n") {
			return nil, ErrWebhookSecret
		}
		k.secrets = append(k.secrets, s)
		k.keys = append(k.keys, key)
	}
	return &WebhookSigner{keys: func() *webhookKeys { return k }}, nil
}

// Secret returns the signer's (first) secret, to configure the code under
// test with (for example as CLERK_WEBHOOK_SIGNING_SECRET).
func (s *WebhookSigner) Secret() string {
	if s == nil || s.keys == nil {
		return ""
	}
	return s.keys().secrets[0]
}

// Secrets returns all the signer's secrets, in the order of their
// signatures.
func (s *WebhookSigner) Secrets() []string {
	if s == nil || s.keys == nil {
		return nil
	}
	return append([]string(nil), s.keys().secrets...)
}

// Sign signs body as a new delivery: a fresh message id (msg_...) and the
// current time.
func (s *WebhookSigner) Sign(body []byte) WebhookDelivery {
	return s.SignAt(newID("msg_"), time.Now(), body)
}

// SignAt signs body as the delivery with message id id at time at
// (truncated to the second, as the svix-timestamp header is).
func (s *WebhookSigner) SignAt(id string, at time.Time, body []byte) WebhookDelivery {
	ts := strconv.FormatInt(at.Unix(), 10)
	d := WebhookDelivery{ID: id, Timestamp: ts, Body: append([]byte(nil), body...)}
	if s == nil || s.keys == nil {
		return d
	}
	keys := s.keys().keys
	sigs := make([]string, len(keys))
	for i, key := range keys {
		sigs[i] = "v1," + SignWebhook(key, id, ts, body)
	}
	d.Signature = strings.Join(sigs, " ")
	return d
}

// SignEvent builds a payload with [WebhookPayload] and signs it with
// [WebhookSigner.Sign].
func (s *WebhookSigner) SignEvent(eventType string, data any) (WebhookDelivery, error) {
	body, err := WebhookPayload(eventType, data)
	if err != nil {
		return WebhookDelivery{}, err
	}
	return s.Sign(body), nil
}

// SignWebhook returns the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"
// under key (the decoded secret): the value after "v1," in a signature
// header. It is the primitive under [WebhookSigner], for tests that forge
// deliveries by hand.
func SignWebhook(key []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	_, _ = io.WriteString(mac, id+"."+timestamp+".")
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// String describes the signer with its secrets redacted.
func (s *WebhookSigner) String() string {
	n := 0
	if s != nil && s.keys != nil {
		n = len(s.keys().keys)
	}
	return "clerktest.WebhookSigner{Secrets:[" + strconv.Itoa(n) + " redacted]}"
}

// GoString is String, so that %#v redacts the secrets too.
func (s *WebhookSigner) GoString() string { return s.String() }

// Format writes String for every verb.
func (s *WebhookSigner) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue is the redacted form for log/slog.
func (s *WebhookSigner) LogValue() slog.Value { return slog.StringValue(s.String()) }

// WebhookDelivery is one signed delivery: the three Svix headers and the
// body. Formatting or logging it shows the signature redacted (it is
// accepted for minutes by whoever holds the secret).
type WebhookDelivery struct {
	// ID is the svix-id header (msg_...).
	ID string
	// Timestamp is the svix-timestamp header: Unix seconds.
	Timestamp string
	// Signature is the svix-signature header: space-separated
	// "v1,<base64>" entries.
	Signature string
	// Body is the raw body.
	Body []byte
}

// Header returns the delivery's headers (svix-id, svix-timestamp,
// svix-signature and Content-Type: application/json), as Clerk sends them.
func (d WebhookDelivery) Header() http.Header {
	return http.Header{
		"Svix-Id":        {d.ID},
		"Svix-Timestamp": {d.Timestamp},
		"Svix-Signature": {d.Signature},
		"Content-Type":   {"application/json"},
	}
}

// StandardHeader returns the delivery's headers under the Standard Webhooks
// names (webhook-id, webhook-timestamp, webhook-signature).
func (d WebhookDelivery) StandardHeader() http.Header {
	return http.Header{
		"Webhook-Id":        {d.ID},
		"Webhook-Timestamp": {d.Timestamp},
		"Webhook-Signature": {d.Signature},
		"Content-Type":      {"application/json"},
	}
}

// Request returns a POST of the delivery to url, with its headers.
func (d WebhookDelivery) Request(url string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	req.Header = d.Header()
	return req, nil
}

// String describes the delivery with its signature redacted.
func (d WebhookDelivery) String() string {
	return fmt.Sprintf("clerktest.WebhookDelivery{ID:%q Timestamp:%q Signature:[redacted] Body:%d bytes}", d.ID, d.Timestamp, len(d.Body))
}

// GoString is String, so that %#v redacts the signature too.
func (d WebhookDelivery) GoString() string { return d.String() }

// Format writes String for every verb.
func (d WebhookDelivery) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, d.String()) }

// LogValue is the redacted form for log/slog.
func (d WebhookDelivery) LogValue() slog.Value { return slog.StringValue(d.String()) }

// WebhookPayload returns the JSON payload of a Clerk webhook event: the
// envelope {"data":...,"event_attributes":...,"instance_id":...,
// "object":"event","timestamp":...,"type":...} around data, which may be any
// value that encodes to JSON (a bapi.User, a [User] of the fake, a map, or
// a json.RawMessage such as [SampleWebhookData]'s). The timestamp is the
// current time in milliseconds.
func WebhookPayload(eventType string, data any) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("clerktest: webhook data: %w", err)
	}
	return json.Marshal(webhookEnvelope{
		Data: raw,
		EventAttributes: &webhookEventAttributes{HTTPRequest: &webhookHTTPRequest{
			ClientIP: "192.0.2.1", UserAgent: "Mozilla/5.0 (clerktest)",
		}},
		InstanceID: "ins_2clerktestInstance00000000",
		Object:     "event",
		Timestamp:  time.Now().UnixMilli(),
		Type:       eventType,
	})
}

// webhookEnvelope is the JSON of an event, members in Clerk's order.
type webhookEnvelope struct {
	Data            json.RawMessage         `json:"data"`
	EventAttributes *webhookEventAttributes `json:"event_attributes,omitempty"`
	InstanceID      string                  `json:"instance_id"`
	Object          string                  `json:"object"`
	Timestamp       int64                   `json:"timestamp"`
	Type            string                  `json:"type"`
}

type webhookEventAttributes struct {
	HTTPRequest *webhookHTTPRequest `json:"http_request,omitempty"`
}

type webhookHTTPRequest struct {
	ClientIP  string `json:"client_ip"`
	UserAgent string `json:"user_agent"`
}
