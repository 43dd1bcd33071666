package jwe

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// Test-only secrets; they protect nothing. The salt is Auth.js's default
// session cookie name, as the resolver passes it.
const (
	testSecret1 = "test-only-secret-current-0123456789"
	testSecret2 = "test-only-secret-previous-abcdefghij"
	testSalt    = "authjs.session-token"
)

var b64 = base64.RawURLEncoding

func newTestRing(t testing.TB, legacy bool, secrets ...string) *Ring {
	t.Helper()
	r, err := NewRing(secrets, testSalt, legacy)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// craft builds a compact JWE with an arbitrary protected header and
// payload bytes, sealed with key (CBC-HS or GCM by the key's enc).
func craft(t testing.TB, key *Key, header string, payload []byte, deflate bool) string {
	t.Helper()
	if deflate {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(payload)
		w.Close()
		payload = buf.Bytes()
	}
	h := b64.EncodeToString([]byte(header))
	iv := make([]byte, key.Enc().IVLen())
	rand.Read(iv)
	ct, tag := key.Seal(payload, iv, h)
	return h + ".." + b64.EncodeToString(iv) + "." + b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

func cbcHeader(k *Key, extra string) string {
	return `{"alg":"dir","enc":"A256CBC-HS512","kid":"` + k.Kid() + `"` + extra + `}`
}

// TestDecryptKinds checks that each step's failures carry the Kind the
// resolver maps to jose's error classes, and that the first failing step
// is the one reported.
func TestDecryptKinds(t *testing.T) {
	r := newTestRing(t, false, testSecret1)
	k := r.Keys(A256CBCHS512)[0]
	p := []byte(`{"sub":"1"}`)
	valid := craft(t, k, cbcHeader(k, ""), p, false)
	seg := strings.Split(valid, ".")
	join := func(s ...string) string { return strings.Join(s, ".") }
	bomb := []byte(`{"pad":"` + strings.Repeat("a", maxInflated-9) + `"}`)
	tests := []struct {
		name string
		tok  string
		want Kind
	}{
		{"valid", valid, 0},
		{"four segments", join(seg[0], seg[2], seg[3], seg[4]), Malformed},
		{"header not base64", join("***", "", seg[2], seg[3], seg[4]), Malformed},
		{"header array", craft(t, k, `[]`, p, false), Malformed},
		{"crit before a bad alg", craft(t, k, `{"alg":"x","enc":"A256CBC-HS512","crit":[]}`, p, false), Unsupported},
		{"zip GZIP", craft(t, k, cbcHeader(k, `,"zip":"GZIP"`), p, false), Unsupported},
		{"alg missing", craft(t, k, `{"enc":"A256CBC-HS512"}`, p, false), Malformed},
		{"alg RSA-OAEP", craft(t, k, `{"alg":"RSA-OAEP","enc":"A256CBC-HS512"}`, p, false), Unsupported},
		{"enc A128CBC-HS256 on a v5 ring", craft(t, k, `{"alg":"dir","enc":"A128CBC-HS256"}`, p, false), Unsupported},
		{"encrypted key not base64 before the key", join(b64.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM","kid":"x"}`)), "!!", seg[2], seg[3], seg[4]), Malformed},
		{"unknown kid", craft(t, k, `{"alg":"dir","enc":"A256CBC-HS512","kid":"nope"}`, p, false), NoKey},
		{"unknown kid before the encrypted key", join(b64.EncodeToString([]byte(`{"alg":"dir","enc":"A256CBC-HS512","kid":"x"}`)), "AAAA", seg[2], seg[3], seg[4]), NoKey},
		{"encrypted key with dir", join(seg[0], "AAAA", seg[2], seg[3], seg[4]), Malformed},
		{"iv missing", join(seg[0], "", "", seg[3], seg[4]), Malformed},
		{"iv short", join(seg[0], "", seg[2][:10], seg[3], seg[4]), Malformed},
		{"tag missing", join(seg[0], "", seg[2], seg[3], ""), Malformed},
		{"tag truncated", join(seg[0], "", seg[2], seg[3], seg[4][:20]), DecryptFailed},
		{"ciphertext empty", join(seg[0], "", seg[2], "", seg[4]), DecryptFailed},
		{"zip DEF over raw JSON", craft(t, k, cbcHeader(k, `,"zip":"DEF"`), p, false), Malformed},
		{"zip bomb one byte over", craft(t, k, cbcHeader(k, `,"zip":"DEF"`), bomb, true), Malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := r.Decrypt(tt.tok)
			if got := KindOf(err); got != tt.want {
				t.Fatalf("kind = %s (%v), want %s", got, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tt.tok) {
				t.Errorf("error leaks the token: %v", err)
			}
			if err == nil && d.Plaintext != string(p) {
				t.Errorf("plaintext = %q", d.Plaintext)
			}
		})
	}
}

func TestDecryptGCMTagMustBe16Bytes(t *testing.T) {
	r := newTestRing(t, false, testSecret1)
	k := r.Keys(A256GCM)[0]
	seg := strings.Split(craft(t, k, `{"alg":"dir","enc":"A256GCM","kid":"`+k.Kid()+`"}`, []byte(`{}`), false), ".")
	tag, _ := b64.DecodeString(seg[4])
	seg[4] = b64.EncodeToString(tag[:12])
	if _, err := r.Decrypt(strings.Join(seg, ".")); KindOf(err) != Malformed {
		t.Errorf("12-byte GCM tag: %s (%v), want malformed (jose checks the length first)", KindOf(err), err)
	}
}

func TestDecryptZipAtTheBound(t *testing.T) {
	r := newTestRing(t, false, testSecret1)
	k := r.Keys(A256CBCHS512)[0]
	big := []byte(`{"pad":"` + strings.Repeat("a", maxInflated-10) + `"}`)
	if len(big) != maxInflated {
		t.Fatalf("fixture is %d bytes", len(big))
	}
	d, err := r.Decrypt(craft(t, k, cbcHeader(k, `,"zip":"DEF"`), big, true))
	if err != nil || d.Plaintext != string(big) {
		t.Errorf("exactly maxInflated bytes: %v (%d bytes)", err, len(d.Plaintext))
	}
}

// TestRingLookup is Auth.js's key choice: the kid picks a secret's key, a
// kid-less token is tried with the first secret only, a non-string kid
// matches nothing, and v4 ignores kid.
func TestRingLookup(t *testing.T) {
	r := newTestRing(t, false, testSecret1, testSecret2)
	k1, k2 := r.Keys(A256CBCHS512)[0], r.Keys(A256CBCHS512)[1]
	if k1.Kid() == k2.Kid() || len(r.Keys(A256GCM)) != 2 || r.Keys(A128CBCHS256) != nil {
		t.Fatalf("ring: kids %q %q, %d GCM keys", k1.Kid(), k2.Kid(), len(r.Keys(A256GCM)))
	}
	p := []byte(`{}`)
	tests := []struct {
		name string
		tok  string
		want Kind
	}{
		{"kid of the second secret", craft(t, k2, cbcHeader(k2, ""), p, false), 0},
		{"kid-less with the first secret", craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512"}`, p, false), 0},
		{"kid-less with the second secret", craft(t, k2, `{"alg":"dir","enc":"A256CBC-HS512"}`, p, false), DecryptFailed},
		{"escaped kid", craft(t, k2, `{"alg":"dir","enc":"A256CBC-HS512","kid":"`+escapeAll(k2.Kid())+`"}`, p, false), 0},
		{"null kid", craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512","kid":null}`, p, false), NoKey},
		{"kid of secret 2 on the key of secret 1", craft(t, k1, cbcHeader(k2, ""), p, false), DecryptFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Decrypt(tt.tok); KindOf(err) != tt.want {
				t.Errorf("kind = %s (%v), want %s", KindOf(err), err, tt.want)
			}
		})
	}
	v4 := newTestRing(t, true, testSecret1)
	if k := v4.Keys(A256GCM)[0]; k.Kid() != "" {
		t.Errorf("v4 key has kid %q", k.Kid())
	} else if _, err := v4.Decrypt(craft(t, k, `{"alg":"dir","enc":"A256GCM","kid":"x"}`, p, false)); err != nil {
		t.Errorf("v4 with a kid: %v", err)
	}
}

func escapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

func TestNewRingErrors(t *testing.T) {
	for _, tt := range []struct {
		secrets []string
		salt    string
		legacy  bool
	}{
		{nil, testSalt, false},
		{[]string{""}, testSalt, false},
		{[]string{"x"}, strings.Repeat("n", 1000), false},
		{[]string{"a", "b"}, testSalt, true},
	} {
		if _, err := NewRing(tt.secrets, tt.salt, tt.legacy); err == nil {
			t.Errorf("NewRing(%d secrets, %d-byte salt, legacy=%v) succeeded", len(tt.secrets), len(tt.salt), tt.legacy)
		}
	}
}

func TestKindOf(t *testing.T) {
	wrapped := fmt.Errorf("outer: %w", fmt.Errorf("tag: %w", errB64))
	for _, tt := range []struct {
		err  error
		want Kind
	}{{nil, 0}, {errors.New("other"), 0}, {errNoKey, NoKey}, {wrapped, Malformed}, {errDecrypt, DecryptFailed}} {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

func TestKeyRawIsACopy(t *testing.T) {
	k := newTestRing(t, false, testSecret1).Keys(A256CBCHS512)[0]
	raw := k.Raw()
	if len(raw) != 64 {
		t.Fatalf("A256CBC-HS512 key is %d bytes", len(raw))
	}
	raw[0] ^= 0xFF
	if bytes.Equal(raw, k.Raw()) {
		t.Error("Raw exposes the key's own bytes")
	}
}

// TestGoJoseDecryptsOurTokens is a direct interoperability check with an
// independent JWE implementation (go-jose v4) for both encs: it decrypts
// what Seal wrote with the bytes Raw returns, and agrees with Decrypt.
func TestGoJoseDecryptsOurTokens(t *testing.T) {
	r := newTestRing(t, false, testSecret1)
	cbc, gcm := r.Keys(A256CBCHS512)[0], r.Keys(A256GCM)[0]
	for _, tt := range []struct {
		tok string
		key *Key
	}{
		{craft(t, cbc, cbcHeader(cbc, ""), []byte(`{"sub":"1","name":"Zoë"}`), false), cbc},
		{craft(t, gcm, `{"alg":"dir","enc":"A256GCM","kid":"`+gcm.Kid()+`"}`, []byte(`{"sub":"g"}`), false), gcm},
	} {
		obj, err := jose.ParseEncryptedCompact(tt.tok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512, jose.A256GCM})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := obj.Decrypt(tt.key.Raw())
		if err != nil {
			t.Fatalf("go-jose: %v", err)
		}
		d, err := r.Decrypt(tt.tok)
		if err != nil || d.Plaintext != string(plain) {
			t.Errorf("plaintexts differ: %q vs %q (%v)", d.Plaintext, plain, err)
		}
		if obj.Header.KeyID != tt.key.Kid() {
			t.Errorf("kid %q, want %q", obj.Header.KeyID, tt.key.Kid())
		}
	}
}
