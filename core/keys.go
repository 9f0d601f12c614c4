package core

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// maxJWKSBytes caps a JWKS response body; maxJWKSKeys caps its key count.
const (
	maxJWKSBytes = 1 << 20
	maxJWKSKeys  = 64
)

// verifyKey is one usable verification key: an RSA public key exported
// from jwx once, when its key set is loaded, with the hash of its
// algorithm.
type verifyKey struct {
	pub  *rsa.PublicKey
	alg  string      // RS256, RS384 or RS512
	hash crypto.Hash // the algorithm's: SHA-256, SHA-384 or SHA-512
}

func newVerifyKey(pub *rsa.PublicKey, alg string) (*verifyKey, error) {
	if !acceptedAlg(alg) {
		return nil, errors.New("algorithm is not RS256, RS384 or RS512")
	}
	if bits := pub.N.BitLen(); bits < 2048 || bits > 8192 || pub.E < 3 || pub.E%2 == 0 {
		return nil, errors.New("weak or invalid RSA key")
	}
	return &verifyKey{pub: pub, alg: alg, hash: rsaHash(alg)}, nil
}

// verify checks t's signature with jwx's RSA building block
// (jwsbb.VerifyRSA: PKCS #1 v1.5 with the key's hash), over the bytes as
// received. jws.VerifierFor's verifier ends in the same RSA check but adds
// per call an algorithm lookup under a lock and the key's conversion
// through reflection (keyconv), which the key exported at load makes
// needless. The token's alg must be the key's (the check uses the key's
// algorithm whatever the header says), and a signature of another length
// than the modulus is refused before RSA. A token that verifies has its
// header remembered (see [headerMemo]).
func (k *verifyKey) verify(t *jwsToken) Reason {
	if t.alg != k.alg {
		return ReasonTokenInvalidAlgorithm
	}
	if len(t.signature) != k.pub.Size() {
		return ReasonTokenInvalidSignature
	}
	if jwsbb.VerifyRSA(k.pub, t.signingInput, t.signature, k.hash, false) != nil {
		return ReasonTokenInvalidSignature
	}
	t.verified()
	return ""
}

// keySet is an immutable snapshot of an instance's keys.
type keySet struct {
	keys    map[string]*verifyKey
	any     *verifyKey // a PEM key: it verifies whatever the kid
	fetched time.Time
}

func (s *keySet) lookup(kid string) *verifyKey {
	if s.any != nil {
		return s.any
	}
	return s.keys[kid]
}

// keysFromJWKS parses a JWKS document with jwx and keeps the usable keys:
// RSA, for signing (use absent or "sig"), with a kid, an accepted algorithm
// (absent means RS256) and at least 2048 bits. Keys jwx cannot parse (an
// unknown kty, say) are skipped rather than failing the whole set; when a
// kid repeats, its first usable key is kept. A set with no usable key is an
// error.
func keysFromJWKS(doc []byte) (map[string]*verifyKey, error) {
	if len(doc) > maxJWKSBytes {
		return nil, errors.New("JWKS response is too large")
	}
	set, err := jwk.Parse(doc, jwk.WithIgnoreParseError(true), jwk.WithMaxKeys(maxJWKSKeys))
	if err != nil {
		return nil, errors.New("JWKS response is not a JSON Web Key Set")
	}
	keys := make(map[string]*verifyKey, set.Len())
	for i := range set.Len() {
		key, _ := set.Key(i)
		if key == nil || key.KeyType() != jwa.RSA() {
			continue
		}
		kid, _ := key.KeyID()
		if kid == "" || keys[kid] != nil {
			continue
		}
		if use, ok := key.KeyUsage(); ok && use != "sig" {
			continue
		}
		alg := "RS256"
		if a, ok := key.Algorithm(); ok && a.String() != "" {
			alg = a.String()
		}
		var pub rsa.PublicKey
		if err := jwk.Export(key, &pub); err != nil || pub.N == nil {
			continue
		}
		vk, err := newVerifyKey(&pub, alg)
		if err != nil {
			continue
		}
		keys[kid] = vk
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no usable RSA signing key")
	}
	return keys, nil
}

func sameKey(a, b *verifyKey) bool {
	return a.alg == b.alg && a.pub.E == b.pub.E && a.pub.N.Cmp(b.pub.N) == 0
}

// fetchFrontendJWKS reads a public JWKS document, size-capped. The client
// must not follow redirects to another scheme or host (see
// [sameOriginRedirects]).
func fetchFrontendJWKS(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJWKSBytes))
		return nil, fmt.Errorf("JWKS request answered %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("JWKS response is too large")
	}
	return body, nil
}

