package resolver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Fuzz targets. Their seed corpus lives in testdata/fuzz/<Target>/ (plus
// the f.Add calls), so plain `go test` replays it as regression tests;
// `go test -fuzz FuzzX ./resolver/` explores further. Tokens in the corpus
// are sealed with fuzzSecret, a test-only value.
//
// Regenerate the token corpus with RESOLVER_GEN_FUZZ_CORPUS=1 go test -run TestGenFuzzCorpus ./resolver/.

const fuzzSecret = "test-only-fuzz-secret-do-not-use"

func fuzzCodec(t testing.TB) *Codec { return newTestCodec(t, Config{Secrets: []string{fuzzSecret}}) }

// FuzzParseCookieHeader checks ReadSessionToken against a literal
// transliteration of the vendored cookie.parse + SessionStore, and the
// allocation-free hot path against ReadSessionToken.
func FuzzParseCookieHeader(f *testing.F) {
	for _, s := range []string{
		"", "a", sn + "=x", " " + sn + "\t=\t\"q\" ", sn + "=a; " + sn + "=b", sn + "=; " + sn + "=b",
		sn + ".1=B;" + sn + ".0=A", sn + "=S; " + sn + ".1=B; " + sn + ".0=A", "x;y;" + sn + "=z", sn + "=%E2%82%AC%",
		sn + ".9=9; " + sn + ".10=10", sn + "-legacy=L; " + sn + "=T", "=;=;" + sn + "==", "1=a; 0=b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, names := ReadSessionToken(FromCookieHeader(header), sn)
		wantTok, wantNames := referenceSessionStore(header, sn)
		if tok != wantTok || strings.Join(names, "\x00") != strings.Join(wantNames, "\x00") {
			t.Fatalf("header %q:\n got %q %q\nwant %q %q", header, tok, names, wantTok, wantNames)
		}
		if fast, _ := readSessionToken(header, sn, nil); fast != tok {
			t.Fatalf("hot path %q != %q", fast, tok)
		}
	})
}

// referenceSessionStore mirrors the JS line by line (cookie.js parse into
// an object, SessionStore constructor, get value), using string indexes.
func referenceSessionStore(str, prefix string) (string, []string) {
	type entry struct{ k, v string }
	var obj []entry // insertion order
	has := func(k string) bool {
		for _, e := range obj {
			if e.k == k {
				return true
			}
		}
		return false
	}
	isWS := func(c byte) bool { return c == ' ' || c == '\t' }
	if len(str) >= 2 {
		index := 0
		for {
			eqIdx := strings.Index(str[index:], "=")
			if eqIdx == -1 {
				break
			}
			eqIdx += index
			colonIdx := strings.Index(str[index:], ";")
			endIdx := len(str)
			if colonIdx != -1 {
				endIdx = colonIdx + index
			}
			if eqIdx > endIdx {
				index = strings.LastIndex(str[:eqIdx], ";") + 1
				if index >= len(str) {
					break
				}
				continue
			}
			ks, ke := index, eqIdx
			for ks < ke && isWS(str[ks]) {
				ks++
			}
			for ke > ks && isWS(str[ke-1]) {
				ke--
			}
			key := str[ks:ke]
			if !has(key) {
				vs, ve := eqIdx+1, endIdx
				for vs < ve && isWS(str[vs]) {
					vs++
				}
				for ve > vs && isWS(str[ve-1]) {
					ve--
				}
				val := str[vs:ve]
				if strings.Contains(val, "%") {
					if d, ok := js.DecodeURIComponent(val); ok {
						val = d
					}
				}
				obj = append(obj, entry{key, val})
			}
			index = endIdx + 1
			if index >= len(str) {
				break
			}
		}
	}
	// Object.entries order: array-index keys first, ascending.
	var ordered []entry
	for pass := 0; pass < 2; pass++ {
		var part []entry
		for _, e := range obj {
			if _, idx := js.ArrayIndex(e.k); idx == (pass == 0) {
				part = append(part, e)
			}
		}
		if pass == 0 {
			for a := 1; a < len(part); a++ {
				for b := a; b > 0; b-- {
					x, _ := js.ArrayIndex(part[b].k)
					y, _ := js.ArrayIndex(part[b-1].k)
					if x >= y {
						break
					}
					part[b], part[b-1] = part[b-1], part[b]
				}
			}
		}
		ordered = append(ordered, part...)
	}
	var chunks []cookiePair
	var names []string
	for _, e := range ordered {
		if !strings.HasPrefix(e.k, prefix) || e.v == "" || e.k == "__proto__" {
			continue
		}
		chunks = append(chunks, cookiePair{e.k, e.v})
		names = append(names, e.k)
	}
	sortChunks(chunks) // checked against V8 in TestSortChunksMatchesV8
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString(c.value)
	}
	return b.String(), names
}

