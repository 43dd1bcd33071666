package jwe

import (
	"encoding/base64"
	"strings"
	"unsafe"
)

// Base64url as the two jose generations read it on Node: atob() for jose 6
// (Auth.js v5), Buffer for jose 4 (next-auth v4).

// bytesOf views s as bytes without copying. The result must not be written.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// appendB64 decodes seg the way jose does on Node 20: '+' and '/' are
// rejected, then '-'/'_' are mapped and atob() decodes, which ignores
// ASCII whitespace (TAB LF FF CR SPACE), accepts up to two trailing '='
// when they complete a 4-character group, and discards non-zero trailing
// bits (so "QR" and "QQ" both decode to "A").
func appendB64(dst []byte, seg string, legacy bool) ([]byte, error) {
	if legacy {
		return appendB64Buffer(dst, seg), nil
	}
	// Fast path: Go's non-strict RawURLEncoding accepts exactly the
	// unpadded URL alphabet (plus CR/LF, which atob ignores too), rejects
	// length 1 mod 4 and ignores trailing bits, as atob does. Anything it
	// rejects gets the full atob treatment below.
	start := len(dst)
	dst = append(dst, make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))...)
	if n, err := base64.RawURLEncoding.Decode(dst[start:], bytesOf(seg)); err == nil {
		return dst[:start+n], nil
	}
	dst = dst[:start]
	// Slow path: Node's atob() rules (lib/buffer.js).
	if strings.ContainsAny(seg, "+/") {
		return dst, errB64
	}
	count, eq := 0, 0
	data := make([]byte, 0, len(seg))
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ':
			continue
		case c == '=':
			count++
			eq++
			if eq > 2 {
				return dst, errB64
			}
		case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_':
			if eq > 0 {
				return dst, errB64
			}
			count++
			data = append(data, c)
		default:
			return dst, errB64
		}
	}
	rem := count % 4
	if rem == 0 {
		rem = (count - eq) % 4
	} else if eq > 0 {
		return dst, errB64
	}
	if rem == 1 {
		return dst, errB64
	}
	dst = append(dst, make([]byte, base64.RawURLEncoding.DecodedLen(len(data)))...)
	n, err := base64.RawURLEncoding.Decode(dst[start:], data)
	if err != nil {
		return dst[:start], errB64
	}
	return dst[:start+n], nil
}

// appendB64Buffer is Node's Buffer.from(s, "base64") as jose 4 (next-auth
// v4) uses it: both alphabets, characters outside them skipped, decoding
// stops at the first '='; a lone trailing character is dropped.
func appendB64Buffer(dst []byte, seg string) []byte {
	var acc uint32
	n := 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		var v byte
		switch {
		case 'A' <= c && c <= 'Z':
			v = c - 'A'
		case 'a' <= c && c <= 'z':
			v = c - 'a' + 26
		case '0' <= c && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '-':
			v = 62
		case c == '/' || c == '_':
			v = 63
		case c == '=':
			i = len(seg)
			continue
		default:
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		dst = append(dst, byte(acc>>4))
	case 3:
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	}
	return dst
}
