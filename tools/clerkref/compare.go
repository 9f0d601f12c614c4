package clerkref

import (
	"fmt"
	"slices"
	"strings"
)

// The kinds of disagreement.
const (
	kindOutcome = "outcome" // one side accepts, the other rejects
	kindReason  = "reason"  // both reject, for reasons that do not map
	kindClaims  = "claims"  // both accept, with different sessions
)

// disagreement is one case on which the two verifiers differ.
type disagreement struct {
	ID, Family, Name string
	Kind             string
	Clerk, Clerkgo   string // each side's verdict, rendered for the table
}

// errUnmappedReason is returned by compare for a Clerk reason that the
// reason table does not know.
type errUnmappedReason struct{ ID, Reason, Message string }

func (e *errUnmappedReason) Error() string {
	return fmt.Sprintf("case %s: Clerk's reason %q (message %q) is not in reasonTable (reasons.go): add a rule", e.ID, e.Reason, e.Message)
}

// compare judges one case. It returns nil when the verifiers agree.
func compare(tc testCase, clerk, ours outcome) (*disagreement, error) {
	var rule reasonRule
	if !clerk.Accepted {
		var ok bool
		if rule, ok = lookupReason(clerk.Reason, clerk.Message); !ok {
			return nil, &errUnmappedReason{tc.ID, clerk.Reason, clerk.Message}
		}
	}
	d := &disagreement{ID: tc.ID, Family: tc.Family, Name: tc.Name}
	switch {
	case clerk.Accepted && ours.Accepted:
		cf, of := sessionFields(clerk), sessionFields(ours)
		var cd, od []string
		for i := range cf {
			if cf[i] != of[i] {
				cd, od = append(cd, cf[i]), append(od, of[i])
			}
		}
		if len(cd) == 0 {
			return nil, nil
		}
		d.Kind, d.Clerk, d.Clerkgo = kindClaims, "accept: "+strings.Join(cd, " "), "accept: "+strings.Join(od, " ")
	case !clerk.Accepted && !ours.Accepted:
		if rule.sameReason(ours.Reason) {
			return nil, nil
		}
		d.Kind, d.Clerk, d.Clerkgo = kindReason, clerkReject(clerk, rule), "reject: "+ours.Reason
	case clerk.Accepted:
		d.Kind, d.Clerk, d.Clerkgo = kindOutcome, "accept", "reject: "+ours.Reason
	default:
		d.Kind, d.Clerk, d.Clerkgo = kindOutcome, clerkReject(clerk, rule), "accept"
	}
	return d, nil
}

func clerkReject(o outcome, rule reasonRule) string {
	s := "reject: " + o.Reason
	if rule.Label != "" {
		s += " (" + rule.Label + ")"
	}
	return s
}

// sessionFields renders what is compared of an accepted session, one
// "name=value" per field, in a fixed order.
func sessionFields(o outcome) []string {
	perms := "[" + strings.Join(quoteAll(o.OrgPermissions), " ") + "]"
	return []string{
		"sub=" + fmt.Sprintf("%q", o.Sub),
		"sid=" + fmt.Sprintf("%q", o.Sid),
		"orgId=" + fmt.Sprintf("%q", o.OrgID),
		"orgSlug=" + fmt.Sprintf("%q", o.OrgSlug),
		"orgRole=" + fmt.Sprintf("%q", o.OrgRole),
		"orgPermissions=" + perms,
	}
}

func quoteAll(s []string) []string {
	out := slices.Clone(s)
	for i := range out {
		out[i] = fmt.Sprintf("%q", out[i])
	}
	return out
}
