package resolver

import (
	"math/rand/v2"
	"net/url"
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
// own valid hash. The memo holds values as sent (percent-encoded); a POST
// (wantTok) still gets the decoded token from a remembered value.
func TestCSRFMemo(t *testing.T) {
	h := NewHandler(nil, Config{Secrets: []string{"csrf-memo-secret"}})
	tok := strings.Repeat("ab", 32)
	sent := func(value string) string { return strings.ReplaceAll(value, "|", "%7C") }
	genuine := tok + "|" + sha256Hex(tok+h.csrfSecret)
	check := func(value string, want bool) {
		t.Helper()
		for _, wantTok := range []bool{true, false} {
			var buf cookieBuf
			raw, present := authjsCookieRaw(h.csrfName+"="+sent(value), h.csrfName)
			got, ok := h.validCSRF(raw, present, &buf, wantTok)
			if ok != want || (ok && wantTok && got != tok) {
				t.Errorf("%q (wantTok %v): valid %v (token %q), want %v", value, wantTok, ok, got, want)
			}
		}
	}
	check(genuine, true) // hashed, then remembered
	if !h.csrfSeen.has(sent(genuine)) {
		t.Fatal("valid value not remembered")
	}
	check(genuine, true) // from the memo
	forged := tok + "|" + strings.Repeat("0", 64)
	check(forged, false)
	if h.csrfSeen.has(sent(forged)) {
		t.Fatal("invalid value remembered")
	}
	g := sent(genuine)
	h.csrfSeen.slot(sent(forged)).Store(&g)
	check(forged, false)
}

// The callback-url check through a long-lived origin entry (its remembered
// cookie value warm) decides what a fresh entry decides, for random
// sequences of hosts, callback-url cookies (encoded, plain, foreign,
// relative, empty, absent, undecodable) and callbackUrl parameters.
func TestCallbackMemo(t *testing.T) {
	cfg := Config{Secrets: []string{"callback-memo-secret"}}
	h := NewHandler(nil, cfg)
	values := []string{"http%3A%2F%2Flocalhost%3A3000", "http://localhost:3000", "http%3A%2F%2Fevil.example",
		"/path", "%2Fpath", "", "http%3A%2F%2Flocalhost%3A3000%2Fx", "%zz", "http%3A%2F%2Fexample.com"}
	hosts := []string{"localhost:3000", "LOCALHOST:3000", "example.com"}
	params := []string{"", "", "", "/a", "http://evil.example", "http://localhost:3000"}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 20000 {
		host, param := hosts[rng.IntN(len(hosts))], params[rng.IntN(len(params))]
		cookie := "other=1"
		if k := rng.IntN(len(values) + 1); k < len(values) {
			cookie += "; " + h.callbackName + "=" + values[k]
		}
		if rng.IntN(8) == 0 { // another origin in between replaces the entry
			h.origins.get("https", host)
		}
		raw, hasCB := authjsCookieRaw(cookie, h.callbackName)
		cb, ok := h.callback(h.origins.get("http", host), param, raw, hasCB)
		fresh := NewHandler(nil, cfg)
		freshCB, freshOK := fresh.callback(fresh.origins.get("http", host), param, raw, hasCB)
		wantCB, wantOK := callbackReference(jsOrigin("http://"+host), param, cookie, h.callbackName)
		if cb != wantCB || ok != wantOK || freshCB != wantCB || freshOK != wantOK {
			t.Fatalf("step %d, host %q, param %q, cookie %q: (%q, %v), fresh (%q, %v), want (%q, %v)",
				i, host, param, cookie, cb, ok, freshCB, freshOK, wantCB, wantOK)
		}
	}
}

// callbackReference is the callback-url check as the handler made it
// before Handler.callback: the cookie decoded with authjsCookie, then the
// default redirect of the parameter or else of the cookie.
func callbackReference(origin, param, cookie, name string) (string, bool) {
	cbCookie, hasCB := authjsCookie(cookie, name)
	cb := origin
	if param != "" {
		cb = defaultRedirect(param, origin)
	} else if hasCB && cbCookie != "" {
		cb = defaultRedirect(cbCookie, origin)
	}
	if !hasCB || cb != cbCookie {
		return cb, false
	}
	return "", true
}

// The cookie checks decode on the stack: a returning browser's GET
// allocates nothing for them, and a first visit only the callback value
// it must send (a decode buffer escaping to the heap would add one).
func TestCookieChecksAllocations(t *testing.T) {
	h := NewHandler(nil, Config{Secrets: []string{"alloc-secret"}})
	tok := strings.Repeat("cd", 32)
	csrf := strings.ReplaceAll(tok+"|"+sha256Hex(tok+h.csrfSecret), "|", "%7C")
	o := h.origins.get("http", "localhost:3000")
	cb := "http%3A%2F%2Flocalhost%3A3000"
	var buf cookieBuf
	h.validCSRF(csrf, true, &buf, false) // remembered
	h.callback(o, "", cb, true)          // kept
	for _, c := range []struct {
		name string
		want float64
		f    func()
	}{
		{"remembered CSRF", 0, func() { h.validCSRF(csrf, true, &buf, false) }},
		{"kept callback", 0, func() { h.callback(o, "", cb, true) }},
		{"no callback cookie", 1, func() { h.callback(o, "", "", false) }},
	} {
		if got := testing.AllocsPerRun(100, c.f); got != c.want {
			t.Errorf("%s: %v allocations, want %v", c.name, got, c.want)
		}
	}
}

// sessionPath decides what isSessionPath(EscapedPath()) decides, for base
// paths plain, slashed and needing escapes, and paths exact, escaped,
// trailing-slashed and foreign.
func TestSessionPathShortcut(t *testing.T) {
	for _, bp := range []string{"/api/auth", "/api/auth/", "/a b", "/é", "/x%2Fy", "/"} {
		h := NewHandler(nil, Config{Secrets: []string{"s"}, BasePath: bp})
		for _, raw := range []string{"/api/auth/session", "/api/auth/session/", "/api/auth//session", "/a%20b/session",
			"/a b/session", "/%C3%A9/session", "/é/session", "/x%2Fy/session", "/session", "//session", "/api/auth/sessionx",
			"/api/auth/%73ession"} {
			u, err := url.Parse("http://h" + raw)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := h.sessionPath(u), h.isSessionPath(u.EscapedPath()); got != want {
				t.Errorf("base %q, path %q: %v, want %v", bp, raw, got, want)
			}
			u.RawPath = "" // as a handler given a URL built from Path alone sees it
			if got, want := h.sessionPath(u), h.isSessionPath(u.EscapedPath()); got != want {
				t.Errorf("base %q, path %q (no RawPath): %v, want %v", bp, raw, got, want)
			}
		}
	}
}