// fetchFrontendKeys reads the public JWKS of the Frontend API (no secret
// key needed).
func (c *Client) fetchFrontendKeys(ctx context.Context) (map[string]*verifyKey, error) {
	ctx, done := c.events.call(ctx, CallJWKS)
	doc, err := fetchFrontendJWKS(ctx, c.jwksHTTP, c.s.jwksURL)
	var keys map[string]*verifyKey
	if err == nil {
		keys, err = keysFromJWKS(doc)
	}
	done(err)
	return keys, err
}

// fetchBackendKeys reads the JWKS from the Backend API (GET /v1/jwks, with
// the secret key) and hands jwx the document exactly as received.
func (c *Client) fetchBackendKeys(ctx context.Context) (map[string]*verifyKey, error) {
	ctx, done := c.events.call(ctx, CallJWKS)
	keys, err := c.backendKeys(ctx)
	done(err)
	return keys, err
}

func (c *Client) backendKeys(ctx context.Context) (map[string]*verifyKey, error) {
	_, resp, err := c.api.JWKS.Get(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	return keysFromJWKS(doc)
}

// errCrossOriginRedirect refuses a redirect to another scheme or host.
var errCrossOriginRedirect = errors.New("redirect to another scheme or host refused")

// sameOriginRedirects returns a copy of hc (sharing its Transport) that
// follows at most 3 redirects, and none to another scheme or host.
func sameOriginRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errCrossOriginRedirect
		}
		if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
			return errCrossOriginRedirect
		}
		return nil
	}
	return &cp
}

// maxCheckedKids bounds the unknown kids a key cache remembers, both those
// asked about before a fetch and those the last fetch found absent.
const maxCheckedKids = 256

// keyCache holds one instance's keys. Reads never block on a refresh when
// the key is known: a stale set is refreshed in the background. An unknown
// kid or a cold cache waits for one shared fetch, and at most one fetch is
// started per cooldown; otherwise it fails fast. A failed refresh keeps the
// last good keys; a successful one replaces the whole set.
//
// During the cooldown an unknown kid is told apart by whether the last
// successful fetch settled it: a kid that fetch was asked about (or that
// it dropped from the previous set) and did not contain is unknown (401
// token-unknown-kid); any other kid may be a key Clerk has just rotated in,
// so it is [ReasonJWKSRefreshPending] (503 with a Retry-After of the time
// left in the cooldown) and is asked about by the next fetch. A flood of
// random kids thus costs at most one fetch per cooldown and never turns a
// new key's tokens into "sign in again".
type keyCache struct {
	fetch    func(ctx context.Context) (map[string]*verifyKey, error)
	now      func() time.Time
	refresh  time.Duration
	cooldown time.Duration
	timeout  time.Duration

	set atomic.Pointer[keySet]

	onRecover func() // called when a fetch succeeds after a failed one

	mu          sync.Mutex
	inflight    chan struct{} // closed when the running fetch ends
	lastAttempt time.Time
	lastErr     error
	closed      bool
	// asked holds the unknown kids asked about since the last successful
	// fetch; checked, those the last successful fetch did not contain
	// (asked, or dropped from the set before). Both are bounded by
	// maxCheckedKids; checked is replaced at each successful fetch.
	asked   map[string]struct{}
	checked map[string]struct{}

	ctx    context.Context // ends at close; parent of every fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newKeyCache(fetch func(context.Context) (map[string]*verifyKey, error), now func() time.Time, refresh, cooldown, timeout time.Duration) *keyCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &keyCache{fetch: fetch, now: now, refresh: refresh, cooldown: cooldown, timeout: timeout, ctx: ctx, cancel: cancel}
}

// staticKeyCache serves one PEM key and never fetches.
func staticKeyCache(k *verifyKey) *keyCache {
	kc := &keyCache{}
	kc.set.Store(&keySet{any: k})
	return kc
}

// get returns the key for kid.
func (kc *keyCache) get(ctx context.Context, kid string) (*verifyKey, error) {
	s := kc.set.Load()
	if s != nil {
		if k := s.lookup(kid); k != nil {
			if kc.fetch != nil && kc.now().Sub(s.fetched) >= kc.refresh {
				kc.start(ctx) // background refresh; this read does not wait
			}
			return k, nil
		}
	}
	if kc.fetch == nil {
		return nil, newError(ReasonTokenUnknownKID, nil)
	}
	done := kc.ask(ctx, kid)
	if done == nil {
		return nil, kc.missError(kid) // the cooldown runs
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, newError(ReasonJWKSUnavailable, ctx.Err())
	}
	if s := kc.set.Load(); s != nil {
		if k := s.lookup(kid); k != nil {
			return k, nil
		}
	}
	return nil, kc.fetchedMissError()
}

