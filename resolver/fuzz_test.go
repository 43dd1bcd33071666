package resolver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver/internal/js"
	"github.com/authscope/authscope/resolver/internal/jwe"
)

// Fuzz targets. Their seed corpus lives in testdata/fuzz/<Target>/ (plus
// the f.Add calls), so plain `go test` replays it as regression tests;
// `go test -fuzz FuzzX ./resolver/` explores further. Tokens in the corpus
// are sealed with fuzzSecret, a test-only value.
//
// Regenerate the token corpus with RESOLVER_GEN_FUZZ_CORPUS=1 go test -run TestGenFuzzCorpus ./resolver/.
// The JWE layer's own fuzzers (FuzzDecrypt, FuzzDecodeDifferential against
// go-jose) and their corpora live in resolver/internal/jwe.

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
		if fast, _ := readSessionToken(header, nil, sn, nil); fast != tok {
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

// TestGenFuzzCorpus writes the token seeds into testdata/fuzz. It only
// runs when asked; the files are committed.
func TestGenFuzzCorpus(t *testing.T) {
	if os.Getenv("RESOLVER_GEN_FUZZ_CORPUS") != "1" {
		t.Skip("set RESOLVER_GEN_FUZZ_CORPUS=1 to regenerate testdata/fuzz")
	}
	c := fuzzCodec(t)
	valid, _ := c.Encode(Claims{"name": "Zoë 😀", "email": "z@example.com", "picture": "https://example.com/p.png", "sub": "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d"}, testNow, DefaultMaxAge)
	expired, _ := c.Encode(Claims{"sub": "1"}, testNow.Add(-DefaultMaxAge-16e9), DefaultMaxAge)
	cbc, gcm := c.ring.Keys(jwe.A256CBCHS512)[0], c.ring.Keys(jwe.A256GCM)[0]
	gcmTok := craft(t, gcm, `{"alg":"dir","enc":"A256GCM","kid":"`+gcm.Kid()+`"}`, []byte(`{"sub":"g"}`), false)
	zipTok := craft(t, cbc, `{"alg":"dir","enc":"A256CBC-HS512","kid":"`+cbc.Kid()+`","zip":"DEF"}`, []byte(`{"sub":"z"}`), true)
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
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, tok := range tokens {
		body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", tok)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	headers := []string{
		sn + "=" + valid,
		sn + ".1=" + valid[300:] + "; " + sn + ".0=" + valid[:300],
		sn + "=stale; " + sn + ".1=" + valid[300:] + "; " + sn + ".0=" + valid[:300],
		"theme=dark; " + sn + "=%22" + valid[:20] + "%22; other=%E0%A4%A",
		"a=b;;; ;=;" + sn + ".x=1;" + sn + ".=2;" + sn + ".-1=3",
	}
	dir = filepath.Join("testdata", "fuzz", "FuzzParseCookieHeader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, h := range headers {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(fmt.Sprintf("go test fuzz v1\nstring(%q)\n", h)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
