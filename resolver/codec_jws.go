package resolver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authscope/authscope/resolver/internal/jwe"
)

// JWSCodec reads and writes signed session tokens: what a deployment gets
// when it overrides jwt.encode/jwt.decode with jose's SignJWT/jwtVerify
// (next-auth issues #716, #727, #484, #11014: "let my API verify the
// cookie").
//
// Parsing and the algorithm allow-list are go-jose v4's
// (ParseSignedCompact refuses any alg not listed, "none" included, before
// a key is looked at). Keys:
//
//   - HS256/384/512: the secrets' UTF-8 bytes, the current one signing,
//     each tried in rotation order when verifying. jose (JavaScript)
//     accepts an HMAC key of any length and deployments use their
//     AUTH_SECRET as is, so the MAC is computed here (go-jose would refuse
//     keys shorter than the hash), compared in constant time;
//   - RS256, ES256, EdDSA: PEM files (public keys and certificates verify,
//     the first private key also signs, its kid the RFC 7638 SHA-256
//     thumbprint as jose's calculateJwkThumbprint gives it) and/or a JWKS
//     URL (jwksCache: fetched lazily, refreshed on age or on an unknown
//     kid, served stale when a refresh fails).
//
// Key choice follows jose's createRemoteJWKSet: keys of the right type for
// the alg whose kid (when the token names one) and alg/use (when the key
// states them) match; several candidates are each tried. Claims are then
// validated as Auth.js's decode does (parseClaims: exp and nbf with 15 s
// tolerance, typed iat).
//
// Encode writes {"alg":A} (HS*) or {"alg":A,"kid":K} and the claims with
// iat = floor(now) and exp = iat + maxAge, as SignJWT().setIssuedAt()
// .setExpirationTime() does. A codec with verification keys only cannot
// encode; the resolver then leaves the cookie as it is instead of
// refreshing it.
type JWSCodec struct {
	algs    []jose.SignatureAlgorithm
	secrets [][]byte
	static  []jose.JSONWebKey
	jwks    *jwksCache
	signAlg jose.SignatureAlgorithm
	signer  jose.Signer
}

// ReasonKeys: the verification keys could not be obtained (JWKS
// unreachable and nothing cached). It is an infrastructure failure, like
// a store or upstream error.
const ReasonKeys Reason = "keys_unavailable"

var _ TokenCodec = (*JWSCodec)(nil)

// NewJWSCodec builds the JWS codec of cfg.Codec (kind jws). client fetches
// the JWKS (nil: a client with a 5 s timeout).
func NewJWSCodec(cfg Config, client *http.Client) (*JWSCodec, error) {
	cc := cfg.Codec
	if cc.Kind != CodecJWS {
		return nil, errors.New("resolver: NewJWSCodec needs codec kind jws")
	}
	if errs := cc.validate(cfg); len(errs) > 0 {
		return nil, fmt.Errorf("resolver config: %w", joinedErrors(errs))
	}
	c := &JWSCodec{}
	for _, a := range cc.Algorithms {
		c.algs = append(c.algs, jose.SignatureAlgorithm(a))
	}
	for _, s := range cfg.Secrets {
		c.secrets = append(c.secrets, []byte(s))
	}
	var private crypto.Signer
	for _, f := range cc.KeyFiles {
		keys, priv, err := readPEMKeys(f)
		if err != nil {
			return nil, err
		}
		c.static = append(c.static, keys...)
		if private == nil {
			private = priv
		}
	}
	if cc.JWKSURL != "" {
		if client == nil {
			client = &http.Client{Timeout: 5 * time.Second}
		}
		c.jwks = newJWKSCache(cc.JWKSURL, client, cc.JWKSRefresh)
	}
	if err := c.chooseSigner(private); err != nil {
		return nil, err
	}
	return c, nil
}

