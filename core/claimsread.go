package core

import (
	"errors"
	"math"
	"strings"
)

// This file reads token claims on the strict [jsonReader] of jsonread.go:
// the registered claims every JWT this package verifies shares (one reader,
// [registered.read], which session tokens (decodePayload) and machine JWTs
// (parseMachineClaims) both reach through [jsonReader.claims]), Clerk's
// session claims, and the typed values they hold.

// registered holds the registered claims (RFC 7519 §4.1) read from a token
// of any kind. Presence flags tell absent from zero. jti is not among them:
// only machine tokens read it.
type registered struct {
	sub                    string
	hasSub                 bool
	iss                    string
	exp, iat, nbf          float64
	hasExp, hasIat, hasNbf bool
	aud                    []string // nil: absent
}

// read reads the member named key into rc when it is a registered claim,
// reporting whether it was one. None may be null.
func (rc *registered) read(r *jsonReader, key string) (ok bool, err error) {
	switch key {
	case "sub":
		rc.hasSub = true
		err = r.requiredString(&rc.sub)
	case "iss":
		err = r.requiredString(&rc.iss)
	case "exp":
		rc.exp, rc.hasExp, err = r.numericDate()
	case "iat":
		rc.iat, rc.hasIat, err = r.numericDate()
	case "nbf":
		rc.nbf, rc.hasNbf, err = r.numericDate()
	case "aud":
		rc.aud, err = r.audience()
	default:
		return false, nil
	}
	return true, err
}

// require checks the registered claims every token needs: a non-empty sub
// starting with subPrefix ([ReasonTokenInvalidSubject]), then an exp
// ([ReasonTokenMissingExpiry]). It returns "" when both are there.
func (rc *registered) require(subPrefix string) Reason {
	if !rc.hasSub || rc.sub == "" || !strings.HasPrefix(rc.sub, subPrefix) {
		return ReasonTokenInvalidSubject
	}
	if !rc.hasExp {
		return ReasonTokenMissingExpiry
	}
	return ""
}

