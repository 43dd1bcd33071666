package resolver

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Hand-written compact JWE decryption, following jose 6.2.18's
// lib/jwe_decrypt.js check for check and in the same order, so that the
// Reason we report is the first thing jose would have complained about:
//
//  1. exactly 5 '.'-separated segments;
//  2. protected header: base64url → strict UTF-8 (BOM dropped) → JSON
//     object; then ciphertext, IV and tag must be valid base64url;
//  3. "crit" present → rejected; "zip" other than "DEF" → rejected;
//  4. "alg" and "enc" non-empty strings, then the allow-lists;
//  5. a non-empty encrypted-key segment must still be valid base64url;
//  6. key resolution (kid / kid-less rule);
//  7. "dir" with an encrypted key → rejected;
//  8. IV and tag present, IV length, GCM tag length;
//  9. authenticate and decrypt; 10. zip: inflate, bounded.
//
// go-jose is not used on the hot path: it allocates per call, derives
// nothing we can cache, and differs from jose on base64 leniency.

// Errors behind the Reasons; they never contain token material.
var (
	errCompact    = errors.New("jwe: not a compact JWE (want 5 segments)")
	errB64        = errors.New("jwe: invalid base64url")
	errHeader     = errors.New("jwe: protected header is not a UTF-8 JSON object")
	errCrit       = errors.New("jwe: crit header parameter is not supported")
	errZip        = errors.New(`jwe: unsupported "zip" value`)
	errMissingAlg = errors.New(`jwe: missing "alg"`)
	errMissingEnc = errors.New(`jwe: missing "enc"`)
	errAlg        = errors.New(`jwe: "alg" not allowed`)
	errEnc        = errors.New(`jwe: "enc" not allowed`)
	errNoKey      = errors.New("jwe: no matching decryption secret")
	errEncKey     = errors.New("jwe: unexpected encrypted key for dir")
	errIV         = errors.New("jwe: missing or invalid initialization vector")
	errTag        = errors.New("jwe: missing or invalid authentication tag")
	errDecrypt    = errors.New("jwe: decryption failed")
	errInflate    = errors.New("jwe: failed to decompress plaintext")
	errInflateBig = errors.New("jwe: decompressed plaintext exceeded the limit")
)

// maxInflated is jose's default maxDecompressedLength.
const maxInflated = 250_000

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

// jweHeader holds the protected header members the decoder looks at, as
// raw JSON value texts (last duplicate wins, as JSON.parse does).
type jweHeader struct {
	alg, enc, kid, zip, crit, iss, sub, aud string
	has                                     uint8 // bit set per member
}

const (
	hAlg uint8 = 1 << iota
	hEnc
	hKid
	hZip
	hCrit
	hIss
	hSub
	hAud
)

// parseHeader is JSON.parse + isObject over the decoded header text,
// recording the members of interest without allocating.
func parseHeader(text string) (jweHeader, error) {
	var h jweHeader
	if !utf8.ValidString(text) {
		return h, errHeader
	}
	s := text
	i := js.SkipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return h, errHeader
	}
	i = js.SkipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		if js.SkipWS(s, i+1) != len(s) {
			return h, errHeader
		}
		return h, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return h, errHeader
		}
		end, esc, err := js.ScanString(s, i)
		if err != nil {
			return h, errHeader
		}
		key := s[i+1 : end-1]
		if esc {
			key = js.Unquote(key) // rare: only escaped member names allocate
		}
		i = js.SkipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return h, errHeader
		}
		vStart := js.SkipWS(s, i+1)
		vEnd, err := js.SkipValue(s, vStart, 1)
		if err != nil {
			return h, errHeader
		}
		raw := s[vStart:vEnd]
		switch key {
		case "alg":
			h.alg, h.has = raw, h.has|hAlg
		case "enc":
			h.enc, h.has = raw, h.has|hEnc
		case "kid":
			h.kid, h.has = raw, h.has|hKid
		case "zip":
			h.zip, h.has = raw, h.has|hZip
		case "crit":
			h.crit, h.has = raw, h.has|hCrit
		case "iss":
			h.iss, h.has = raw, h.has|hIss
		case "sub":
			h.sub, h.has = raw, h.has|hSub
		case "aud":
			h.aud, h.has = raw, h.has|hAud
		}
		i = js.SkipWS(s, vEnd)
		if i >= len(s) {
			return h, errHeader
		}
		if s[i] == '}' {
			if js.SkipWS(s, i+1) != len(s) {
				return h, errHeader
			}
			return h, nil
		}
		if s[i] != ',' {
			return h, errHeader
		}
		i = js.SkipWS(s, i+1)
	}
}

