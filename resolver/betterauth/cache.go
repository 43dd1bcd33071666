package betterauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"strings"
	"time"

	"crypto/hkdf"

	"github.com/go-jose/go-jose/v4"
)

// The cookie cache (session.cookieCache, cookie <prefix>.session_data,
// chunked as .0, .1, … past 4050 bytes) in its three forms, decoded as
// better-auth/dist/cookies/index.mjs decodeCookieCache does:
//
//   - compact: base64url(JSON {session: payload, expiresAt: ms, signature}),
//     signature = base64url-nopad HMAC-SHA256 under the current secret of
//     JSON.stringify({...payload, expiresAt}).
//   - jwt: an HS256 JWT of the payload under the current secret (jose
//     jwtVerify: exp checked with no tolerance); expiresAt = exp·1000.
//   - jwe: dir + A256CBC-HS512 (A256GCM also accepted), the key
//     HKDF-SHA256(secret, salt "better-auth-session", info "BetterAuth.js
//     Generated Encryption Key", 64 bytes), kid = the key's RFC 7638
//     thumbprint, every versioned secret tried; exp with 15 s tolerance.

// cacheEntry is a decoded cookie cache.
type cacheEntry struct {
	Payload   *cachePayload
	ExpiresAt time.Time
}

var errCacheMalformed = errors.New("betterauth: cookie cache is malformed")
var errCacheSignature = errors.New("betterauth: cookie cache signature does not verify")
var errCacheExpired = errors.New("betterauth: cookie cache token expired")

// decodeCache decodes a session_data value with strategy.
func decodeCache(strategy, value string, secrets Secrets, keys *jweKeys, now time.Time) (*cacheEntry, error) {
	switch strategy {
	case StrategyJWT:
		return decodeCacheJWT(value, secrets.Current, now)
	case StrategyJWE:
		return decodeCacheJWE(value, keys, now)
	}
	return decodeCacheCompact(value, secrets.Current)
}

func decodeCacheCompact(value, secret string) (*cacheEntry, error) {
	raw, ok := baDecodeBase64(value)
	if !ok {
		return nil, errCacheMalformed
	}
	v, err := parseJSON(utf8Lossy(raw), true)
	if err != nil {
		return nil, errCacheMalformed
	}
	o, ok := v.(Object)
	if !ok {
		return nil, errCacheMalformed
	}
	sv, _ := o.Get("session")
	session, ok1 := sv.(Object)
	exp, ok2 := getNumber(o, "expiresAt")
	sig, ok3 := o.String("signature")
	if !ok1 || !ok2 || !ok3 {
		return nil, errCacheMalformed
	}
	// {...session, expiresAt}: a shallow copy, as the spread makes.
	signed := append(make(Object, 0, len(session)+1), session...)
	signed.Set("expiresAt", exp)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(AppendJS(nil, signed))
	got, ok := baDecodeBase64(sig)
	if !ok || !hmac.Equal(mac.Sum(nil), got) {
		return nil, errCacheSignature
	}
	p, err := parseCachePayload(session)
	if err != nil {
		return nil, err
	}
	return &cacheEntry{Payload: p, ExpiresAt: msTime(exp)}, nil
}

// baDecodeBase64 is @better-auth/utils base64 decode: the URL alphabet when
// the text holds '-' or '_', else the standard one; stops at the first '=';
// trailing bits dropped; any other character is an error.
func baDecodeBase64(s string) ([]byte, bool) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	if len(s)%4 == 1 {
		// One leftover character carries no whole byte; Better Auth drops it.
		if !validB64Char(s[len(s)-1], enc == base64.RawURLEncoding) {
			return nil, false
		}
		s = s[:len(s)-1]
	}
	b, err := enc.DecodeString(s)
	return b, err == nil
}

func validB64Char(c byte, url bool) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	case url:
		return c == '-' || c == '_'
	}
	return c == '+' || c == '/'
}

