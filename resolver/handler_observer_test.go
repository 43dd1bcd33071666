package resolver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// WithSessionObserver hands its observer SessionToken's answer for the
// request under its name, whether the Handler's JWT resolver reads that
// name too or not (the scan then looks for it alone), for plain, chunked,
// duplicated, empty, percent-encoded and prefixed cookies, several Cookie
// lines, and a resolver that is not a JWT resolver (no scan for its
// names); WithObserver's observer still runs first.
func TestHandlerSessionObserver(t *testing.T) {
	cfg := Config{Secrets: []string{testCSRFSecret}}
	jwt, err := NewJWTResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	lines := [][]string{
		{sn + "=tok"},
		{sn + ".1=B; " + sn + ".0=A"},
		{sn + "=first; " + sn + "=second"},
		{sn + "=; " + sn + "=second"},
		{sn + "=a%2Eb"},
		{"theme=dark"},
		{},
		{"a=1", sn + "=second-line"},
		{SecureCookiePrefix + sn + "=sec; " + sn + "=plain"},
		{"other=o; " + validCSRFCookie(testCSRFSecret) + "; authjs.callback-url=http%3A%2F%2Flocalhost%3A3000; " + sn + "=T"},
	}
	for _, r := range []Resolver{jwt, staticResolver{res: Result{Reason: ReasonNoCookie}}} {
		for _, name := range []string{sn, SecureCookiePrefix + sn, "other"} {
			var calls []string
			var got string
			h := NewHandler(r, cfg,
				WithObserver(func(*http.Request, Result, time.Duration) { calls = append(calls, "observe") }),
				WithSessionObserver(name, func(_ *http.Request, tok string, _ Result, _ time.Duration) {
					calls = append(calls, "session")
					got = tok
				}))
			for _, ls := range lines {
				calls, got = nil, "unset"
				req := httptest.NewRequest("GET", "http://localhost:3000/api/auth/session", nil)
				for _, l := range ls {
					req.Header.Add("Cookie", l)
				}
				h.ServeHTTP(httptest.NewRecorder(), req)
				want := SessionToken(FromCookieHeader(strings.Join(ls, "; ")), name)
				if got != want || strings.Join(calls, ",") != "observe,session" {
					t.Errorf("%T, %q, %q: token %q (calls %v), want %q", r, name, ls, got, calls, want)
				}
			}
		}
	}
}
