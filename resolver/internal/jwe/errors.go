package jwe

import "errors"

// Kind classifies a decryption failure, in the groups a caller reports
// differently. The zero Kind means no failure.
type Kind uint8

const (
	_ Kind = iota
	// Malformed: not a compact JWE this package can parse (segments,
	// base64url, header JSON, missing alg/enc, an encrypted key for dir,
	// IV or tag shape, or a plaintext that does not inflate).
	Malformed
	// Unsupported: well formed but outside the allow-lists (crit, a zip
	// other than DEF, an alg other than dir, an enc the ring has no key
	// for).
	Unsupported
	// NoKey: no key of the ring matches the header's kid (or the ring's
	// kid-less rule).
	NoKey
	// DecryptFailed: the key was found but the token does not authenticate
	// under it (tag or padding).
	DecryptFailed
)

func (k Kind) String() string {
	switch k {
	case Malformed:
		return "malformed"
	case Unsupported:
		return "unsupported"
	case NoKey:
		return "no_key"
	case DecryptFailed:
		return "decrypt_failed"
	}
	return "none"
}

// Error is a decryption failure of one Kind. Its text never contains
// token material.
type Error struct {
	Kind Kind
	msg  string
}

func (e *Error) Error() string { return e.msg }

// KindOf returns the Kind of the *Error in err's chain, or the zero Kind
// when there is none (err is nil or not from this package). It walks the
// chain itself rather than using errors.As, so a failure costs no
// allocation beyond the one that made it.
func KindOf(err error) Kind {
	for err != nil {
		if e, ok := err.(*Error); ok {
			return e.Kind
		}
		err = errors.Unwrap(err)
	}
	return 0
}

// The failures Decrypt returns, some wrapped with the segment they concern.
var (
	errCompact    = &Error{Malformed, "jwe: not a compact JWE (want 5 segments)"}
	errB64        = &Error{Malformed, "jwe: invalid base64url"}
	errHeader     = &Error{Malformed, "jwe: protected header is not a UTF-8 JSON object"}
	errCrit       = &Error{Unsupported, "jwe: crit header parameter is not supported"}
	errZip        = &Error{Unsupported, `jwe: unsupported "zip" value`}
	errMissingAlg = &Error{Malformed, `jwe: missing "alg"`}
	errMissingEnc = &Error{Malformed, `jwe: missing "enc"`}
	errAlg        = &Error{Unsupported, `jwe: "alg" not allowed`}
	errEnc        = &Error{Unsupported, `jwe: "enc" not allowed`}
	errNoKey      = &Error{NoKey, "jwe: no matching decryption secret"}
	errEncKey     = &Error{Malformed, "jwe: unexpected encrypted key for dir"}
	errIV         = &Error{Malformed, "jwe: missing or invalid initialization vector"}
	errTag        = &Error{Malformed, "jwe: missing or invalid authentication tag"}
	errDecrypt    = &Error{DecryptFailed, "jwe: decryption failed"}
	errInflate    = &Error{Malformed, "jwe: failed to decompress plaintext"}
	errInflateBig = &Error{Malformed, "jwe: decompressed plaintext exceeded the limit"}
)
