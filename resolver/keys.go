package resolver

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Key derivation and the per-key state the decoder reuses.
//
// Auth.js derives the content-encryption key from the secret on every
// decode (HKDF + JWK thumbprint + WebCrypto import, ~400 µs). We do it once
// per (secret, cookie name, enc) when a Codec is built, and keep everything a
// decode needs (AES block, GCM AEAD, a pool of keyed HMACs) next to the key,
// so the hot path never derives or imports anything.

// encAlg is a JWE "enc" value we can decrypt.
type encAlg uint8

const (
	encNone         encAlg = iota
	encA256CBCHS512        // v5 default
	encA256GCM             // v5 (accepted by decode) and next-auth v4
	encA128CBCHS256        // next-auth v4 only: same 32-byte key length as A256GCM
)

func (e encAlg) String() string {
	switch e {
	case encA256CBCHS512:
		return "A256CBC-HS512"
	case encA256GCM:
		return "A256GCM"
	case encA128CBCHS256:
		return "A128CBC-HS256"
	}
	return "none"
}

// keyLen is the content-encryption key length in bytes.
func (e encAlg) keyLen() int {
	if e == encA256CBCHS512 {
		return 64
	}
	return 32
}

// ivLen is the IV length jose requires for e.
func (e encAlg) ivLen() int {
	if e == encA256GCM {
		return 12
	}
	return 16
}

func (e encAlg) cbc() bool { return e == encA256CBCHS512 || e == encA128CBCHS256 }

// parseEnc maps a header "enc" string to an encAlg.
func parseEnc(s string) encAlg {
	switch s {
	case "A256CBC-HS512":
		return encA256CBCHS512
	case "A256GCM":
		return encA256GCM
	case "A128CBC-HS256":
		return encA128CBCHS256
	}
	return encNone
}

// HKDF info strings, from @auth/core/jwt.js and next-auth/jwt/index.js.
const (
	v5InfoPrefix = "Auth.js Generated Encryption Key ("
	v4Info       = "NextAuth.js Generated Encryption Key"
)

// deriveV5Key is Auth.js v5's getDerivedEncryptionKey(enc, secret, salt):
// HKDF-SHA256 over the secret's UTF-8 bytes (not base64-decoded), salt =
// the session cookie name, info naming the salt too.
func deriveV5Key(secret, salt string, enc encAlg) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("empty secret")
	}
	info := v5InfoPrefix + salt + ")"
	if len(info) > 1024 {
		return nil, errors.New("hkdf info exceeds 1024 bytes (cookie name too long)")
	}
	return hkdf.Key(sha256.New, []byte(secret), []byte(salt), info, enc.keyLen())
}

// deriveV4Key is next-auth v4's getDerivedEncryptionKey(secret, ""): the
// session route never passes a salt, so salt is empty for every cookie name.
func deriveV4Key(secret string) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("empty secret")
	}
	return hkdf.Key(sha256.New, []byte(secret), nil, v4Info, 32)
}

