package core

import "strings"

// headerMemoSize bounds a client's header memo. An instance signs all its
// session tokens of one key with one byte-identical header
// ({"alg","cat","kid","typ"}), its JWT templates and M2M tokens with a few
// more, so a handful of entries serve it through key rotations.
const headerMemoSize = 32

// headerMemo remembers, per protected-header segment, the verdict of jwx's
// header parse and the header rules (alg, kid, typ, cat), so that jwx
// parses each distinct header once per client instead of once per token.
// It is keyed by the exact segment as received: a header that differs in
// any byte (another kid, member order, spelling) is judged on its own.
//
// Only headers of tokens whose signature then verified with one of the
// instance's keys are remembered (see [jwsToken.verified]): headers the
// rules refuse, and forged ones, never reach the signature check, so
// nobody without the instance's signing key can add an entry, evict the
// instance's own headers or take the memo's write lock. Such a token costs
// one read-locked lookup more than a full parse. The memo is bounded by
// [bounded] (CLOCK eviction) and per client; a hit allocates nothing.
// A nil *headerMemo remembers nothing.
type headerMemo struct {
	b *bounded[string, jwsHeader]
}

func newHeaderMemo() *headerMemo {
	return &headerMemo{b: newBounded[string, jwsHeader](headerMemoSize)}
}

// lookup returns the remembered verdict of header segment seg.
func (m *headerMemo) lookup(seg string) (jwsHeader, bool) {
	if m == nil {
		return jwsHeader{}, false
	}
	return m.b.get(seg)
}

// remember keeps h as the verdict of header segment seg.
func (m *headerMemo) remember(seg string, h jwsHeader) {
	if m == nil {
		return
	}
	// Clone: seg is a substring of the token, which may alias a buffer
	// the framework reuses after the request (fasthttp does), and would
	// keep the whole token alive.
	m.b.put(strings.Clone(seg), h)
}