// jsonStringValue returns the string a raw JSON value denotes, if it is a
// string. Escape-free strings are returned without allocating.
func jsonStringValue(raw string) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body, true
	}
	return js.Unquote(body), true
}

// decrypted is the outcome of decryptCompact.
type decrypted struct {
	header    jweHeader
	plaintext string
}

// decryptCompact runs steps 1–10 for tok. The plaintext aliases a fresh
// buffer owned by the result.
func (r *keyRing) decryptCompact(tok string) (decrypted, Reason, error) {
	var out decrypted
	// 1. segments.
	if strings.Count(tok, ".") != 4 {
		return out, ReasonMalformed, errCompact
	}
	d1 := strings.IndexByte(tok, '.')
	d2 := d1 + 1 + strings.IndexByte(tok[d1+1:], '.')
	d3 := d2 + 1 + strings.IndexByte(tok[d2+1:], '.')
	d4 := d3 + 1 + strings.IndexByte(tok[d3+1:], '.')
	hSeg, ekSeg, ivSeg, ctSeg, tagSeg := tok[:d1], tok[d1+1:d2], tok[d2+1:d3], tok[d3+1:d4], tok[d4+1:]

	// 2. decode header, ciphertext, iv, tag into one buffer.
	buf := make([]byte, 0, len(hSeg)/4*3+len(ctSeg)/4*3+len(ivSeg)/4*3+len(tagSeg)/4*3+12)
	var err error
	if buf, err = appendB64(buf, hSeg, r.legacy); err != nil {
		return out, ReasonMalformed, fmt.Errorf("header: %w", err)
	}
	hdrBytes := js.StripBOM(buf)
	hdrText := unsafe.String(unsafe.SliceData(hdrBytes), len(hdrBytes))
	if r.legacy {
		// jose 4 decodes the header with a non-fatal TextDecoder.
		hdrText = js.DecodeUTF8Lenient(hdrText)
	}
	h, err := parseHeader(hdrText)
	if err != nil {
		return out, ReasonMalformed, err
	}
	out.header = h
	ctStart := len(buf)
	if buf, err = appendB64(buf, ctSeg, r.legacy); err != nil {
		return out, ReasonMalformed, fmt.Errorf("ciphertext: %w", err)
	}
	ivStart := len(buf)
	if ivSeg != "" {
		if buf, err = appendB64(buf, ivSeg, r.legacy); err != nil {
			return out, ReasonMalformed, fmt.Errorf("iv: %w", err)
		}
	}
	tagStart := len(buf)
	if tagSeg != "" {
		if buf, err = appendB64(buf, tagSeg, r.legacy); err != nil {
			return out, ReasonMalformed, fmt.Errorf("tag: %w", err)
		}
	}
	ct, iv, tag := buf[ctStart:ivStart], buf[ivStart:tagStart], buf[tagStart:]

	// 3. crit, zip.
	if h.has&hCrit != 0 {
		return out, ReasonAlgorithm, errCrit
	}
	zip := false
	if h.has&hZip != 0 {
		if z, ok := jsonStringValue(h.zip); !ok || z != "DEF" {
			return out, ReasonAlgorithm, errZip
		}
		zip = true
	}
	// 4. alg, enc.
	alg, ok := jsonStringValue(h.alg)
	if h.has&hAlg == 0 || !ok || alg == "" {
		return out, ReasonMalformed, errMissingAlg
	}
	encName, ok := jsonStringValue(h.enc)
	if h.has&hEnc == 0 || !ok || encName == "" {
		return out, ReasonMalformed, errMissingEnc
	}
	if alg != "dir" {
		return out, ReasonAlgorithm, errAlg
	}
	enc := parseEnc(encName)
	if len(r.byEnc[enc]) == 0 || enc == encNone {
		return out, ReasonAlgorithm, errEnc
	}
	// 5. encrypted key segment must be base64url even though dir rejects it.
	if ekSeg != "" {
		if _, err := appendB64(nil, ekSeg, r.legacy); err != nil {
			return out, ReasonMalformed, fmt.Errorf("encrypted key: %w", err)
		}
	}
	// 6. key.
	kidStr, kidIsString := jsonStringValue(h.kid)
	key := r.lookup(enc, h.has&hKid != 0, kidIsString, bytesOf(kidStr))
	if key == nil {
		return out, ReasonWrongKey, errNoKey
	}
	// 7.
	if ekSeg != "" {
		return out, ReasonMalformed, errEncKey
	}
	// 8.
	if ivSeg == "" {
		return out, ReasonMalformed, errIV
	}
	if tagSeg == "" {
		return out, ReasonMalformed, errTag
	}
	if !enc.cbc() && len(tag) != 16 {
		return out, ReasonMalformed, errTag
	}
	if len(iv) != enc.ivLen() {
		return out, ReasonMalformed, errIV
	}
	// 9. AAD is the header segment exactly as received.
	aad := bytesOf(hSeg)
	var plain []byte
	if enc.cbc() {
		plain, err = key.openCBC(ct, iv, tag, aad)
	} else {
		plain, err = key.openGCM(ct, iv, tag, aad)
	}
	if err != nil {
		return out, ReasonDecrypt, err
	}
	// 10.
	if zip {
		if plain, err = inflateBounded(plain); err != nil {
			return out, ReasonMalformed, err
		}
	}
	out.plaintext = unsafe.String(unsafe.SliceData(plain), len(plain))
	return out, ReasonOK, nil
}

