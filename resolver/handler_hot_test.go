package resolver

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// authjsCookieInto answers what authjsCookie answers, for values that
// decode, that do not (bad escapes, invalid UTF-8) and that do not fit
// the buffer.
func TestAuthjsCookieInto(t *testing.T) {
	long := strings.Repeat("%2F", 300) // 900 bytes: decoded on the heap
	values := []string{
		"", "plain", "a%7Cb", "http%3A%2F%2Flocalhost%3A3000", "a+b%20c", "%", "%7", "%zz", "x%7",
		"%E2%82%AC", "%ff", "%C3", "%00", "%7c%7C", " %41 ", long, long + "%", strings.Repeat("x", 600) + "%41",
	}
	for _, v := range values {
		for _, header := range []string{"n=" + v, "other=1; n=" + v + "; n=second", "n =" + v + "\t"} {
			var buf cookieBuf
			got, gotOK := authjsCookieInto(header, "n", &buf)
			want, wantOK := authjsCookie(header, "n")
			if got != want || gotOK != wantOK {
				t.Errorf("%q: into %q %v, authjsCookie %q %v", header, got, gotOK, want, wantOK)
			}
		}
	}
	var buf cookieBuf
	if v, ok := authjsCookieInto("a=1", "n", &buf); ok || v != "" {
		t.Errorf("absent cookie: %q %v", v, ok)
	}
}

// Random strings over an alphabet rich in escapes decode as
// url.PathUnescape does (through authjsCookie).
func TestAuthjsCookieIntoRandom(t *testing.T) {
	const alphabet = "%%%0123456789abcdefABCDEFgz+ |é"
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		header := "n=" + string(b)
		var buf cookieBuf
		got, _ := authjsCookieInto(header, "n", &buf)
		if want, _ := authjsCookie(header, "n"); got != want {
			t.Fatalf("%q: into %q, authjsCookie %q", header, got, want)
		}
	}
}

// A remembered CSRF cookie is as valid as a hashed one and nothing else
// is: a tampered value is rejected right after the genuine one was
// remembered, and a forged value sharing the genuine one's slot (planted:
// a seeded 64-bit collision cannot be found in a test) still needs its
// own valid hash.
func TestCSRFMemo(t *testing.T) {
	h := NewHandler(nil, Config{Secrets: []string{"csrf-memo-secret"}})
	tok := strings.Repeat("ab", 32)
	genuine := tok + "|" + sha256Hex(tok+h.csrfSecret)
	check := func(value string, want bool) {
		t.Helper()
		var buf cookieBuf
		got, ok := h.validCSRF(h.csrfName+"="+strings.ReplaceAll(value, "|", "%7C"), &buf)
		if ok != want || (ok && got != tok) {
			t.Errorf("%q: valid %v (token %q), want %v", value, ok, got, want)
		}
	}
	check(genuine, true) // hashed, then remembered
	if !h.csrfSeen.has(genuine) {
		t.Fatal("valid value not remembered")
	}
	check(genuine, true) // from the memo
	forged := tok + "|" + strings.Repeat("0", 64)
	check(forged, false)
	if h.csrfSeen.has(forged) {
		t.Fatal("invalid value remembered")
	}
	h.csrfSeen.slot(forged).Store(&genuine)
	check(forged, false)
}
