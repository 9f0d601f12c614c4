package core

import "encoding/base64"

// The peekers read claims of a token that is not verified, only ever to
// choose a rule (which kind of token, which cookie, which refusal), never
// to grant anything.

// peekSubject returns the sub of an unverified payload, or "".
func peekSubject(payload string) string { return peekString(payload, "sub") }

// peekString returns the string claim name of an unverified payload (its
// first occurrence), or "".
func peekString(payload, name string) string {
	var v string
	r := jsonReader{s: payload}
	_ = r.object(func(key string) error {
		if key == name && r.peek() == '"' {
			if err := r.str(&v); err != nil {
				return err
			}
			return errStop
		}
		return r.skip()
	})
	return v
}

// peeked is what peekToken reads from an unverified token.
type peeked struct {
	iss      string
	iat, exp float64
}

// peekToken reads iss, iat and exp from a token's payload without
// verifying anything; zero values when it cannot.
func peekToken(token string) peeked {
	var p peeked
	first, last := indexDot(token), lastDot(token)
	if first < 0 || first == last {
		return p
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[first+1 : last])
	if err != nil {
		return p
	}
	r := jsonReader{s: string(raw)}
	_ = r.object(func(key string) error {
		switch key {
		case "iss":
			if r.peek() == '"' {
				return r.str(&p.iss)
			}
		case "iat":
			if v, ok, err := r.float(); ok && err == nil {
				p.iat = v
				return nil
			}
			return errJSON
		case "exp":
			if v, ok, err := r.float(); ok && err == nil {
				p.exp = v
				return nil
			}
			return errJSON
		}
		return r.skip()
	})
	return p
}
