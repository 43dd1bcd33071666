package cli

// Live interop for `serve`: the real Auth.js (testdata/authjs/server.mjs,
// on loopback) and authscope serve, in local mode and in proxy mode in
// front of that same Auth.js, must give the same answer to GET
// /api/auth/session for the same cookies. Needs AUTHSCOPE_INTEROP=live
// (.ci/run sets it after `npm ci` in testdata/authjs).

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

var expiresRe = regexp.MustCompile(`"expires":"([^"]+)"`)

// normalize turns an answer into comparable text: the session's rolling
// expiry and refreshed cookie Expires become placeholders (each server
// computes now+maxAge at its own instant; they must agree within a few
// seconds), the random CSRF token and refreshed token values likewise, and
// the callback-url value is checked against the answering server's origin.
func normalize(t *testing.T, who, origin string, a httpAnswer) string {
	t.Helper()
	body := a.body
	if m := expiresRe.FindStringSubmatch(body); m != nil {
		exp, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil || exp.Sub(time.Now().Add(resolver.DefaultMaxAge)).Abs() > 10*time.Second {
			t.Errorf("%s: expires %q is not now+maxAge", who, m[1])
		}
		body = expiresRe.ReplaceAllString(body, `"expires":"<now+maxAge>"`)
	}
	var b strings.Builder
	b.WriteString(strings.Join([]string{strconv.Itoa(a.status), a.header.Get("Content-Type"), a.header.Get("Cache-Control"), a.header.Get("Expires"), a.header.Get("Pragma"), body}, " | "))
	for _, line := range a.cookies {
		nv, attrs, _ := strings.Cut(line, ";")
		name, val, _ := strings.Cut(nv, "=")
		switch {
		case strings.HasSuffix(name, "csrf-token"):
			if regexp.MustCompile(`^[0-9a-f]{64}%7C[0-9a-f]{64}$`).MatchString(val) {
				val = "<csrf>"
			}
		case strings.HasSuffix(name, "callback-url"):
			val = strings.Replace(val, url.QueryEscape(origin), "<origin>", 1)
		case val != "":
			val = "<token>"
		}
		attrs = regexp.MustCompile(`Expires=[^;]+`).ReplaceAllString(attrs, "Expires=<t>")
		b.WriteString("\n" + name + "=" + val + ";" + attrs)
	}
	return b.String()
}

func TestLiveServeMatchesAuthJS(t *testing.T) {
	const secret = "live-serve-test-secret-0123456789abcdef"
	real := authjstest.Start(t, map[string]string{"AUTH_SECRET": secret})
	env := map[string]string{"AUTH_SECRET": secret}
	local := startCmd(t, env, "serve", "--refresh-cookies")
	proxy := startCmd(t, nil, "serve", "--mode", "proxy", "--url", real+"/api/auth", "--refresh-cookies")
	upstream := startCmd(t, env, "upstream") // the stand-in must answer as Auth.js does
	proxyCached := startCmd(t, nil, "serve", "--mode", "proxy", "--url", real+"/api/auth", "--refresh-cookies", "--cache")

	now := time.Now()
	valid, tok := mintFor(t, secret, resolver.Claims{"sub": "u1", "name": "Ada", "email": "ada@example.com", "picture": "https://img.example/a.png"}, now)
	expired, _ := mintFor(t, secret, resolver.Claims{"sub": "u1", "name": "Ada"}, now.Add(-resolver.DefaultMaxAge-time.Minute))
	other, _ := mintFor(t, "some-other-secret-0123456789", resolver.Claims{"sub": "u1"}, now)
	segs := strings.Split(tok, ".")
	segs[3] = strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, segs[3][:1]) + segs[3][1:]
	tampered := resolver.DefaultCookieName + "=" + strings.Join(segs, ".")
	cases := map[string]string{
		"valid": valid, "expired": expired, "tampered": tampered, "wrong secret": other,
		"missing": "theme=dark", "none": "",
		"valid with browser cookies": valid + "; authjs.callback-url=%2Fdash",
	}
	for name, cookie := range cases {
		t.Run(name, func(t *testing.T) {
			want := normalize(t, "auth.js", real, get(t, real+"/api/auth/session", cookie))
			t.Logf("Auth.js: %s", want)
			for _, s := range []struct {
				who  string
				base string
			}{{"serve local", local.base}, {"serve proxy", proxy.base}, {"serve proxy cached", proxyCached.base}, {"upstream", upstream.base}} {
				for round := range 2 { // the second round hits the cache where there is one
					got := normalize(t, s.who, s.base, get(t, s.base+"/api/auth/session", cookie))
					if got != want {
						t.Errorf("%s (round %d):\n got %s\nwant %s", s.who, round, got, want)
					}
				}
			}
		})
	}
}