// thumbprint is the RFC 7638 JWK thumbprint jose's calculateJwkThumbprint
// computes for {"kty":"oct","k":...}: the required members in
// lexicographic order, hashed with SHA-(8·len(key)) as Auth.js asks
// (SHA-512 for 64-byte keys, SHA-256 for 32-byte keys).
func thumbprint(key []byte) string {
	doc := `{"k":"` + base64.RawURLEncoding.EncodeToString(key) + `","kty":"oct"}`
	var sum []byte
	switch len(key) {
	case 64:
		s := sha512.Sum512([]byte(doc))
		sum = s[:]
	case 32:
		s := sha256.Sum256([]byte(doc))
		sum = s[:]
	default:
		panic(fmt.Sprintf("resolver: thumbprint of a %d-byte key", len(key)))
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// contentKey is one derived content-encryption key with everything needed
// to use it. It is immutable after construction and safe for concurrent use
// (per-call mutable state comes from the pool).
type contentKey struct {
	enc encAlg
	raw []byte
	kid string // thumbprint; empty for v4 keys (never compared)

	// CBC-HS: the AES key is the second half of raw, the MAC key the first.
	block   cipher.Block
	tagLen  int
	newHash func() hash.Hash
	// GCM.
	aead cipher.AEAD

	pool sync.Pool // *cbcScratch (CBC) or *gcmScratch (GCM)
}

// ivSetter is the SetIV method crypto/cipher's CBC modes have (crypto/tls
// relies on it too); it lets a pooled BlockMode be reused with a new IV.
type ivSetter interface {
	cipher.BlockMode
	SetIV([]byte)
}

// cbcScratch is per-call state for CBC-HS decryption, pooled per key so a
// warm decode allocates nothing here.
type cbcScratch struct {
	mac  hash.Hash
	mode ivSetter
	al   [8]byte
	sum  [64]byte
	iv   [16]byte
	tag  [64]byte
}

// gcmScratch is per-call state for GCM decryption.
type gcmScratch struct {
	iv  [12]byte
	tag [16]byte
}

func newContentKey(enc encAlg, raw []byte, withKid bool) (*contentKey, error) {
	k := &contentKey{enc: enc, raw: raw}
	if withKid {
		k.kid = thumbprint(raw)
	}
	switch enc {
	case encA256CBCHS512, encA128CBCHS256:
		half := len(raw) / 2
		macKey, encKey := raw[:half], raw[half:]
		block, err := aes.NewCipher(encKey)
		if err != nil {
			return nil, fmt.Errorf("aes key: %w", err)
		}
		newHash := sha512.New
		if enc == encA128CBCHS256 {
			newHash = sha256.New
		}
		k.block, k.tagLen, k.newHash = block, half, newHash
		k.pool.New = func() any {
			mode, ok := cipher.NewCBCDecrypter(block, make([]byte, aes.BlockSize)).(ivSetter)
			if !ok {
				// Every stdlib CBC mode has SetIV; this is unreachable
				// unless the stdlib changes, and then we fail loudly.
				panic("resolver: CBC decrypter without SetIV")
			}
			return &cbcScratch{mac: hmac.New(newHash, macKey), mode: mode}
		}
	case encA256GCM:
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("aes key: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("gcm: %w", err)
		}
		k.block, k.aead = block, aead
		k.pool.New = func() any { return new(gcmScratch) }
	default:
		return nil, fmt.Errorf("unsupported enc %s", enc)
	}
	return k, nil
}

// keyRing holds the derived keys of every secret, in rotation order, for
// each enc the codec accepts.
type keyRing struct {
	legacy bool
	// byEnc[enc] lists one key per secret, secrets[0] first.
	byEnc [4][]*contentKey
}

// newKeyRing derives all keys once. v5: A256CBC-HS512 and A256GCM keys for
// every secret, salted with the cookie name. v4: one 32-byte key (used for
// A256GCM and A128CBC-HS256, the two dir encs a 32-byte key fits).
func newKeyRing(secrets []string, cookieName string, legacy bool) (*keyRing, error) {
	if len(secrets) == 0 {
		return nil, errors.New("no secret")
	}
	r := &keyRing{legacy: legacy}
	if legacy {
		if len(secrets) != 1 {
			return nil, errors.New("legacy v4 tokens take a single secret")
		}
		raw, err := deriveV4Key(secrets[0])
		if err != nil {
			return nil, fmt.Errorf("derive v4 key: %w", err)
		}
		for _, enc := range []encAlg{encA256GCM, encA128CBCHS256} {
			k, err := newContentKey(enc, raw, false)
			if err != nil {
				return nil, err
			}
			r.byEnc[enc] = []*contentKey{k}
		}
		return r, nil
	}
	for i, s := range secrets {
		for _, enc := range []encAlg{encA256CBCHS512, encA256GCM} {
			raw, err := deriveV5Key(s, cookieName, enc)
			if err != nil {
				return nil, fmt.Errorf("derive key for secret %d: %w", i, err)
			}
			k, err := newContentKey(enc, raw, true)
			if err != nil {
				return nil, err
			}
			r.byEnc[enc] = append(r.byEnc[enc], k)
		}
	}
	return r, nil
}

// lookup is Auth.js's key resolver: a kid-less token gets the first
// secret's key (and only that one); otherwise the key whose thumbprint
// equals kid. kidSet reports whether the header had a kid member at all;
// kid is its value when it is a string (a non-string kid matches nothing,
// as jose's strict equality would).
func (r *keyRing) lookup(enc encAlg, kidSet, kidIsString bool, kid []byte) *contentKey {
	keys := r.byEnc[enc]
	if len(keys) == 0 {
		return nil
	}
	if r.legacy || !kidSet {
		// v4 passes a single key; jose ignores kid.
		return keys[0]
	}
	if !kidIsString {
		return nil
	}
	for _, k := range keys {
		if k.kid == string(kid) {
			return k
		}
	}
	return nil
}