// claims reads a claims object: registered claims into rc, every other
// member with other, which reads the value of a claim it models (with r)
// and reports whether it did; the values of the rest are validated and
// skipped. A modelled value of the wrong JSON type becomes a *claimError
// naming the member; a repeated name, JSON that is not a single object, or
// an invalid value of a claim nobody models is an error as it is. (other
// gets the key alone, not r: a reader passed through a func value would
// escape to the heap, an allocation per token.)
func (r *jsonReader) claims(rc *registered, other func(key string) (modelled bool, err error)) error {
	err := r.object(func(key string) error {
		ok, err := rc.read(r, key)
		if !ok {
			ok, err = other(key)
		}
		if !ok {
			return r.skip()
		}
		if err != nil && !errors.Is(err, errDuplicateName) {
			return &claimError{name: key}
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	return err
}

// decodeReason is the reason for a claims object [jsonReader.claims]
// refused: an invalid sub or exp has its own reason, anything else is
// malformed.
func decodeReason(err error) Reason {
	var ce *claimError
	if errors.As(err, &ce) {
		switch ce.name {
		case "sub":
			return ReasonTokenInvalidSubject
		case "exp":
			return ReasonTokenMissingExpiry
		}
	}
	return ReasonTokenMalformed
}

// payload is the JSON of a Clerk session token, as decoded by
// decodePayload. Presence flags tell absent from zero.
type payload struct {
	registered
	sid, azp, sts           string
	fea, pla                string
	v                       int
	fva                     [2]float64
	nFva                    int // entries in fva; -1: more than two
	act                     *Actor
	o                       orgClaim
	hasO                    bool // o present and not null
	orgID, orgSlug, orgRole string
	orgPerms                []string
}

// orgClaim is the v2 organization claim "o".
type orgClaim struct{ id, slg, rol, per, fpm string }

// claimError names a claim whose value has the wrong JSON type, or is null
// where null is not allowed. It never carries the value.
type claimError struct{ name string }

func (e *claimError) Error() string { return "claim " + e.name + " has an invalid value" }

// maxNumericDate is the largest accepted date: the end of year 9999, past
// which JavaScript's Date (Clerk's reference) and time.Time disagree.
const maxNumericDate = 253402300799

// decodePayload decodes the claims this package models; other claims are
// validated and skipped. Registered claims (sub, exp, iat, nbf, iss, aud)
// and sid and azp must not be null; the other modelled claims treat null
// as absent, as Clerk does. A modelled claim of the wrong JSON type is a
// *claimError.
func decodePayload(raw string, p *payload) error {
	r := jsonReader{s: raw}
	return r.claims(&p.registered, func(key string) (bool, error) {
		var err error
		switch key {
		case "sid":
			err = r.requiredString(&p.sid)
		case "azp":
			err = r.requiredString(&p.azp)
		case "sts":
			err = r.str(&p.sts)
		case "fea":
			err = r.str(&p.fea)
		case "pla":
			err = r.str(&p.pla)
		case "v":
			err = r.int(&p.v)
		case "fva":
			p.nFva, err = r.pair(&p.fva)
		case "act":
			p.act, err = r.actor()
		case "o":
			p.hasO, err = r.org(&p.o)
		case "org_id":
			err = r.str(&p.orgID)
		case "org_slug":
			err = r.str(&p.orgSlug)
		case "org_role":
			err = r.str(&p.orgRole)
		case "org_permissions":
			p.orgPerms, err = r.strings()
		default:
			return false, nil
		}
		return true, err
	})
}

// requiredString reads a string; null is an error.
func (r *jsonReader) requiredString(dst *string) error {
	if r.peek() != '"' {
		return errJSON
	}
	return r.str(dst)
}

// numericDate reads a JWT NumericDate: a non-negative integral number of
// seconds up to the end of year 9999. Null is an error.
func (r *jsonReader) numericDate() (float64, bool, error) {
	if r.peek() == 'n' {
		return 0, false, errJSON
	}
	v, _, err := r.float()
	if err != nil || v < 0 || v > maxNumericDate || v != math.Trunc(v) {
		return 0, false, errJSON
	}
	return v, true, nil
}

// audience reads aud: a string or an array of strings. Null is an error.
func (r *jsonReader) audience() ([]string, error) {
	switch r.peek() {
	case '"':
		var s string
		err := r.str(&s)
		return []string{s}, err
	case '[':
		out := []string{}
		err := r.array(func() error {
			var s string
			err := r.requiredString(&s)
			out = append(out, s)
			return err
		})
		return out, err
	}
	return nil, errJSON
}

// pair reads an array of numbers into dst, returning how many it holds (-1
// for more than two; 0 for null, which is absent).
func (r *jsonReader) pair(dst *[2]float64) (int, error) {
	if r.null() {
		return 0, nil
	}
	n := 0
	err := r.array(func() error {
		if r.null() {
			return errJSON
		}
		v, _, err := r.float()
		if n >= 0 && n < 2 {
			dst[n] = v
			n++
		} else {
			n = -1
		}
		return err
	})
	return n, err
}

// strings reads an array of strings (null: absent).
func (r *jsonReader) strings() ([]string, error) {
	if r.null() {
		return nil, nil
	}
	out := []string{}
	err := r.array(func() error {
		var s string
		err := r.requiredString(&s)
		out = append(out, s)
		return err
	})
	return out, err
}

// actor reads the act claim (null: absent).
func (r *jsonReader) actor() (*Actor, error) {
	if r.null() {
		return nil, nil
	}
	a := new(Actor)
	err := r.object(func(k string) error {
		switch k {
		case "sub":
			return r.str(&a.Subject)
		case "type":
			return r.str(&a.Type)
		case "iss":
			return r.str(&a.Issuer)
		case "sid":
			return r.str(&a.SessionID)
		}
		return r.skip()
	})
	return a, err
}

// org reads the v2 organization claim o into o; null is absent.
func (r *jsonReader) org(o *orgClaim) (present bool, err error) {
	if r.null() {
		return false, nil
	}
	err = r.object(func(k string) error {
		switch k {
		case "id":
			return r.str(&o.id)
		case "slg":
			return r.str(&o.slg)
		case "rol":
			return r.str(&o.rol)
		case "per":
			return r.str(&o.per)
		case "fpm":
			return r.str(&o.fpm)
		}
		return r.skip()
	})
	return true, err
}
