package jwe

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// AppendB64 appends base64.RawURLEncoding's encoding of src to dst (the
// same bytes as its AppendEncode), six input bytes at a time through a
// table of every 12-bit value's two characters, where encoding/base64
// looks up one character per six bits. A refreshed cookie encodes its
// whole ciphertext on every request; this halves the cost of doing so.
func AppendB64(dst, src []byte) []byte {
	n := base64.RawURLEncoding.EncodedLen(len(src))
	dst = slices.Grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	si, di := 0, 0
	for ; len(src)-si >= 8; si, di = si+6, di+8 { // a 64-bit load reads 8 bytes and uses 6
		x := binary.BigEndian.Uint64(src[si:])
		binary.LittleEndian.PutUint64(out[di:], uint64(b64Pairs[x>>52])|uint64(b64Pairs[x>>40&0xFFF])<<16|
			uint64(b64Pairs[x>>28&0xFFF])<<32|uint64(b64Pairs[x>>16&0xFFF])<<48)
	}
	// si is a multiple of 3, so the rest starts a group of its own.
	base64.RawURLEncoding.Encode(out[di:], src[si:])
	return dst[:len(dst)+n]
}

// b64Pairs holds, for each 12-bit value, its two URL-alphabet characters
// as a little-endian uint16 (the first character in the low byte).
var b64Pairs = func() (t [4096]uint16) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = uint16(alphabet[i>>6]) | uint16(alphabet[i&63])<<8
	}
	return t
}()
