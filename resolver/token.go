package resolver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
	"github.com/authscope/authscope/resolver/internal/jwe"
)

// Codec encodes and decodes Auth.js session tokens (JWE) for one
// configuration: the secrets, the session cookie name (the HKDF salt) and
// the token flavour (v5, or next-auth v4 with Config.LegacyV4).
//
// All keys and thumbprints are derived once by NewCodec; Decode and Encode
// never run HKDF. A Codec is immutable and safe for concurrent use.
//
// v5 (Auth.js): alg "dir" with enc A256CBC-HS512 or A256GCM (both derived
// the v5 way), kid rotation and the kid-less rule; everything else is
// ReasonAlgorithm, as jose's allow-lists reject it.
//
// next-auth v4 (Config.LegacyV4): one secret, key = HKDF-SHA256(secret,
// salt "", "NextAuth.js Generated Encryption Key", 32), kid ignored. jose 4
// runs without an allow-list there, so it would accept any algorithm the
// raw 32-byte key fits; we support the direct ones, "dir" with A256GCM (what
// next-auth writes) or A128CBC-HS256. The key-wrapping algorithms jose 4
// would also try with that key (A256KW, A256GCMKW, PBES2-*) are rejected as
// ReasonAlgorithm: no next-auth v4 deployment writes them. Base64 is Node's
// Buffer decoding (both alphabets, stray characters skipped, '=' ends the
// data) and UTF-8 is decoded leniently, as jose 4 does.
type Codec struct {
	ring       *jwe.Ring
	cookieName string
	legacy     bool
	// header is the base64url protected header Encode writes; it is
	// constant for a codec (alg, enc and the current secret's kid).
	header string
	encKey *jwe.Key
	rand   io.Reader
}

// NewCodec derives the keys for cfg's secrets and session cookie name.
// Only Secrets, CookieName, BaseURL (for the default cookie name) and
// LegacyV4 are used.
func NewCodec(cfg Config) (*Codec, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("resolver: codec needs at least one secret")
	}
	for i, s := range cfg.Secrets {
		if s == "" {
			return nil, fmt.Errorf("resolver: secret %d is empty", i)
		}
	}
	name := cfg.SessionCookieName()
	ring, err := jwe.NewRing(cfg.Secrets, name, cfg.LegacyV4)
	if err != nil {
		return nil, fmt.Errorf("resolver: %w", err)
	}
	c := &Codec{ring: ring, cookieName: name, legacy: cfg.LegacyV4, rand: rand.Reader}
	if cfg.LegacyV4 {
		c.encKey = ring.Keys(jwe.A256GCM)[0]
		c.header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM"}`))
	} else {
		c.encKey = ring.Keys(jwe.A256CBCHS512)[0]
		c.header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256CBC-HS512","kid":"` + c.encKey.Kid() + `"}`))
	}
	return c, nil
}

// CookieName is the session cookie name the codec's keys are salted with.
func (c *Codec) CookieName() string { return c.cookieName }

// Decode is Auth.js's decode({token, secret, salt}) at time now: the
// claims, or nil with the Reason and the detail. An empty token is
// ReasonNoCookie (Auth.js returns null without an error). Expired tokens
// are rejected, as the real decode (and so getToken) does.
func (c *Codec) Decode(token string, now time.Time) (Claims, Reason, error) {
	if token == "" {
		return nil, ReasonNoCookie, errors.New("jwt: empty token")
	}
	d, err := c.ring.Decrypt(token)
	if err != nil {
		return nil, jweReason(err), err
	}
	return parseClaims(d.Plaintext, d.Header, now, c.legacy)
}

// DecodeJSON is Decode returning JSON.stringify(payload) exactly as
// Auth.js's getToken result would print, member order included (Claims, a
// Go map, cannot keep it).
func (c *Codec) DecodeJSON(token string, now time.Time) ([]byte, Reason, error) {
	if token == "" {
		return []byte("null"), ReasonNoCookie, errors.New("jwt: empty token")
	}
	d, err := c.ring.Decrypt(token)
	if err != nil {
		return []byte("null"), jweReason(err), err
	}
	if _, reason, err := parseClaims(d.Plaintext, d.Header, now, c.legacy); err != nil {
		return []byte("null"), reason, err
	}
	text := stripBOMString(d.Plaintext)
	if c.legacy {
		text = js.DecodeUTF8Lenient(text)
	}
	v, err := js.ParseOrdered(text)
	if err != nil { // unreachable: parseClaims accepted the same text
		return []byte("null"), ReasonClaims, err
	}
	return appendJSValue(nil, v), ReasonOK, nil
}

// Encode is Auth.js's encode({token: claims, secret, salt, maxAge}) at
// time now: the claims plus iat = floor(now), exp = ((now/1000)|0) + maxAge
// and jti = a random UUID v4 (these three overwrite same-named claims),
// encrypted with the current secret's key under the protected header
// {"alg":"dir","enc":"A256CBC-HS512","kid":<thumbprint>} with a random IV.
// With LegacyV4 it is next-auth v4's encode: {"alg":"dir","enc":"A256GCM"},
// 12-byte IV, no kid.
func (c *Codec) Encode(claims Claims, now time.Time, maxAge time.Duration) (string, error) {
	sc := encodePool.Get().(*encodeScratch)
	defer sc.put()
	sc.keys = js.AppendOrderedKeys(sc.keys[:0], claims, claimRank)
	sc.plain = appendClaimsHead(sc.plain[:0], claims, sc.keys)
	clear(sc.keys) // keep no claim names alive in the pool
	tok, err := c.sealBytes(sc, now, maxAge)
	return string(tok), err
}