// openCBC is RFC 7518 §5.2.2.2: verify the truncated HMAC over
// AAD ‖ IV ‖ C ‖ AL in constant time, then AES-CBC decrypt in place and
// strip PKCS#7 padding (WebCrypto rejects bad padding, so do we).
func (k *contentKey) openCBC(ct, iv, tag, aad []byte) ([]byte, error) {
	s := k.pool.Get().(*cbcScratch)
	defer k.pool.Put(s)
	s.mac.Reset()
	s.mac.Write(aad)
	s.mac.Write(iv)
	s.mac.Write(ct)
	binary.BigEndian.PutUint64(s.al[:], uint64(len(aad))*8)
	s.mac.Write(s.al[:])
	sum := s.mac.Sum(s.sum[:0])
	if len(tag) != k.tagLen || subtle.ConstantTimeCompare(sum[:k.tagLen], tag) != 1 {
		return nil, errDecrypt
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, errDecrypt
	}
	s.mode.SetIV(iv)
	s.mode.CryptBlocks(ct, ct)
	pad := int(ct[len(ct)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errDecrypt
	}
	// Padding is checked only after the MAC passed, so this branch leaks
	// nothing about forged ciphertexts.
	for _, b := range ct[len(ct)-pad:] {
		if int(b) != pad {
			return nil, errDecrypt
		}
	}
	return ct[:len(ct)-pad], nil
}

// openGCM decrypts with AES-256-GCM. jose concatenates C and T and lets
// WebCrypto split them; with the tag length checked first that is the same
// as Open over C ‖ T.
func (k *contentKey) openGCM(ct, iv, tag, aad []byte) ([]byte, error) {
	// ct and tag are adjacent in the decode buffer (ciphertext, iv, tag),
	// so build C ‖ T in a scratch copy only when needed.
	sealed := make([]byte, 0, len(ct)+len(tag))
	sealed = append(append(sealed, ct...), tag...)
	plain, err := k.aead.Open(sealed[:0], iv, sealed, aad)
	if err != nil {
		return nil, errDecrypt
	}
	return plain, nil
}

// inflateBounded inflates raw DEFLATE data, failing past maxInflated bytes
// (jose's check is "> limit", so exactly the limit is fine). Trailing bytes
// after the final block are ignored, as Node's DecompressionStream does.
func inflateBounded(p []byte) ([]byte, error) {
	fr := flate.NewReader(bytes.NewReader(p))
	defer fr.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(fr, maxInflated+1))
	if err != nil {
		return nil, errInflate
	}
	if n > maxInflated {
		return nil, errInflateBig
	}
	return out.Bytes(), nil
}

// sealCBC encrypts plaintext for Encode (RFC 7518 §5.2.2.1) with the
// given IV, returning ciphertext and tag.
func (k *contentKey) sealCBC(plaintext, iv, aad []byte) (ct, tag []byte) {
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	ct = make([]byte, len(plaintext)+pad)
	copy(ct, plaintext)
	for i := len(plaintext); i < len(ct); i++ {
		ct[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(k.block, iv).CryptBlocks(ct, ct)
	mac := hmac.New(k.newHash, k.raw[:len(k.raw)/2])
	mac.Write(aad)
	mac.Write(iv)
	mac.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(aad))*8)
	mac.Write(al[:])
	return ct, mac.Sum(nil)[:k.tagLen]
}

// sealGCM encrypts plaintext with AES-GCM (12-byte IV), returning
// ciphertext and the 16-byte tag.
func (k *contentKey) sealGCM(plaintext, iv, aad []byte) (ct, tag []byte) {
	sealed := k.aead.Seal(nil, iv, plaintext, aad)
	return sealed[:len(sealed)-16], sealed[len(sealed)-16:]
}
