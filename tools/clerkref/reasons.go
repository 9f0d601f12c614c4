package clerkref

import (
	"slices"
	"strings"

	"github.com/clerkgo/clerk/core"
)

// reasonRule maps one of Clerk's rejection reasons to the clerkgo reasons
// that mean the same thing.
type reasonRule struct {
	// Clerk is Clerk's reason string (TokenVerificationErrorReason,
	// AuthErrorReason, or one the harness names). A trailing "*" matches
	// by prefix.
	Clerk string
	// Message, when set, must occur in Clerk's error message: Clerk gives
	// several different failures the same coarse reason.
	Message string
	// Label names the failure in the table when Message tells it apart.
	Label string
	// Ours are the clerkgo reasons that count as the same verdict.
	Ours []core.Reason
}

// reasonTable is the one mapping from Clerk's reasons to clerkgo's. Rules
// are tried in order; the first match wins. A Clerk reason that no rule
// matches fails the test: add a rule.
//
// clerkgo's JSON decoder rejects a header member or claim of the wrong JSON
// type (an alg that is a number, a sub that is a list, a header that is an
// array) as token-malformed before any rule runs, where Clerk reaches the
// rule and names it; the rules whose Clerk reason covers such values list
// token-malformed too.
var reasonTable = []reasonRule{
	{Clerk: "token-expired", Ours: rs(core.ReasonTokenExpired)},
	// authenticateRequest turns an expired token into a handshake reason
	// naming why no refresh was tried.
	{Clerk: "session-token-expired-refresh-*", Ours: rs(core.ReasonTokenExpired)},
	{Clerk: "token-not-active-yet", Ours: rs(core.ReasonTokenNotActiveYet)},
	{Clerk: "session-token-nbf", Ours: rs(core.ReasonTokenNotActiveYet)},
	{Clerk: "token-iat-in-the-future", Ours: rs(core.ReasonTokenIATInTheFuture)},
	{Clerk: "session-token-iat-in-the-future", Ours: rs(core.ReasonTokenIATInTheFuture)},
	{Clerk: "token-invalid-algorithm", Ours: rs(core.ReasonTokenInvalidAlgorithm, core.ReasonTokenMalformed)},
	{Clerk: "token-invalid-signature", Ours: rs(core.ReasonTokenInvalidSignature)},
	{Clerk: "token-invalid-authorized-parties", Ours: rs(core.ReasonTokenInvalidAuthorizedParty, core.ReasonTokenMalformed)},
	{Clerk: "token-invalid-issuer", Ours: rs(core.ReasonTokenInvalidIssuer)},

	// token-invalid: the token cannot be decoded, its typ is wrong, or
	// verifyToken met the M2M category.
	// A machine JWT (typ at+jwt, the M2M category, a mch_ subject) or an
	// opaque machine token where a session token is expected: clerkgo
	// recognises its kind and names it token-type-not-accepted.
	{Clerk: "token-invalid", Message: "Invalid JWT type", Label: "typ", Ours: rs(core.ReasonTokenInvalidType, core.ReasonTokenMalformed, core.ReasonTokenTypeNotAccepted)},
	{Clerk: "token-invalid", Message: "session token category", Label: "cat", Ours: rs(core.ReasonTokenNotSession, core.ReasonTokenTypeNotAccepted)},
	{Clerk: "token-invalid", Message: "Invalid JWT form", Label: "form", Ours: rs(core.ReasonTokenMalformed, core.ReasonTokenTypeNotAccepted)},

	// token-verification-failed: a claim of the wrong type or missing, or
	// the key would not import for the header's alg.
	{Clerk: "token-verification-failed", Message: "Subject claim", Label: "sub", Ours: rs(core.ReasonTokenInvalidSubject, core.ReasonTokenMalformed)},
	{Clerk: "token-verification-failed", Message: "expiry date claim", Label: "exp", Ours: rs(core.ReasonTokenMissingExpiry, core.ReasonTokenMalformed)},
	{Clerk: "token-verification-failed", Message: "not before date claim", Label: "nbf", Ours: rs(core.ReasonTokenMalformed)},
	{Clerk: "token-verification-failed", Message: "issued at date claim", Label: "iat", Ours: rs(core.ReasonTokenMalformed)},
	{Clerk: "token-verification-failed", Message: "Error verifying JWT signature", Label: "key-import", Ours: rs(core.ReasonTokenInvalidAlgorithm, core.ReasonTokenInvalidSignature)},

	// authenticateRequest's own reasons.
	{Clerk: "token-type-mismatch", Ours: rs(core.ReasonTokenTypeNotAccepted, core.ReasonTokenNotSession, core.ReasonTokenInvalidType, core.ReasonTokenMalformed)},
	{Clerk: "session-token-and-uat-missing", Ours: rs(core.ReasonTokenMissing)},
	{Clerk: "client-uat-but-no-session-token", Ours: rs(core.ReasonTokenMissing)},
	{Clerk: "session-token-but-no-client-uat", Ours: rs(core.ReasonSessionTokenButNoClientUAT)},
	{Clerk: "session-token-iat-before-client-uat", Ours: rs(core.ReasonTokenStale)},
	// A JavaScript TypeError inside verification (a header or payload that
	// is JSON but not an object).
	{Clerk: "unexpected-error", Ours: rs(core.ReasonTokenMalformed)},

	// Named by the harness: a signed-in state whose auth object is signed
	// out because the session is pending.
	{Clerk: "session-pending", Ours: rs(core.ReasonSessionPending)},
	// Named by the harness: Clerk threw instead of answering (toAuth() over
	// a fea entry without a colon, an fpm that is not a string): no session
	// comes out, as with clerkgo's token-malformed.
	{Clerk: "exception", Label: "threw", Ours: rs(core.ReasonTokenMalformed)},
}

func rs(r ...core.Reason) []core.Reason { return r }

// lookupReason returns the first rule matching Clerk's reason and message.
func lookupReason(reason, message string) (reasonRule, bool) {
	for _, rule := range reasonTable {
		match := rule.Clerk == reason
		if p, ok := strings.CutSuffix(rule.Clerk, "*"); ok {
			match = strings.HasPrefix(reason, p)
		}
		if match && strings.Contains(message, rule.Message) {
			return rule, true
		}
	}
	return reasonRule{}, false
}

// sameReason reports whether clerkgo's reason is one the rule accepts.
func (r reasonRule) sameReason(ours string) bool {
	return slices.Contains(r.Ours, core.Reason(ours))
}