// ask records kid as asked about and starts a fetch as [keyCache.start]
// does.
func (kc *keyCache) ask(caller context.Context, kid string) <-chan struct{} {
	kc.mu.Lock()
	if _, ok := kc.asked[kid]; !ok && len(kc.asked) < maxCheckedKids {
		if kc.asked == nil {
			kc.asked = make(map[string]struct{})
		}
		kc.asked[kid] = struct{}{}
	}
	kc.mu.Unlock()
	return kc.start(caller)
}

// current returns the key now cached for kid, without fetching.
func (kc *keyCache) current(kid string) *verifyKey {
	if s := kc.set.Load(); s != nil {
		return s.lookup(kid)
	}
	return nil
}

// start begins a fetch unless one is running (its channel is returned) or
// the cooldown since the last attempt has not passed (nil is returned). The
// fetch carries the values of caller (its trace span, for an Observer), not
// its cancellation.
func (kc *keyCache) start(caller context.Context) <-chan struct{} {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.inflight != nil {
		return kc.inflight
	}
	now := kc.now()
	if kc.closed || (!kc.lastAttempt.IsZero() && now.Sub(kc.lastAttempt) < kc.cooldown) {
		return nil
	}
	kc.lastAttempt = now
	done := make(chan struct{})
	kc.inflight = done
	kc.wg.Add(1)
	go kc.run(caller, done)
	return done
}

func (kc *keyCache) run(caller context.Context, done chan struct{}) {
	defer kc.wg.Done()
	ctx, cancel := detached(kc.ctx, caller, kc.timeout)
	keys, err := kc.fetch(ctx)
	cancel()
	kc.mu.Lock()
	if err == nil {
		// Keep the pointers of unchanged keys, so tokens cached as verified
		// by them stay valid; tokens of removed or changed keys do not.
		old := kc.set.Load()
		if old != nil {
			for kid, k := range keys {
				if o := old.keys[kid]; o != nil && sameKey(o, k) {
					keys[kid] = o
				}
			}
		}
		kc.set.Store(&keySet{keys: keys, fetched: kc.now()})
		kc.settle(old, keys)
	}
	recovered := err == nil && kc.lastErr != nil
	kc.lastErr = err
	kc.inflight = nil
	kc.mu.Unlock()
	if recovered && kc.onRecover != nil {
		kc.onRecover()
	}
	close(done)
}

// settle records, after a successful fetch of keys, which kids that fetch
// settled as unknown: those asked about and those of the previous set that
// it no longer contains. kc.mu must be held.
func (kc *keyCache) settle(old *keySet, keys map[string]*verifyKey) {
	checked := make(map[string]struct{}, len(kc.asked))
	add := func(kid string) {
		if _, ok := keys[kid]; !ok && len(checked) < maxCheckedKids {
			checked[kid] = struct{}{}
		}
	}
	if old != nil {
		for kid := range old.keys {
			add(kid)
		}
	}
	for kid := range kc.asked {
		add(kid)
	}
	kc.checked, kc.asked = checked, nil
}

// fetchedMissError explains why a fetch the caller waited for did not
// yield its key: the fetch failed (keys unavailable), or the kid is
// unknown.
func (kc *keyCache) fetchedMissError() error {
	kc.mu.Lock()
	err := kc.lastErr
	kc.mu.Unlock()
	if kc.set.Load() == nil || err != nil {
		return newError(ReasonJWKSUnavailable, err)
	}
	return newError(ReasonTokenUnknownKID, nil)
}

// missError explains why no key was found for kid while no fetch could be
// started (the cooldown runs, or the cache is closed): keys unavailable
// (never fetched, the last fetch failed, or closed), an unknown kid the
// last fetch settled, or a kid no fetch has been asked about yet
// ([ReasonJWKSRefreshPending], with the time left in the cooldown).
func (kc *keyCache) missError(kid string) error {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.set.Load() == nil || kc.lastErr != nil || kc.closed {
		return newError(ReasonJWKSUnavailable, kc.lastErr)
	}
	if _, ok := kc.checked[kid]; ok {
		return newError(ReasonTokenUnknownKID, nil)
	}
	wait := kc.lastAttempt.Add(kc.cooldown).Sub(kc.now())
	return &Error{Reason: ReasonJWKSRefreshPending, RetryAfter: max(wait, time.Second)}
}

// close stops any running fetch and waits for it.
func (kc *keyCache) close() {
	if kc.cancel == nil {
		return
	}
	kc.mu.Lock()
	kc.closed = true
	kc.mu.Unlock()
	kc.cancel()
	kc.wg.Wait()
}