// chooseSigner picks the first allowed algorithm there is a signing key
// for: an HMAC one with a secret, else one matching the private key.
func (c *JWSCodec) chooseSigner(private crypto.Signer) error {
	for _, a := range c.algs {
		switch {
		case isHMAC(a) && len(c.secrets) > 0:
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: a, Key: hmacSigner{key: c.secrets[0], alg: a}}, nil)
			if err != nil {
				return fmt.Errorf("resolver: jws signer: %w", err)
			}
			c.signAlg, c.signer = a, s
			return nil
		case private != nil && keyFitsAlg(private.Public(), a):
			jwk := jose.JSONWebKey{Key: private.Public()}
			tp, err := jwk.Thumbprint(crypto.SHA256)
			if err != nil {
				return fmt.Errorf("resolver: jws key thumbprint: %w", err)
			}
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: a, Key: jose.JSONWebKey{Key: private, KeyID: base64.RawURLEncoding.EncodeToString(tp)}}, nil)
			if err != nil {
				return fmt.Errorf("resolver: jws signer: %w", err)
			}
			c.signAlg, c.signer = a, s
			return nil
		}
	}
	return nil // verify-only
}

// CanEncode reports whether the codec holds a signing key.
func (c *JWSCodec) CanEncode() bool { return c != nil && c.signer != nil }

// Decode verifies a compact JWS and validates its claims at now.
func (c *JWSCodec) Decode(token string, now time.Time) (Claims, Reason, error) {
	if token == "" {
		return nil, ReasonNoCookie, errors.New("jws: empty token")
	}
	sig, err := jose.ParseSignedCompact(token, c.algs)
	if err != nil {
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return nil, ReasonAlgorithm, fmt.Errorf("jws: algorithm %q is not allowed", alg.Got)
		}
		return nil, ReasonMalformed, errors.New("jws: not a compact JWS")
	}
	h := sig.Signatures[0].Header
	alg := jose.SignatureAlgorithm(h.Algorithm)
	keys, reason, err := c.candidates(alg, h.KeyID)
	if err != nil {
		return nil, reason, err
	}
	for _, k := range keys {
		if payload, err := sig.Verify(k); err == nil {
			return parseClaims(string(payload), jwe.Header{}, now, false)
		}
	}
	return nil, ReasonDecrypt, errors.New("jws: signature verification failed")
}

// candidates are the keys that may have signed a token with alg and kid.
func (c *JWSCodec) candidates(alg jose.SignatureAlgorithm, kid string) ([]any, Reason, error) {
	if isHMAC(alg) {
		out := make([]any, len(c.secrets))
		for i, s := range c.secrets {
			out[i] = hmacVerifier{key: s}
		}
		return out, ReasonOK, nil
	}
	var out []any
	pick := func(keys []jose.JSONWebKey) {
		for _, k := range keys {
			if jwkMatches(k, alg, kid) {
				out = append(out, k.Key)
			}
		}
	}
	pick(c.static)
	if len(out) == 0 && c.jwks != nil {
		keys, err := c.jwks.keys(kid)
		if err != nil && len(keys) == 0 {
			return nil, ReasonKeys, err
		}
		pick(keys)
	}
	if len(out) == 0 {
		return nil, ReasonWrongKey, errors.New("jws: no key matches the token's kid and algorithm")
	}
	return out, ReasonOK, nil
}

// Encode signs claims with iat and exp set from now and maxAge.
func (c *JWSCodec) Encode(claims Claims, now time.Time, maxAge time.Duration) (string, error) {
	if !c.CanEncode() {
		return "", errors.New("jws: no signing key (a public key or JWKS only verifies)")
	}
	payload := make(Claims, len(claims)+2)
	for k, v := range claims {
		payload[k] = v
	}
	iat := floorUnix(now)
	payload["iat"] = json.Number(strconv.FormatInt(iat, 10))
	payload["exp"] = json.Number(strconv.FormatInt(iat+int64(maxAge/time.Second), 10))
	obj, err := c.signer.Sign(appendClaims(make([]byte, 0, 256), payload))
	if err != nil {
		return "", fmt.Errorf("jws: sign: %w", err)
	}
	return obj.CompactSerialize()
}

