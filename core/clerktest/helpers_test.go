package clerktest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Keys are generated once per test binary: RSA-2048 generation is slow
// under -race.
var (
	testKeyA = sync.OnceValue(GenerateKey)
	testKeyB = sync.OnceValue(GenerateKey)
)

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := New(append([]Option{WithKey(testKeyA())}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

func newRequest(s *Server, method, path, body string) (*http.Request, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err == nil && body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

func send(t *testing.T, s *Server, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// do sends a request to the fake, with the secret key when auth is true.
func do(t *testing.T, s *Server, method, path string, auth bool, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := newRequest(s, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	}
	return send(t, s, req)
}

func fetchJWKS(t *testing.T, s *Server, path string) JWKS {
	t.Helper()
	resp, body := do(t, s, "GET", path, true, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var set JWKS
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	return set
}

type parsedToken struct {
	header, payload map[string]any
}

// verify checks token against the key set with crypto/rsa only and returns
// the decoded header and payload.
func verify(set JWKS, token string) (parsedToken, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return parsedToken{}, errors.New("not a compact JWS")
	}
	var pt parsedToken
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return pt, err
	}
	if err := json.Unmarshal(hb, &pt.header); err != nil {
		return pt, err
	}
	kid, _ := pt.header["kid"].(string)
	var pub *rsa.PublicKey
	for _, k := range set.Keys {
		if k.Kid == kid {
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err := errors.Join(err1, err2); err != nil {
				return pt, err
			}
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if pub == nil {
		return pt, fmt.Errorf("kid %q not in JWKS", kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return pt, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return pt, err
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return pt, err
	}
	dec := json.NewDecoder(strings.NewReader(string(pb)))
	dec.UseNumber()
	if err := dec.Decode(&pt.payload); err != nil {
		return pt, err
	}
	return pt, nil
}

func mustVerify(t *testing.T, set JWKS, token string) parsedToken {
	t.Helper()
	pt, err := verify(set, token)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return pt
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func decodeErrors(t *testing.T, body []byte) ErrorResponse {
	t.Helper()
	var er ErrorResponse
	if err := json.Unmarshal(body, &er); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if len(er.Errors) == 0 || er.Errors[0].Code == "" || er.Errors[0].Message == "" || er.Errors[0].LongMessage == "" {
		t.Fatalf("not a Clerk error body: %s", body)
	}
	if er.ClerkTraceID == "" {
		t.Fatalf("no clerk_trace_id: %s", body)
	}
	return er
}
