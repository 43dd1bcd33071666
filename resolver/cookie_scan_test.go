package resolver

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The one pass over the Cookie header finds, for every name, what the
// one-name readers find: the raw CSRF and callback-url values of
// authjsCookieRaw (the reference parser) and the session chunks of
// sessionPairs, whose token is the JS transliteration's
// (referenceSessionStore). Headers are random: chunked (".0", ".1",
// ".10"), __Secure-/__Host- prefixed, repeated, empty, spaced,
// percent-encoded and '='-less pairs, and names that are prefixes of each
// other or of the CSRF and callback-url names.
func TestCookieScanMatchesOneNameReaders(t *testing.T) {
	session := []string{sn, SecureCookiePrefix + sn, "s", "s.x"}
	others := []string{"authjs.csrf-token", "__Host-authjs.csrf-token", "authjs.callback-url",
		"__Secure-authjs.callback-url", "s.csrf", "s", "1", "0"}
	var keys []string
	for _, n := range session {
		keys = append(keys, n, n+".0", n+".1", n+".10", n+"-legacy", n+".")
	}
	keys = append(keys, others...)
	values := []string{"A", "", " B ", "x=y", "%7C", "%E2%82%AC", "bad%zz", `"q"`, strings.Repeat("t", 300)}
	rng := rand.New(rand.NewPCG(15, 16))
	for range 30000 {
		var parts []string
		for range rng.IntN(8) {
			switch k := rng.IntN(12); {
			case k == 0:
				parts = append(parts, "novalue")
			case k == 1:
				parts = append(parts, "")
			default:
				parts = append(parts, keys[rng.IntN(len(keys))]+[]string{"=", " =", "=\t"}[rng.IntN(3)]+values[rng.IntN(len(values))])
			}
		}
		header := strings.Join(parts, []string{";", "; ", " ;"}[rng.IntN(3)])
		if rng.IntN(20) == 0 {
			header = header[:rng.IntN(len(header)+1)] // cut anywhere, down to "" and one byte
		}
		s := cookieScan{csrfName: others[rng.IntN(5)], callbackName: others[2+rng.IntN(4)]}
		var wanted []string
		for range 1 + rng.IntN(maxScanNames) {
			n := session[rng.IntN(len(session))]
			if !s.wantSession(n) {
				t.Fatalf("no room for %q after %q", n, wanted)
			}
			wanted = append(wanted, n)
		}
		s.scan(header)
		check := func(what, got string, gotOK bool, name string) {
			if want, wantOK := authjsCookieRaw(header, name); got != want || gotOK != wantOK {
				t.Fatalf("%q: %s %q = %q %v, want %q %v", header, what, name, got, gotOK, want, wantOK)
			}
		}
		check("CSRF", s.csrf, s.hasCSRF, s.csrfName)
		check("callback-url", s.callback, s.hasCallback, s.callbackName)
		for _, n := range wanted {
			want, _ := sessionPairs(header, n, nil)
			if got, ok := s.session(n, nil); ok && !slices.Equal(got, want) {
				t.Fatalf("%q: chunks of %q = %q, want %q", header, n, got, want)
			} else if !ok && len(want) < 2 && strings.Count(header, n) < 2 {
				t.Fatalf("%q: the scan did not answer for %q", header, n)
			}
			var scratch [4]cookiePair
			tok, _ := readSessionToken(header, &s, n, scratch[:0])
			if wantTok, _ := referenceSessionStore(header, n); tok != wantTok {
				t.Fatalf("%q: token of %q = %q, want %q", header, n, tok, wantTok)
			}
		}
	}
}

// A scan answers for the names it looked for and saw at most once; any
// other name (one past maxScanNames, or chunked) is read from the header.
// The scan here is of another header than the one passed, to tell the
// two sources apart.
func TestCookieScanAnswersOrDefers(t *testing.T) {
	var s cookieScan
	for _, n := range []string{"a", "b", "a", "c"} {
		if !s.wantSession(n) {
			t.Fatalf("no room for %q", n)
		}
	}
	if s.wantSession("d") {
		t.Fatal("a fourth name fitted")
	}
	s.scan("a=scan; b=; c.0=x; c.1=y; d=scan")
	header := "a=hdr; b=hdr; c=hdr; d=hdr"
	for n, want := range map[string]string{"a": "scan", "b": "", "c": "hdr", "d": "hdr"} {
		if got, _ := readSessionToken(header, &s, n, nil); got != want {
			t.Errorf("token of %q = %q, want %q", n, got, want)
		}
	}
}
