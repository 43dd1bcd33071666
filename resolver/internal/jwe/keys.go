package jwe

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
// per (secret, salt, enc) when a Ring is built, and keep everything a
// decode needs (AES block, GCM AEAD, a pool of keyed HMACs) next to the key,
// so the hot path never derives or imports anything.

// Enc is a JWE "enc" value we can decrypt.
type Enc uint8

// The content encryptions a Ring holds keys for.
const (
	encNone      Enc = iota
	A256CBCHS512     // v5 default
	A256GCM          // v5 (accepted by decode) and next-auth v4
	A128CBCHS256     // next-auth v4 only: same 32-byte key length as A256GCM
)

func (e Enc) String() string {
	switch e {
	case A256CBCHS512:
		return "A256CBC-HS512"
	case A256GCM:
		return "A256GCM"
	case A128CBCHS256:
		return "A128CBC-HS256"
	}
	return "none"
}

// keyLen is the content-encryption key length in bytes.
func (e Enc) keyLen() int {
	if e == A256CBCHS512 {
		return 64
	}
	return 32
}

// IVLen is the IV length jose requires for e.
func (e Enc) IVLen() int {
	if e == A256GCM {
		return 12
	}
	return 16
}

func (e Enc) cbc() bool { return e == A256CBCHS512 || e == A128CBCHS256 }

// parseEnc maps a header "enc" string to an Enc.
func parseEnc(s string) Enc {
	switch s {
	case "A256CBC-HS512":
		return A256CBCHS512
	case "A256GCM":
		return A256GCM
	case "A128CBC-HS256":
		return A128CBCHS256
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
func deriveV5Key(secret, salt string, enc Enc) ([]byte, error) {
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
		panic(fmt.Sprintf("jwe: thumbprint of a %d-byte key", len(key)))
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// Key is one derived content-encryption key with everything needed
// to use it. It is immutable after construction and safe for concurrent use
// (per-call mutable state comes from the pool).
type Key struct {
	enc Enc
	raw []byte
	kid string // thumbprint; empty for v4 keys (never compared)

	// CBC-HS: the AES key is the second half of raw, the MAC key the first.
	block   cipher.Block
	tagLen  int
	newHash func() hash.Hash
	// GCM.
	aead cipher.AEAD

	pool     sync.Pool // *cbcScratch (CBC) or *gcmScratch (GCM)
	sealPool sync.Pool // *sealScratch (CBC): encryption, for refreshes
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

// Enc is the content encryption k is for.
func (k *Key) Enc() Enc { return k.enc }

// Kid is k's RFC 7638 thumbprint, the "kid" a v5 token names it by; empty
// for v4 keys, which are never looked up by kid.
func (k *Key) Kid() string { return k.kid }

// Raw returns a copy of the key bytes (for interoperability checks with
// other JWE implementations; the decoder never needs them).
func (k *Key) Raw() []byte { return append([]byte(nil), k.raw...) }

// Keys returns the ring's keys for enc, one per secret in rotation order
// (the current secret first); nil when the ring does not accept enc.
func (r *Ring) Keys(enc Enc) []*Key {
	if int(enc) >= len(r.byEnc) {
		return nil
	}
	return append([]*Key(nil), r.byEnc[enc]...)
}

func newKey(enc Enc, raw []byte, withKid bool) (*Key, error) {
	k := &Key{enc: enc, raw: raw}
	if withKid {
		k.kid = thumbprint(raw)
	}
	switch enc {
	case A256CBCHS512, A128CBCHS256:
		half := len(raw) / 2
		macKey, encKey := raw[:half], raw[half:]
		block, err := aes.NewCipher(encKey)
		if err != nil {
			return nil, fmt.Errorf("aes key: %w", err)
		}
		newHash := sha512.New
		if enc == A128CBCHS256 {
			newHash = sha256.New
		}
		k.block, k.tagLen, k.newHash = block, half, newHash
		k.pool.New = func() any {
			mode, ok := cipher.NewCBCDecrypter(block, make([]byte, aes.BlockSize)).(ivSetter)
			if !ok {
				// Every stdlib CBC mode has SetIV; this is unreachable
				// unless the stdlib changes, and then we fail loudly.
				panic("jwe: CBC decrypter without SetIV")
			}
			return &cbcScratch{mac: hmac.New(newHash, macKey), mode: mode}
		}
		k.sealPool.New = func() any {
			mode, ok := cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).(ivSetter)
			if !ok {
				panic("jwe: CBC encrypter without SetIV") // as for the decrypter
			}
			return &sealScratch{mac: hmac.New(newHash, macKey), mode: mode}
		}
	case A256GCM:
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

// Ring holds the derived keys of every secret, in rotation order, for
// each enc it accepts, and the decoding dialect (v5 or next-auth v4) its
// tokens are read in. It is immutable and safe for concurrent use.
type Ring struct {
	legacy bool
	// byEnc[enc] lists one key per secret, secrets[0] first.
	byEnc [4][]*Key
}

// NewRing derives all keys once. v5: A256CBC-HS512 and A256GCM keys for
// every secret, salted with salt. v4: one 32-byte key (used for
// A256GCM and A128CBC-HS256, the two dir encs a 32-byte key fits).
//
// salt is the HKDF salt of v5 keys (Auth.js passes the session cookie
// name); legacy selects next-auth v4's derivation, which ignores it, and
// jose 4's decoding dialect (Buffer base64, lenient UTF-8 header).
func NewRing(secrets []string, salt string, legacy bool) (*Ring, error) {
	if len(secrets) == 0 {
		return nil, errors.New("no secret")
	}
	r := &Ring{legacy: legacy}
	if legacy {
		if len(secrets) != 1 {
			return nil, errors.New("legacy v4 tokens take a single secret")
		}
		raw, err := deriveV4Key(secrets[0])
		if err != nil {
			return nil, fmt.Errorf("derive v4 key: %w", err)
		}
		for _, enc := range []Enc{A256GCM, A128CBCHS256} {
			k, err := newKey(enc, raw, false)
			if err != nil {
				return nil, err
			}
			r.byEnc[enc] = []*Key{k}
		}
		return r, nil
	}
	for i, s := range secrets {
		for _, enc := range []Enc{A256CBCHS512, A256GCM} {
			raw, err := deriveV5Key(s, salt, enc)
			if err != nil {
				return nil, fmt.Errorf("derive key for secret %d: %w", i, err)
			}
			k, err := newKey(enc, raw, true)
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
func (r *Ring) lookup(enc Enc, kidSet, kidIsString bool, kid []byte) *Key {
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
