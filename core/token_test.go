package core

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// jwsOf builds a compact JWS of the header and payload JSON texts with a
// 256-byte signature that parseJWS does not check.
func jwsOf(header, payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." +
		enc.EncodeToString(bytes.Repeat([]byte{0xA5}, 256))
}

// TestParseJWSHeaderRules holds the header rules of the jwsbb path: what a
// member of each JSON type means, and the members jwx's full parser used
// to refuse that jwsbb does not read (embedded keys, which clerkgo never
// uses).
func TestParseJWSHeaderRules(t *testing.T) {
	const payload = `{"sub":"user_1","exp":1800000000}`
	tests := []struct {
		name, header string
		want         Reason
		typ, cat     string
	}{
		{"clerk header", `{"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"ins_1","typ":"JWT"}`, "", "JWT", categorySession},
		{"white space around and inside", " {\"alg\" : \"RS256\",\n\"kid\":\"ins_1\"}\t", "", "", ""},
		{"escaped names and values", `{"\u0061lg":"RS\u0032\u00356","kid":"ins_\u0031"}`, "", "", ""},
		{"RS512", `{"alg":"RS512","kid":"ins_1"}`, "", "", ""},
		{"alg absent", `{"kid":"ins_1"}`, ReasonTokenInvalidAlgorithm, "", ""},
		{"alg none", `{"alg":"none","kid":"ins_1"}`, ReasonTokenInvalidAlgorithm, "", ""},
		{"alg lower case", `{"alg":"rs256","kid":"ins_1"}`, ReasonTokenInvalidAlgorithm, "", ""},
		{"alg PS256", `{"alg":"PS256","kid":"ins_1"}`, ReasonTokenInvalidAlgorithm, "", ""},
		{"alg null", `{"alg":null,"kid":"ins_1"}`, ReasonTokenMalformed, "", ""},
		{"alg list", `{"alg":["RS256"],"kid":"ins_1"}`, ReasonTokenMalformed, "", ""},
		{"alg repeated", `{"alg":"none","alg":"RS256","kid":"ins_1"}`, ReasonTokenMalformed, "", ""},
		{"alg repeated, escaped", `{"alg":"none","\u0061lg":"RS256","kid":"ins_1"}`, ReasonTokenMalformed, "", ""},
		{"kid absent", `{"alg":"RS256"}`, ReasonTokenMissingKID, "", ""},
		{"kid empty", `{"alg":"RS256","kid":""}`, ReasonTokenMissingKID, "", ""},
		{"kid null", `{"alg":"RS256","kid":null}`, ReasonTokenMissingKID, "", ""},
		{"kid number", `{"alg":"RS256","kid":1}`, ReasonTokenMalformed, "", ""},
		{"kid object", `{"alg":"RS256","kid":{}}`, ReasonTokenMalformed, "", ""},
		{"typ null", `{"alg":"RS256","kid":"ins_1","typ":null}`, "", "", ""},
		{"typ number", `{"alg":"RS256","kid":"ins_1","typ":1}`, ReasonTokenMalformed, "", ""},
		{"typ object", `{"alg":"RS256","kid":"ins_1","typ":{}}`, ReasonTokenMalformed, "", ""},
		{"typ at+jwt", `{"alg":"RS256","kid":"ins_1","typ":"at+jwt"}`, "", "at+jwt", ""},
		{"crit list", `{"alg":"RS256","kid":"ins_1","crit":["exp"]}`, ReasonTokenUnsupportedCriticalHeader, "", ""},
		{"crit string", `{"alg":"RS256","kid":"ins_1","crit":"exp"}`, ReasonTokenUnsupportedCriticalHeader, "", ""},
		{"crit null", `{"alg":"RS256","kid":"ins_1","crit":null}`, ReasonTokenUnsupportedCriticalHeader, "", ""},
		{"b64 false", `{"alg":"RS256","kid":"ins_1","b64":false}`, ReasonTokenUnsupportedCriticalHeader, "", ""},
		{"b64 null", `{"alg":"RS256","kid":"ins_1","b64":null}`, ReasonTokenUnsupportedCriticalHeader, "", ""},
		{"cat m2m", `{"alg":"RS256","kid":"ins_1","cat":"cl_B7d4PD333AAA"}`, "", "", categoryM2M},
		{"cat other", `{"alg":"RS256","kid":"ins_1","cat":"cl_x"}`, "", "", "cl_x"},
		{"cat number", `{"alg":"RS256","kid":"ins_1","cat":1}`, "", "", "\x00"},
		{"cat null", `{"alg":"RS256","kid":"ins_1","cat":null}`, "", "", "\x00"},
		{"jwk not a key", `{"alg":"RS256","kid":"ins_1","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}`, "", "", ""},
		{"x5c not a chain", `{"alg":"RS256","kid":"ins_1","x5c":["MIIB"]}`, "", "", ""},
		{"not an object", `["RS256"]`, ReasonTokenMalformed, "", ""},
		{"trailing bytes", `{"alg":"RS256","kid":"ins_1"}x`, ReasonTokenMalformed, "", ""},
		{"two objects", `{"alg":"RS256","kid":"ins_1"}{}`, ReasonTokenMalformed, "", ""},
		{"invalid UTF-8", "{\"alg\":\"RS256\",\"kid\":\"ins_\xff\"}", ReasonTokenMalformed, "", ""},
		{"nested repeated name", `{"alg":"RS256","kid":"ins_1","x":{"a":1,"a":2}}`, ReasonTokenMalformed, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := jwsOf(tt.header, payload)
			p, r, _ := parseJWS(token)
			if r != tt.want {
				t.Fatalf("reason = %q, want %q", r, tt.want)
			}
			if r != "" {
				return
			}
			if p.typ != tt.typ || p.cat != tt.cat || p.hasCat != (tt.cat != "") {
				t.Errorf("typ %q cat %q (present %v), want typ %q cat %q", p.typ, p.cat, p.hasCat, tt.typ, tt.cat)
			}
			if p.kid != "ins_1" || !acceptedAlg(p.alg) || p.payload != payload || len(p.signature) != 256 {
				t.Errorf("parsed %+v", p)
			}
			if string(p.signingInput) != token[:lastDot(token)] {
				t.Errorf("signing input %q", p.signingInput)
			}
		})
	}
}

