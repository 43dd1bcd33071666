package resolver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
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
	ring       *keyRing
	cookieName string
	legacy     bool
	// header is the base64url protected header Encode writes; it is
	// constant for a codec (alg, enc and the current secret's kid).
	header string
	encKey *contentKey
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
	ring, err := newKeyRing(cfg.Secrets, name, cfg.LegacyV4)
	if err != nil {
		return nil, fmt.Errorf("resolver: %w", err)
	}
	c := &Codec{ring: ring, cookieName: name, legacy: cfg.LegacyV4, rand: rand.Reader}
	if cfg.LegacyV4 {
		c.encKey = ring.byEnc[encA256GCM][0]
		c.header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM"}`))
	} else {
		c.encKey = ring.byEnc[encA256CBCHS512][0]
		c.header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256CBC-HS512","kid":"` + c.encKey.kid + `"}`))
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
	d, reason, err := c.ring.decryptCompact(token)
	if err != nil {
		return nil, reason, err
	}
	return parseClaims(d.plaintext, d.header, now, c.legacy)
}

// DecodeJSON is Decode returning JSON.stringify(payload) exactly as
// Auth.js's getToken result would print, member order included (Claims, a
// Go map, cannot keep it).
func (c *Codec) DecodeJSON(token string, now time.Time) ([]byte, Reason, error) {
	if token == "" {
		return []byte("null"), ReasonNoCookie, errors.New("jwt: empty token")
	}
	d, reason, err := c.ring.decryptCompact(token)
	if err != nil {
		return []byte("null"), reason, err
	}
	if _, reason, err := parseClaims(d.plaintext, d.header, now, c.legacy); err != nil {
		return []byte("null"), reason, err
	}
	text := stripBOMString(d.plaintext)
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
	var rnd [16 + 16]byte // jti, then IV
	if _, err := io.ReadFull(c.rand, rnd[:]); err != nil {
		return "", fmt.Errorf("resolver: random: %w", err)
	}
	payload := make(Claims, len(claims)+3)
	for k, v := range claims {
		payload[k] = v
	}
	nowS := floorUnix(now)
	payload["iat"] = json.Number(strconv.FormatInt(nowS, 10))
	// (Date.now() / 1000) | 0 is ToInt32: Auth.js wraps in 2038; so do we.
	expBase := float64(int32(uint32(now.UnixMilli() / 1000)))
	exp := expBase + maxAge.Seconds()
	payload["exp"] = json.Number(js.AppendFloat(nil, exp))
	payload["jti"] = uuidV4(rnd[:16])
	plain := appendClaims(make([]byte, 0, 256), payload)

	aad := c.header
	var ct, tag, iv []byte
	if c.legacy {
		iv = rnd[16:28]
		ct, tag = c.encKey.sealGCM(plain, iv, bytesOf(aad))
	} else {
		iv = rnd[16:32]
		ct, tag = c.encKey.sealCBC(plain, iv, bytesOf(aad))
	}
	enc := base64.RawURLEncoding
	var b strings.Builder
	b.Grow(len(aad) + 3 + enc.EncodedLen(len(iv)) + enc.EncodedLen(len(ct)) + enc.EncodedLen(len(tag)))
	b.WriteString(aad)
	b.WriteString("..")
	b.WriteString(enc.EncodeToString(iv))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(ct))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(tag))
	return b.String(), nil
}

// uuidV4 formats 16 random bytes as an RFC 9562 version 4 UUID, as
// crypto.randomUUID() does.
func uuidV4(r []byte) string {
	var u [16]byte
	copy(u[:], r)
	u[6] = u[6]&0x0F | 0x40
	u[8] = u[8]&0x3F | 0x80
	const hexDigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[x>>4], hexDigits[x&0xF]
		j += 2
	}
	return string(b[:])
}
