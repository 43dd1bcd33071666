package betterauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// setCookieCache is cookies/index.mjs setCookieCache: after a database
// answer, with the cookie cache on, Better Auth writes the answer into the
// session_data cookie. compact and jwt come out byte for byte (they depend
// only on the clock and the secret); jwe carries a random IV and jti.
func (s *state) setCookieCache(body *Session, dontRemember bool) error {
	r := s.r
	if !r.cfg.CookieCache.Enabled {
		return nil
	}
	maxAge := int(r.cfg.cacheMaxAge() / time.Second)
	cookieMaxAge := maxAge
	if dontRemember {
		cookieMaxAge = -1
	}
	data := Object{
		{"session", body.Session},
		{"user", body.User},
		{"updatedAt", float64(s.now.UnixMilli())},
		{"version", r.cfg.cacheVersion()},
	}
	var value string
	switch r.cfg.cacheStrategy() {
	case StrategyJWT:
		value = signCacheJWT(data, r.cfg.Secrets.Current, s.now, maxAge)
	case StrategyJWE:
		v, err := encryptCacheJWE(data, r.keys, s.now, maxAge)
		if err != nil {
			return err
		}
		value = v
	default:
		age := maxAge
		if dontRemember {
			age = 60 // getDate(options.maxAge || 60): maxAge is unset
		}
		value = encodeCacheCompact(data, r.cfg.Secrets.Current, s.now.UnixMilli()+int64(age)*1000)
	}
	s.jar.chunk(s.header, r.names.SessionData, value, cookieMaxAge)
	return nil
}

func encodeCacheCompact(data Object, secret string, expiresAt int64) string {
	signed := append(make(Object, 0, len(data)+1), data...)
	signed.Set("expiresAt", float64(expiresAt))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(AppendJS(nil, signed))
	outer := Object{
		{"session", data},
		{"expiresAt", float64(expiresAt)},
		{"signature", base64.RawURLEncoding.EncodeToString(mac.Sum(nil))},
	}
	return base64.RawURLEncoding.EncodeToString(AppendJS(nil, outer))
}

// signCacheJWT is crypto/jwt.mjs signJWT: header {"alg":"HS256"}, the
// payload then iat and exp (jose's SignJWT member order).
func signCacheJWT(data Object, secret string, now time.Time, maxAge int) string {
	claims := append(make(Object, 0, len(data)+2), data...)
	iat := now.Unix()
	claims.Set("iat", float64(iat))
	claims.Set("exp", float64(iat+int64(maxAge)))
	in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + base64.RawURLEncoding.EncodeToString(AppendJS(nil, claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// encryptCacheJWE is crypto/jwt.mjs symmetricEncodeJWT with the current
// secret's key: dir, A256CBC-HS512, kid = thumbprint, iat, exp and a
// random jti.
func encryptCacheJWE(data Object, keys *jweKeys, now time.Time, maxAge int) (string, error) {
	if keys == nil || len(keys.keys) == 0 {
		return "", fmt.Errorf("betterauth: no cookie-cache key")
	}
	k := keys.keys[0]
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.DIRECT, Key: k.key, KeyID: k.kid}, nil)
	if err != nil {
		return "", err
	}
	claims := append(make(Object, 0, len(data)+3), data...)
	iat := now.Unix()
	claims.Set("iat", float64(iat))
	claims.Set("exp", float64(iat+int64(maxAge)))
	claims.Set("jti", newUUID())
	obj, err := enc.Encrypt(AppendJS(nil, claims))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
