package jwe

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

// Fuzz targets of the JWE layer. The differential seed corpus lives in
// testdata/fuzz/FuzzDecodeDifferential/ (plus the f.Add calls), so plain
// `go test` replays it as regression tests; `go test -fuzz FuzzX
// ./resolver/internal/jwe/` explores further. Tokens in the corpus are
// sealed with fuzzSecret (a test-only value) under Auth.js's default
// cookie name as the salt. The resolver's FuzzDecode fuzzes the whole
// decode (this layer and the claims) through the resolver's Codec.
//
// Regenerate the corpus with JWE_GEN_FUZZ_CORPUS=1 go test -run TestGenFuzzCorpus ./resolver/internal/jwe/.

const fuzzSecret = "test-only-fuzz-secret-do-not-use"

func fuzzRing(t testing.TB) *Ring { return newTestRing(t, false, fuzzSecret) }

// FuzzDecrypt checks that Decrypt never panics, classifies every failure
// with a Kind, never echoes the token in errors and is deterministic.
func FuzzDecrypt(f *testing.F) {
	for _, s := range []string{"", ".", "....", "a.b.c.d.e", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0....", "e30..AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA"} {
		f.Add(s)
	}
	r := fuzzRing(f)
	f.Fuzz(func(t *testing.T, tok string) {
		d, err := r.Decrypt(tok)
		kind := KindOf(err)
		if (err == nil) != (kind == 0) {
			t.Fatalf("unclassified: kind %s for %v", kind, err)
		}
		if err != nil && len(tok) > 16 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error echoes the token: %v", err)
		}
		d2, err2 := r.Decrypt(tok)
		if KindOf(err2) != kind || d2.Plaintext != d.Plaintext {
			t.Fatalf("nondeterministic: %s then %s", kind, KindOf(err2))
		}
	})
}

// FuzzDecodeDifferential compares the hand-written JWE layer with go-jose
// v4 on the same token and key: both must accept or reject, with equal
// plaintexts. Inputs where the two are documented to differ are skipped:
//
//   - characters outside the unpadded base64url alphabet and '.' (jose on
//     Node accepts '=' padding and whitespace via atob; go-jose does not);
//   - a header that is not plain UTF-8 JSON to both (BOM: TextDecoder eats
//     it; invalid UTF-8: encoding/json replaces it);
//   - "zip" (go-jose has its own inflate limit) and "crit" (go-jose
//     understands some critical headers);
//   - a kid that selects no key (go-jose ignores kid; we reject);
//   - A256GCM with a tag that is not 16 bytes (jose requires 16; go-jose
//     splits C ‖ T itself);
//   - an encrypted-key segment (go-jose fails it differently but also rejects).
func FuzzDecodeDifferential(f *testing.F) {
	r := fuzzRing(f)
	for _, s := range []string{"", "....", "e30.." + strings.Repeat("A", 22) + ".AAAA.AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) { differential(t, r, tok) })
}

// differential runs one comparison; it reports whether the token was
// compared (not skipped) and whether both implementations accepted it.
func differential(t *testing.T, r *Ring, tok string) (compared, bothOK bool) {
	for i := 0; i < len(tok); i++ {
		ch := tok[i]
		if !('A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false, false
		}
	}
	seg := strings.Split(tok, ".")
	if len(seg) == 5 {
		hdr, err := b64.DecodeString(seg[0])
		if err != nil || !utf8.Valid(hdr) || bytes.HasPrefix(hdr, []byte("\uFEFF")) ||
			bytes.Contains(hdr, []byte(`"zip"`)) || bytes.Contains(hdr, []byte(`"crit"`)) || bytes.Contains(hdr, []byte(`\u`)) || seg[1] != "" {
			return false, false
		}
	}
	d, myErr := r.Decrypt(tok)
	if KindOf(myErr) == NoKey {
		return false, false
	}
	var joseErr error
	var plain []byte
	obj, err := jose.ParseEncryptedCompact(tok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512, jose.A256GCM})
	if err != nil {
		joseErr = err
	} else {
		key := r.Keys(A256CBCHS512)[0].Raw()
		if obj.Header.ExtraHeaders["enc"] == "A256GCM" {
			key = r.Keys(A256GCM)[0].Raw()
			if tagLen := len(seg[4]) * 6 / 8; tagLen != 16 {
				return false, false
			}
		}
		plain, joseErr = obj.Decrypt(key)
	}
	if (myErr == nil) != (joseErr == nil) {
		t.Fatalf("disagree on %q: ours %s %v, go-jose %v", tok, KindOf(myErr), myErr, joseErr)
	}
	if myErr == nil && d.Plaintext != string(plain) {
		t.Fatalf("plaintexts differ")
	}
	return true, myErr == nil
}

// TestDifferentialCorpusIsExercised guards against a vacuous differential
// test: the committed seeds must reach both decrypters, and some must be
// accepted by both.
func TestDifferentialCorpusIsExercised(t *testing.T) {
	r := fuzzRing(t)
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodeDifferential", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	compared, accepted := 0, 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tok string
		if _, err := fmt.Sscanf(strings.SplitN(string(raw), "\n", 2)[1], "string(%q)", &tok); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cmp, ok := differential(t, r, tok)
		if cmp {
			compared++
		}
		if ok {
			accepted++
		}
	}
	if compared < 5 || accepted < 3 {
		t.Errorf("compared %d, both accepted %d: corpus too weak", compared, accepted)
	}
}

// TestGenFuzzCorpus writes the differential token seeds into testdata/fuzz.
// It only runs when asked; the files are committed.
func TestGenFuzzCorpus(t *testing.T) {
	if os.Getenv("JWE_GEN_FUZZ_CORPUS") != "1" {
		t.Skip("set JWE_GEN_FUZZ_CORPUS=1 to regenerate testdata/fuzz")
	}
	r := fuzzRing(t)
	cbc, gcm := r.Keys(A256CBCHS512)[0], r.Keys(A256GCM)[0]
	claims := []byte(`{"name":"Zoë 😀","email":"z@example.com","picture":"https://example.com/p.png","sub":"5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d","iat":1764230400,"exp":1766822400,"jti":"0b7e3c1a-2f4d-4e5a-8b6c-7d8e9f0a1b2c"}`)
	valid := craft(t, cbc, cbcHeader(cbc, ""), claims, false)
	seg := strings.Split(valid, ".")
	tokens := []string{
		valid,
		craft(t, cbc, cbcHeader(cbc, ""), []byte(`{"sub":"1","iat":1,"exp":2}`), false),
		craft(t, gcm, `{"alg":"dir","enc":"A256GCM","kid":"`+gcm.Kid()+`"}`, []byte(`{"sub":"g"}`), false),
		craft(t, cbc, cbcHeader(cbc, `,"zip":"DEF"`), []byte(`{"sub":"z"}`), true),
		craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512"}`, []byte(`{"sub":"k","aud":["a"]}`), false),
		seg[0] + ".." + seg[2] + "==." + seg[3] + "." + seg[4],
		seg[0] + ".." + seg[2][:5] + " " + seg[2][5:] + "." + seg[3] + "." + seg[4],
		seg[0] + ".AAAA." + seg[2] + "." + seg[3] + "." + seg[4],
		seg[0] + ".." + seg[2] + "." + seg[3][:len(seg[3])-4] + "." + seg[4],
		craft(t, cbc, `{"alg":"dir","enc":"A128GCM"}`, []byte(`{}`), false),
		craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512","crit":["b64"]}`, []byte(`{}`), false),
		craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512"}`, []byte(`[]`), false),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeDifferential")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, tok := range tokens {
		body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", tok)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