// FuzzDecode checks that Decode never panics, always classifies a
// failure, never echoes the token in errors and is deterministic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", ".", "....", "a.b.c.d.e", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0....", "e30..AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA"} {
		f.Add(s)
	}
	c := fuzzCodec(f)
	known := map[Reason]bool{ReasonOK: true, ReasonNoCookie: true, ReasonMalformed: true, ReasonAlgorithm: true, ReasonWrongKey: true,
		ReasonDecrypt: true, ReasonClaims: true, ReasonExpired: true, ReasonNotYet: true}
	f.Fuzz(func(t *testing.T, tok string) {
		claims, reason, err := c.Decode(tok, testNow)
		if !known[reason] {
			t.Fatalf("unknown reason %q", reason)
		}
		if (reason == ReasonOK) != (err == nil) || (err == nil) != (claims != nil) {
			t.Fatalf("inconsistent: %v %s %v", claims != nil, reason, err)
		}
		if err != nil && len(tok) > 16 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error echoes the token: %v", err)
		}
		_, reason2, _ := c.Decode(tok, testNow)
		if reason2 != reason {
			t.Fatalf("nondeterministic: %s then %s", reason, reason2)
		}
		if err == nil {
			if _, err := MarshalClaims(claims); err != nil {
				t.Fatal(err)
			}
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
	c := fuzzCodec(f)
	for _, s := range []string{"", "....", "e30.." + strings.Repeat("A", 22) + ".AAAA.AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) { differential(t, c, tok) })
}

// differential runs one comparison; it reports whether the token was
// compared (not skipped) and whether both implementations accepted it.
func differential(t *testing.T, c *Codec, tok string) (compared, bothOK bool) {
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
	d, reason, myErr := c.ring.decryptCompact(tok)
	if reason == ReasonWrongKey {
		return false, false
	}
	var joseErr error
	var plain []byte
	obj, err := jose.ParseEncryptedCompact(tok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512, jose.A256GCM})
	if err != nil {
		joseErr = err
	} else {
		key := c.ring.byEnc[encA256CBCHS512][0].raw
		if obj.Header.ExtraHeaders["enc"] == "A256GCM" {
			key = c.ring.byEnc[encA256GCM][0].raw
			if tagLen := len(seg[4]) * 6 / 8; tagLen != 16 {
				return false, false
			}
		}
		plain, joseErr = obj.Decrypt(key)
	}
	if (myErr == nil) != (joseErr == nil) {
		t.Fatalf("disagree on %q: ours %s %v, go-jose %v", tok, reason, myErr, joseErr)
	}
	if myErr == nil && d.plaintext != string(plain) {
		t.Fatalf("plaintexts differ")
	}
	return true, myErr == nil
}

// TestDifferentialCorpusIsExercised guards against a vacuous differential
// test: the committed seeds must reach both decrypters, and some must be
// accepted by both.
func TestDifferentialCorpusIsExercised(t *testing.T) {
	c := fuzzCodec(t)
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
		cmp, ok := differential(t, c, tok)
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

// TestGenFuzzCorpus writes the token seeds into testdata/fuzz. It only
// runs when asked; the files are committed.
func TestGenFuzzCorpus(t *testing.T) {
	if os.Getenv("RESOLVER_GEN_FUZZ_CORPUS") != "1" {
		t.Skip("set RESOLVER_GEN_FUZZ_CORPUS=1 to regenerate testdata/fuzz")
	}
	c := fuzzCodec(t)
	valid, _ := c.Encode(Claims{"name": "Zoë 😀", "email": "z@example.com", "picture": "https://example.com/p.png", "sub": "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d"}, testNow, DefaultMaxAge)
	expired, _ := c.Encode(Claims{"sub": "1"}, testNow.Add(-DefaultMaxAge-16e9), DefaultMaxAge)
	cbc, gcm := c.ring.byEnc[encA256CBCHS512][0], c.ring.byEnc[encA256GCM][0]
	gcmTok := craft(t, gcm, `{"alg":"dir","enc":"A256GCM","kid":"`+gcm.kid+`"}`, []byte(`{"sub":"g"}`), false)
	zipTok := craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512","kid":"`+cbc.kid+`","zip":"DEF"}`, []byte(`{"sub":"z"}`), true)
	kidless := craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512"}`, []byte(`{"sub":"k","aud":["a"]}`), false)
	seg := strings.Split(valid, ".")
	tokens := []string{
		valid, expired, gcmTok, zipTok, kidless,
		seg[0] + ".." + seg[2] + "==." + seg[3] + "." + seg[4],
		seg[0] + ".." + seg[2][:5] + " " + seg[2][5:] + "." + seg[3] + "." + seg[4],
		seg[0] + ".AAAA." + seg[2] + "." + seg[3] + "." + seg[4],
		seg[0] + ".." + seg[2] + "." + seg[3][:len(seg[3])-4] + "." + seg[4],
		craft(t, cbc, `{"alg":"dir","enc":"A128GCM"}`, []byte(`{}`), false),
		craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512","crit":["b64"]}`, []byte(`{}`), false),
		craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512"}`, []byte(`[]`), false),
	}
	for _, target := range []string{"FuzzDecode", "FuzzDecodeDifferential"} {
		dir := filepath.Join("testdata", "fuzz", target)
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
	headers := []string{
		sn + "=" + valid,
		sn + ".1=" + valid[300:] + "; " + sn + ".0=" + valid[:300],
		sn + "=stale; " + sn + ".1=" + valid[300:] + "; " + sn + ".0=" + valid[:300],
		"theme=dark; " + sn + "=%22" + valid[:20] + "%22; other=%E0%A4%A",
		"a=b;;; ;=;" + sn + ".x=1;" + sn + ".=2;" + sn + ".-1=3",
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParseCookieHeader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, h := range headers {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(fmt.Sprintf("go test fuzz v1\nstring(%q)\n", h)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