// TestParseJWSLargeSegments covers headers and payloads too large for the
// stack buffers.
func TestParseJWSLargeSegments(t *testing.T) {
	big := make([]byte, 3*maxStackPayload)
	for i := range big {
		big[i] = 'a'
	}
	header := `{"alg":"RS256","kid":"ins_1","x":"` + string(big) + `"}`
	payload := `{"sub":"user_1","exp":1800000000,"x":"` + string(big) + `"}`
	p, r, err := parseJWS(jwsOf(header, payload))
	if r != "" || p.payload != payload || p.kid != "ins_1" {
		t.Fatalf("reason %q (%v), payload of %d bytes", r, err, len(p.payload))
	}
}

// TestParseJWSAllocations keeps the parse step on jwx's fast path: jws.Parse
// took 77 allocations for a Clerk token; jwsbb with our checks in front
// takes about a sixth of that.
func TestParseJWSAllocations(t *testing.T) {
	token := jwsOf(`{"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"ins_2abc","typ":"JWT"}`,
		`{"azp":"https://example.com","exp":1800000000,"iat":1799999940,"iss":"https://clerk.example.com","nbf":1799999930,"sid":"sess_1","sub":"user_1","v":2}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, r, _ := parseJWS(token); r != "" {
			t.Fatal(r)
		}
	})
	if allocs > 16 {
		t.Fatalf("parseJWS: %v allocations per token, want <= 16", allocs)
	}
	t.Logf("parseJWS: %v allocations per token", allocs)
}

// FuzzMachineSubject: the shortcut that skips the peek at sub for payloads
// with neither "mch_" nor a JSON escape in them decides as the full peek
// does, for any payload.
func FuzzMachineSubject(f *testing.F) {
	f.Add(`{"sub":"user_1","exp":1800000000}`)
	f.Add(`{"sub":"mch_1"}`)
	f.Add(`{"sub":"\u006dch_1"}`)
	f.Add(`{"azp":"mch_","sub":"user_1"}`)
	f.Add(`{"sub":"m\u0063h_1","sub":"user_1"}`)
	f.Add(`{"x":"\"","sub":"mch_"}`)
	f.Fuzz(func(t *testing.T, payload string) {
		tok := jwsToken{payload: payload}
		if got, want := tok.machineSubject(), strings.HasPrefix(peekSubject(payload), machineSubjectPrefix); got != want {
			t.Fatalf("machineSubject(%q) = %v, the full peek says %v", payload, got, want)
		}
	})
}