// encodeHeadWith is Encode for the claims whose appendClaimsHead is head
// (a token memo entry keeps it, session_view.go, so that a refresh does
// not order and render unchanged claims on every request), handing use
// the token's bytes: they are pooled, valid only until use returns, so
// that a caller building a longer string around the token (a Set-Cookie
// line) copies it once.
func (c *Codec) encodeHeadWith(head []byte, now time.Time, maxAge time.Duration, use func(tok []byte)) error {
	sc := encodePool.Get().(*encodeScratch)
	defer sc.put()
	sc.plain = append(sc.plain[:0], head...)
	tok, err := c.sealBytes(sc, now, maxAge)
	if err == nil {
		use(tok)
	}
	return err
}

// sealBytes appends the refreshed iat, exp and jti to the claims' head in
// sc.plain, encrypts and serialises: the token, in sc's buffer.
func (c *Codec) sealBytes(sc *encodeScratch, now time.Time, maxAge time.Duration) ([]byte, error) {
	rnd := sc.rnd[:] // jti, then IV; pooled: through io.Reader it would escape
	if _, err := io.ReadFull(c.rand, rnd); err != nil {
		return nil, fmt.Errorf("resolver: random: %w", err)
	}
	sc.plain = appendRefreshTail(sc.plain, now, maxAge, rnd[:16])

	aad := c.header
	iv := rnd[16 : 16+c.encKey.Enc().IVLen()] // 12 bytes for v4's A256GCM, 16 for CBC-HS
	// Room for the padding and the longest tag, so SealTo never regrows.
	sc.sealed = slices.Grow(sc.sealed[:0], len(sc.plain)+16+64)
	ct, tag := c.encKey.SealTo(sc.sealed, sc.plain, iv, aad)
	out := append(sc.out[:0], aad...)
	out = append(out, ".."...)
	out = jwe.AppendB64(out, iv)
	out = append(out, '.')
	out = jwe.AppendB64(out, ct)
	out = append(out, '.')
	out = jwe.AppendB64(out, tag)
	sc.out = out
	return out, nil
}

// appendClaimsHead and appendRefreshTail together write what appendClaims
// writes for claims with iat, exp and jti set as Encode sets them, without
// copying claims into a new map: those three rank last in claimOrder, so
// they follow the other members, in that order, whatever claims held under
// their names. The head depends on the claims alone (a token memo entry
// keeps it for refreshes, session_view.go), the tail on the clock.

// appendClaimsHead writes the object opened, with every member of claims
// but iat, exp and jti, not closed. keys are claims' keys in
// js.OrderedKeys order; they are reordered.
func appendClaimsHead(b []byte, claims Claims, keys []string) []byte {
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "iat" || k == "exp" || k == "jti" })
	b = js.AppendMembers(b, claims, keys, appendOwnJS)
	return b[:len(b)-1] // reopen the object
}

// appendRefreshTail closes a claims head with the refreshed iat, exp and
// jti.
func appendRefreshTail(b []byte, now time.Time, maxAge time.Duration, jti []byte) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"iat":`...)
	b = strconv.AppendInt(b, floorUnix(now), 10)
	// (Date.now() / 1000) | 0 is ToInt32: Auth.js wraps in 2038; so do we.
	expBase := float64(int32(uint32(now.UnixMilli() / 1000)))
	b = append(b, `,"exp":`...)
	b = js.AppendFloat(b, expBase+maxAge.Seconds())
	b = append(b, `,"jti":`...)
	// A UUID needs no JSON escaping: quote it as AppendString would.
	var u [36]byte
	b = append(append(append(b, '"'), formatUUIDv4(&u, jti)...), '"')
	return append(b, '}')
}

// encodeScratch holds an Encode's working buffers (the claims' JSON, the
// ciphertext, the token being assembled). Encode runs on every request
// under --refresh-cookies, and these three buffers were most of its
// allocations; pooled, a refresh allocates the token string and the claims
// it was given, not its scratch.
type encodeScratch struct {
	plain, sealed, out []byte
	keys               []string // the claims' names, ordered
	rnd                [16 + 16]byte
}

var encodePool = sync.Pool{New: func() any { return &encodeScratch{plain: make([]byte, 0, 512)} }}

// put returns sc to the pool unless a huge token grew it (kept memory
// stays bounded by what ordinary tokens need).
func (sc *encodeScratch) put() {
	if cap(sc.plain)+cap(sc.sealed)+cap(sc.out) <= 64<<10 {
		encodePool.Put(sc)
	}
}

// jweReason maps the JWE layer's failure kinds to the Reasons Auth.js's
// decode failures are reported as: jose's allow-list and unsupported-header
// errors are ReasonAlgorithm, no key for the kid ReasonWrongKey, a tag or
// padding that does not verify ReasonDecrypt, everything else (the token's
// shape, base64, header JSON, inflation) ReasonMalformed.
func jweReason(err error) Reason {
	switch jwe.KindOf(err) {
	case jwe.Unsupported:
		return ReasonAlgorithm
	case jwe.NoKey:
		return ReasonWrongKey
	case jwe.DecryptFailed:
		return ReasonDecrypt
	}
	return ReasonMalformed
}

// uuidV4 formats 16 random bytes as an RFC 9562 version 4 UUID, as
// crypto.randomUUID() does.
func uuidV4(r []byte) string {
	var b [36]byte
	return string(formatUUIDv4(&b, r))
}

// formatUUIDv4 is uuidV4 into b, without allocating.
func formatUUIDv4(b *[36]byte, r []byte) []byte {
	var u [16]byte
	copy(u[:], r)
	u[6] = u[6]&0x0F | 0x40
	u[8] = u[8]&0x3F | 0x80
	const hexDigits = "0123456789abcdef"
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[x>>4], hexDigits[x&0xF]
		j += 2
	}
	return b[:]
}