// decodeCacheJWT verifies an HS256/384/512 compact JWS under secret as
// jose's jwtVerify with a symmetric key does (no crit, no b64:false) and
// parses its payload once.
func decodeCacheJWT(value, secret string, now time.Time) (*cacheEntry, error) {
	h64, rest, ok1 := strings.Cut(value, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") {
		return nil, errCacheMalformed
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(h64)
	sig, err2 := base64.RawURLEncoding.DecodeString(s64)
	pb, err3 := base64.RawURLEncoding.DecodeString(p64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errCacheMalformed
	}
	hv, err := parseJSON(hb, false)
	h, ok := hv.(Object)
	if err != nil || !ok {
		return nil, errCacheMalformed
	}
	if _, crit := h.Get("crit"); crit {
		return nil, errCacheMalformed
	}
	if b64, present := h.Get("b64"); present && b64 != true {
		return nil, errCacheMalformed
	}
	alg, _ := h.String("alg")
	hash, ok := hsHashes[alg]
	if !ok {
		return nil, errCacheMalformed
	}
	mac := hmac.New(hash, []byte(secret))
	mac.Write([]byte(value[:len(h64)+1+len(p64)]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, errCacheSignature
	}
	return cacheFromClaims(pb, now, 0)
}

var hsHashes = map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}

// cacheFromClaims checks exp/nbf/iat as jose's jwtVerify/jwtDecrypt do with
// tolerance, then parses the payload.
func cacheFromClaims(raw []byte, now time.Time, tolerance time.Duration) (*cacheEntry, error) {
	v, err := parseJSON(raw, false)
	if err != nil {
		return nil, errCacheMalformed
	}
	o, ok := v.(Object)
	if !ok {
		return nil, errCacheMalformed
	}
	sec := float64(now.Unix())
	tol := tolerance.Seconds()
	expiresAt := now
	if e, present := o.Get("exp"); present {
		exp, ok := e.(float64)
		if !ok {
			return nil, errCacheMalformed
		}
		if exp <= sec-tol {
			return nil, errCacheExpired
		}
		expiresAt = msTime(exp * 1000)
	}
	if n, present := o.Get("nbf"); present {
		nbf, ok := n.(float64)
		if !ok || nbf > sec+tol {
			return nil, errCacheMalformed
		}
	}
	if i, present := o.Get("iat"); present {
		if _, ok := i.(float64); !ok {
			return nil, errCacheMalformed
		}
	}
	p, err := parseCachePayload(o)
	if err != nil {
		return nil, err
	}
	return &cacheEntry{Payload: p, ExpiresAt: expiresAt}, nil
}

// jweSalt is the HKDF salt of the session cookie cache.
const jweSalt = "better-auth-session"

const jweInfo = "BetterAuth.js Generated Encryption Key"

// jweKeys are the derived cookie-cache keys, one per secret, with their
// thumbprints, derived once per resolver.
type jweKeys struct {
	keys []jweKey
}

type jweKey struct {
	key []byte
	kid string
}

func deriveJWEKeys(secrets []string, salt string) (*jweKeys, error) {
	k := &jweKeys{}
	for _, s := range secrets {
		key, err := hkdf.Key(sha256.New, []byte(s), []byte(salt), jweInfo, 64)
		if err != nil {
			return nil, err
		}
		k.keys = append(k.keys, jweKey{key: key, kid: octThumbprint(key)})
	}
	return k, nil
}

// octThumbprint is jose's calculateJwkThumbprint({kty:"oct", k}, "sha256").
func octThumbprint(key []byte) string {
	h := sha256.Sum256([]byte(`{"k":"` + base64.RawURLEncoding.EncodeToString(key) + `","kty":"oct"}`))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func decodeCacheJWE(value string, keys *jweKeys, now time.Time) (*cacheEntry, error) {
	if keys == nil || len(keys.keys) == 0 {
		return nil, errCacheSignature
	}
	obj, err := jose.ParseEncrypted(value, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512, jose.A256GCM})
	if err != nil {
		return nil, errCacheMalformed
	}
	if refusedHeader(value) {
		return nil, errCacheMalformed
	}
	// A256GCM is allowed by Better Auth's options but its 64-byte derived
	// key never fits it, in jose as in go-jose: such tokens fail here.
	try := func(k jweKey) ([]byte, error) { return obj.Decrypt(k.key) }
	var plain []byte
	if kid := obj.Header.KeyID; kid != "" {
		for _, k := range keys.keys {
			if k.kid == kid {
				plain, err = try(k)
				break
			}
		}
		if plain == nil {
			return nil, errCacheSignature
		}
	} else {
		for _, k := range keys.keys {
			if plain, err = try(k); err == nil {
				break
			}
		}
		if err != nil {
			return nil, errCacheSignature
		}
	}
	return cacheFromClaims(plain, now, 15*time.Second)
}

// refusedHeader reports a protected header jose (panva) refuses but
// go-jose would honour: "zip" (jose v6 has no compression) and "crit".
func refusedHeader(token string) bool {
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return true
	}
	var h map[string]json.RawMessage
	if json.Unmarshal(raw, &h) != nil {
		return true
	}
	_, zip := h["zip"]
	_, crit := h["crit"]
	return zip || crit
}
