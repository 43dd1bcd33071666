package jwe

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"io"
	"slices"
)

// The content ciphers of RFC 7518 §5.2 (AES-CBC + HMAC-SHA2) and §5.3
// (AES-GCM), and the bounded inflation jose applies to "zip":"DEF".

// openCBC is RFC 7518 §5.2.2.2: verify the truncated HMAC over
// AAD ‖ IV ‖ C ‖ AL in constant time, then AES-CBC decrypt in place and
// strip PKCS#7 padding (WebCrypto rejects bad padding, so do we).
func (k *Key) openCBC(ct, iv, tag, aad []byte) ([]byte, error) {
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
func (k *Key) openGCM(ct, iv, tag, aad []byte) ([]byte, error) {
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

// Seal encrypts plaintext under k with the given IV (Enc.IVLen bytes; a
// wrong length panics, as crypto/cipher does) and the AAD, which in a
// compact JWE is the protected header segment as written. It returns the
// ciphertext and the tag; the caller assembles the token.
func (k *Key) Seal(plaintext, iv []byte, aad string) (ct, tag []byte) {
	return k.SealTo(nil, plaintext, iv, aad)
}

// SealTo is Seal writing the ciphertext and the tag into buf's storage
// (grown when short): ct and tag alias buf, so a caller that encodes them
// at once can pool buf and seal without allocating.
func (k *Key) SealTo(buf, plaintext, iv []byte, aad string) (ct, tag []byte) {
	if k.enc.cbc() {
		return k.sealCBC(buf, plaintext, iv, bytesOf(aad))
	}
	sealed := k.aead.Seal(buf[:0], iv, plaintext, bytesOf(aad))
	return sealed[:len(sealed)-16], sealed[len(sealed)-16:]
}

// sealScratch is per-call state for CBC-HS encryption, pooled per key like
// the decryption's: a keyed HMAC (Reset between uses) and an encrypter
// whose IV is set per call. Without it every refresh built both, with the
// HMAC's two hash states (five allocations of the encode's ~25).
type sealScratch struct {
	mac  hash.Hash
	mode ivSetter
	al   [8]byte
	sum  [64]byte
}

// sealCBC is RFC 7518 §5.2.2.1: PKCS#7 pad, AES-CBC encrypt, then the
// truncated HMAC over AAD ‖ IV ‖ C ‖ AL.
func (k *Key) sealCBC(buf, plaintext, iv, aad []byte) (ct, tag []byte) {
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	n := len(plaintext) + pad
	buf = slices.Grow(buf[:0], n+k.tagLen)[:n+k.tagLen]
	ct, tag = buf[:n:n], buf[n:]
	copy(ct, plaintext)
	for i := len(plaintext); i < n; i++ {
		ct[i] = byte(pad)
	}
	sc := k.sealPool.Get().(*sealScratch)
	defer k.sealPool.Put(sc)
	sc.mode.SetIV(iv)
	sc.mode.CryptBlocks(ct, ct)
	sc.mac.Reset()
	sc.mac.Write(aad)
	sc.mac.Write(iv)
	sc.mac.Write(ct)
	binary.BigEndian.PutUint64(sc.al[:], uint64(len(aad))*8)
	sc.mac.Write(sc.al[:])
	copy(tag, sc.mac.Sum(sc.sum[:0])[:k.tagLen])
	return ct, tag
}

// maxInflated is jose's default maxDecompressedLength.
const maxInflated = 250_000
