package jwe

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Compact JWE decryption, following jose 6.2.18's lib/jwe_decrypt.js
// check for check and in the same order, so that the failure we report is
// the first thing jose would have complained about:
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
// Each step is a function below; Decrypt runs them in order.

// Decrypted is the outcome of Decrypt.
type Decrypted struct {
	// Header is the parsed protected header.
	Header Header
	// Plaintext is the decrypted (and inflated) payload. It aliases a
	// fresh buffer owned by the result.
	Plaintext string
}

// segments are the five parts of a compact JWE, still encoded.
type segments struct {
	header, encKey, iv, ciphertext, tag string
}

// decoded holds the parsed header and the decoded ciphertext, IV and tag,
// which share one buffer.
type decoded struct {
	header      Header
	ct, iv, tag []byte
}

// Decrypt runs steps 1–10 for tok. A failure is an *Error (possibly
// wrapped with the segment it concerns); KindOf classifies it.
func (r *Ring) Decrypt(tok string) (Decrypted, error) {
	var out Decrypted
	seg, err := splitCompact(tok) // 1
	if err != nil {
		return out, err
	}
	d, err := r.decodeSegments(seg) // 2
	if err != nil {
		return out, err
	}
	out.Header = d.header
	enc, zip, err := r.checkAlgorithms(d.header) // 3, 4
	if err != nil {
		return out, err
	}
	if seg.encKey != "" { // 5: must be base64url even though dir rejects it
		if _, err := appendB64(nil, seg.encKey, r.legacy); err != nil {
			return out, fmt.Errorf("encrypted key: %w", err)
		}
	}
	key := r.keyFor(enc, d.header) // 6
	if key == nil {
		return out, errNoKey
	}
	if err := checkShapes(seg, d, enc); err != nil { // 7, 8
		return out, err
	}
	plain, err := key.open(d, bytesOf(seg.header)) // 9
	if err != nil {
		return out, err
	}
	if zip { // 10
		if plain, err = inflateBounded(plain); err != nil {
			return out, err
		}
	}
	out.Plaintext = unsafe.String(unsafe.SliceData(plain), len(plain))
	return out, nil
}

// splitCompact is step 1: exactly five segments.
func splitCompact(tok string) (segments, error) {
	if strings.Count(tok, ".") != 4 {
		return segments{}, errCompact
	}
	d1 := strings.IndexByte(tok, '.')
	d2 := d1 + 1 + strings.IndexByte(tok[d1+1:], '.')
	d3 := d2 + 1 + strings.IndexByte(tok[d2+1:], '.')
	d4 := d3 + 1 + strings.IndexByte(tok[d3+1:], '.')
	return segments{tok[:d1], tok[d1+1 : d2], tok[d2+1 : d3], tok[d3+1 : d4], tok[d4+1:]}, nil
}

// decodeSegments is step 2: the header is decoded and parsed first (a bad
// header is reported before a bad ciphertext), then ciphertext, IV and tag
// are decoded into the same buffer, so a decryption allocates it once.
func (r *Ring) decodeSegments(seg segments) (decoded, error) {
	var d decoded
	buf := make([]byte, 0, len(seg.header)/4*3+len(seg.ciphertext)/4*3+len(seg.iv)/4*3+len(seg.tag)/4*3+12)
	var err error
	if buf, err = appendB64(buf, seg.header, r.legacy); err != nil {
		return d, fmt.Errorf("header: %w", err)
	}
	hdrBytes := js.StripBOM(buf)
	hdrText := unsafe.String(unsafe.SliceData(hdrBytes), len(hdrBytes))
	if r.legacy {
		// jose 4 decodes the header with a non-fatal TextDecoder.
		hdrText = js.DecodeUTF8Lenient(hdrText)
	}
	if d.header, err = parseHeader(hdrText); err != nil {
		return d, err
	}
	ctStart := len(buf)
	if buf, err = appendB64(buf, seg.ciphertext, r.legacy); err != nil {
		return d, fmt.Errorf("ciphertext: %w", err)
	}
	ivStart := len(buf)
	if seg.iv != "" {
		if buf, err = appendB64(buf, seg.iv, r.legacy); err != nil {
			return d, fmt.Errorf("iv: %w", err)
		}
	}
	tagStart := len(buf)
	if seg.tag != "" {
		if buf, err = appendB64(buf, seg.tag, r.legacy); err != nil {
			return d, fmt.Errorf("tag: %w", err)
		}
	}
	d.ct, d.iv, d.tag = buf[ctStart:ivStart], buf[ivStart:tagStart], buf[tagStart:]
	return d, nil
}

// checkAlgorithms is steps 3 and 4: crit and zip, then alg and enc
// against the allow-lists (alg "dir"; the encs the ring has keys for). It
// returns the enc and whether the plaintext is to be inflated.
func (r *Ring) checkAlgorithms(h Header) (Enc, bool, error) {
	if h.has&hCrit != 0 {
		return encNone, false, errCrit
	}
	zip := false
	if h.has&hZip != 0 {
		if z, ok := stringValue(h.zip); !ok || z != "DEF" {
			return encNone, false, errZip
		}
		zip = true
	}
	alg, ok := stringValue(h.alg)
	if h.has&hAlg == 0 || !ok || alg == "" {
		return encNone, false, errMissingAlg
	}
	encName, ok := stringValue(h.enc)
	if h.has&hEnc == 0 || !ok || encName == "" {
		return encNone, false, errMissingEnc
	}
	if alg != "dir" {
		return encNone, false, errAlg
	}
	enc := parseEnc(encName)
	if enc == encNone || len(r.byEnc[enc]) == 0 {
		return encNone, false, errEnc
	}
	return enc, zip, nil
}

// keyFor is step 6: the header's kid (present or not, a string or not)
// through the ring's lookup rule.
func (r *Ring) keyFor(enc Enc, h Header) *Key {
	kid, kidIsString := stringValue(h.kid)
	return r.lookup(enc, h.has&hKid != 0, kidIsString, bytesOf(kid))
}

// checkShapes is steps 7 and 8: no encrypted key with "dir", IV and tag
// present, the IV as long as enc requires, a 16-byte GCM tag (CBC-HS tags
// are checked in constant time with the MAC).
func checkShapes(seg segments, d decoded, enc Enc) error {
	switch {
	case seg.encKey != "":
		return errEncKey
	case seg.iv == "":
		return errIV
	case seg.tag == "":
		return errTag
	case !enc.cbc() && len(d.tag) != 16:
		return errTag
	case len(d.iv) != enc.IVLen():
		return errIV
	}
	return nil
}

// open is step 9: authenticate and decrypt with the AAD, which is the
// header segment exactly as received.
func (k *Key) open(d decoded, aad []byte) ([]byte, error) {
	if k.enc.cbc() {
		return k.openCBC(d.ct, d.iv, d.tag, aad)
	}
	return k.openGCM(d.ct, d.iv, d.tag, aad)
}
