package resolver

import (
	"hash/maphash"
	"strings"
	"time"

	"github.com/maypok86/otter/v2"
)

// The token memo: a bounded map from a session token to its decoded
// claims, inside the JWT resolver's Resolve path.
//
// A browser sends the same cookie on every request until it is refreshed,
// and decoding it (base64, AES-CBC + HMAC-SHA512, the claims' JSON) is
// most of a local resolution's CPU and nearly all of its allocations.
// Remembering the outcome is safe, and changes no answer, because:
//
//   - the key is a keyed 64-bit hash of the token's tail (hash/maphash,
//     with a seed drawn per memo, so nobody outside the process can aim
//     for a collision; memoHashed says why the tail is enough) plus the
//     cookie name's index, whose codec salts the keys;
//     the entry keeps the token itself and a hit is one only when the
//     bytes are equal, so a tampered, truncated or re-encrypted token goes
//     through the full decode even when its hash collides. The hash is a
//     few nanoseconds where a SHA-256 digest of a 600-byte token cost as
//     much as the rest of the lookup; the token kept in memory is no more
//     secret than the claims beside it, and the process holds the key
//     that minted it;
//   - only successful decodes are remembered, and only for the JWE codec
//     (*Codec), whose keys are fixed when the resolver is built: a
//     rotated secret is a new resolver and a new, empty memo. A JWS codec
//     (its JWKS can change) or an injected codec is never memoized;
//   - the clock-dependent checks (nbf, exp, with the 15 s tolerance) are
//     kept with the claims and run against the clock on every resolution,
//     with parseClaims's code, so a remembered token expires exactly when
//     a decoded one would; everything else parseClaims checks depends on
//     the token alone;
//   - the claims are shared read-only: the memo is used only when no
//     Hooks are set (a hook receives the claims map and may change it),
//     and Token, GetToken and TokenJSON, which hand claims to the caller,
//     always decode afresh.
//
// Memory is bounded by the entry count (WithTokenMemo, default
// DefaultTokenMemo entries, evicted by otter's policy); an entry holds the
// claims of one token, a few hundred bytes for a typical session.

// DefaultTokenMemo is the token memo's default size, in tokens.
const DefaultTokenMemo = 4096

// WithTokenMemo sets the JWT resolver's token memo size in tokens (see
// jwt_memo.go); 0 or less turns it off.
func WithTokenMemo(n int) Option {
	return func(o *options) { o.tokenMemo, o.tokenMemoSet = n, true }
}

type memoKey struct {
	sum  uint64 // maphash of the token under tokenMemo.seed
	name uint8  // index in JWTResolver.names
}

type memoEntry struct {
	token    string // the exact token: a hit must match it byte for byte
	claims   Claims
	window   timeWindow
	notAfter time.Time
	view     *sessionView // the session answer's clock-free part (session_view.go)
}

type tokenMemo struct {
	seed  maphash.Seed
	store *otter.Cache[memoKey, *memoEntry]
}

// newTokenMemo builds the memo for r, or nil when it is off or cannot be
// used (hooks set). Its size is WithTokenMemo's, else cfg.TokenMemo, else
// DefaultTokenMemo.
func newTokenMemo(cfg Config, o options, hooks Hooks) *tokenMemo {
	size := DefaultTokenMemo
	switch {
	case o.tokenMemoSet:
		size = o.tokenMemo
	case cfg.TokenMemo != nil:
		size = *cfg.TokenMemo
	}
	if size <= 0 || hooks.JWT != nil || hooks.Session != nil {
		return nil
	}
	return &tokenMemo{seed: maphash.MakeSeed(), store: otter.Must(&otter.Options[memoKey, *memoEntry]{MaximumSize: size})}
}

// memoHashTail is how much of a token's end the memo's key hashes.
const memoHashTail = 64

// memoHashed is the part of tok the memo's key hashes: its last
// memoHashTail bytes, which hold a JWE's authentication tag (43
// characters for A256CBC-HS512, 22 for A256GCM). Only tokens that decoded
// are remembered, and two of those differ in their tags (a MAC over the
// IV, the ciphertext and the header), so hashing the tail spreads them as
// well as hashing the whole token, at a tenth of the cost; a token made
// to share a remembered one's tail only lands in its slot, and a hit
// still needs the exact bytes.
func memoHashed(tok string) string {
	if len(tok) > memoHashTail {
		return tok[len(tok)-memoHashTail:]
	}
	return tok
}

// decodeClaims is n.codec.Decode(tok, now) through the memo, plus the
// token's notAfter and, from the memo, the view of its session (nil
// without the memo). A nil memo, or a codec other than *Codec, decodes.
func (r *JWTResolver) decodeClaims(n *jwtName, tok string, now time.Time) (Claims, time.Time, *sessionView, Reason, error) {
	codec, ok := n.codec.(*Codec)
	if r.memo == nil || !ok {
		c, reason, err := n.codec.Decode(tok, now)
		if err != nil {
			return nil, time.Time{}, nil, reason, err
		}
		return c, notAfter(c), nil, ReasonOK, nil
	}
	key := memoKey{sum: maphash.String(r.memo.seed, memoHashed(tok)), name: n.index}
	if e, hit := r.memo.store.GetIfPresent(key); hit && e.token == tok {
		if reason, err := e.window.check(now); err != nil {
			return nil, time.Time{}, nil, reason, err
		}
		return e.claims, e.notAfter, e.view, ReasonOK, nil
	}
	c, reason, err := codec.Decode(tok, now)
	if err != nil {
		return nil, time.Time{}, nil, reason, err
	}
	// A colliding token (same hash, other bytes) replaces the entry: the
	// latest token is the likelier to come again. The token is cloned: it
	// is usually a slice of the request's whole Cookie header.
	e := &memoEntry{token: strings.Clone(tok), claims: c, notAfter: notAfter(c), view: newSessionView(c, r.refresh)}
	// parseClaims accepted c, so both are numbers or absent.
	e.window.nbf, e.window.hasNbf, _ = numericClaim(c, "nbf")
	e.window.exp, e.window.hasExp, _ = numericClaim(c, "exp")
	r.memo.store.Set(key, e)
	return c, e.notAfter, e.view, ReasonOK, nil
}