func isHMAC(a jose.SignatureAlgorithm) bool {
	return a == jose.HS256 || a == jose.HS384 || a == jose.HS512
}

// keyFitsAlg reports whether a public key can verify alg.
func keyFitsAlg(pub any, alg jose.SignatureAlgorithm) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256
	case *ecdsa.PublicKey:
		return alg == jose.ES256 && k.Curve.Params().Name == "P-256"
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// jwkMatches is createRemoteJWKSet's filter: the key's type fits the alg,
// its kid equals the token's (when the token names one), and its alg and
// use, when stated, agree.
func jwkMatches(k jose.JSONWebKey, alg jose.SignatureAlgorithm, kid string) bool {
	if kid != "" && k.KeyID != kid {
		return false
	}
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	if k.Use != "" && k.Use != "sig" {
		return false
	}
	return keyFitsAlg(k.Key, alg)
}

// hmacVerifier and hmacSigner let go-jose verify and sign HS* with keys
// of any length (see JWSCodec).
type hmacVerifier struct{ key []byte }

func (v hmacVerifier) VerifyPayload(payload, signature []byte, alg jose.SignatureAlgorithm) error {
	want, err := hmacSum(v.key, payload, alg)
	if err != nil {
		return err
	}
	if !hmac.Equal(want, signature) {
		return errors.New("jws: bad HMAC")
	}
	return nil
}

type hmacSigner struct {
	key []byte
	alg jose.SignatureAlgorithm
}

func (s hmacSigner) Public() *jose.JSONWebKey        { return nil }
func (s hmacSigner) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{s.alg} }
func (s hmacSigner) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	return hmacSum(s.key, payload, alg)
}

func hmacSum(key, payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	var h func() hash.Hash
	switch alg {
	case jose.HS256:
		h = sha256.New
	case jose.HS384:
		h = sha512.New384
	case jose.HS512:
		h = sha512.New
	default:
		return nil, jose.ErrUnsupportedAlgorithm
	}
	m := hmac.New(h, key)
	m.Write(payload)
	return m.Sum(nil), nil
}

// readPEMKeys loads every key in a PEM file: public keys, certificates
// and private keys (PKCS#8, PKCS#1, SEC 1). It returns the verification
// keys (kid = SHA-256 thumbprint) and the first private key.
func readPEMKeys(path string) ([]jose.JSONWebKey, crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("resolver: codec key file: %w", err)
	}
	var (
		keys    []jose.JSONWebKey
		private crypto.Signer
	)
	for len(data) > 0 {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		pub, priv, err := parsePEMBlock(b)
		if err != nil {
			return nil, nil, fmt.Errorf("resolver: codec key file %s: %s block: %w", path, b.Type, err)
		}
		if priv != nil && private == nil {
			private = priv
		}
		jwk := jose.JSONWebKey{Key: pub}
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, nil, fmt.Errorf("resolver: codec key file %s: %w", path, err)
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		keys = append(keys, jwk)
	}
	if len(keys) == 0 {
		return nil, nil, fmt.Errorf("resolver: codec key file %s holds no PEM key", path)
	}
	return keys, private, nil
}

func parsePEMBlock(b *pem.Block) (pub any, priv crypto.Signer, err error) {
	var k any
	switch strings.TrimSpace(b.Type) {
	case "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(b.Bytes); err == nil {
			k = cert.PublicKey
		}
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		return nil, nil, errors.New("unsupported PEM block type")
	}
	if err != nil {
		return nil, nil, err
	}
	if s, ok := k.(crypto.Signer); ok {
		return s.Public(), s, nil
	}
	switch k.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k, nil, nil
	}
	return nil, nil, errors.New("unsupported key type")
}
