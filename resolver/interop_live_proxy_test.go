package resolver_test

// Live proxy-mode interop: the proxy resolver pointed at the real Auth.js
// (server.mjs) must answer what the real GET /session answers, and what the
// local JWT resolver answers for the same cookie: valid, chunked, expired,
// tampered and missing cookies, over http and (by a static
// X-Forwarded-Proto header) https. Needs AUTHSCOPE_INTEROP=live.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

func TestLiveProxyMatchesAuthJS(t *testing.T) {
	secret := testSecret(t)
	origin := authjstest.Start(t, map[string]string{"AUTH_SECRET": secret})

	for _, https := range []bool{false, true} {
		scheme := map[bool]string{false: "http", true: "https"}[https]
		t.Run(scheme, func(t *testing.T) {
			local := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, BaseURL: origin, Secrets: []string{secret}, MaxAge: resolver.DefaultMaxAge, RefreshCookies: true}
			if https {
				local.BaseURL = strings.Replace(origin, "http:", "https:", 1)
			}
			// The proxy talks plain http to the loopback server; the
			// cookie scheme (names, Secure) follows the public base URL.
			proxyCfg := resolver.Config{Mode: resolver.ModeProxy, Strategy: resolver.StrategyJWT, BaseURL: origin + "/api/auth", RefreshCookies: true}
			if https {
				proxyCfg.CookieName = local.SessionCookieName()
				proxyCfg.Proxy.Headers = map[string]string{"X-Forwarded-Proto": "https"}
			}
			proxy, err := resolver.New(proxyCfg)
			if err != nil {
				t.Fatalf("New proxy: %v", err)
			}
			name := local.SessionCookieName()
			now := time.Now()
			valid, tok := mintCookie(t, local, liveUser, now)
			chunked, _ := mintCookie(t, local, withClaims(resolver.Claims{"bio": strings.Repeat("0123456789abcdef", 2100)}), now)
			expired, _ := mintCookie(t, local, liveUser, now.Add(-local.MaxAge-20*time.Second))
			segs := strings.Split(tok, ".")
			segs[3] = "A" + segs[3][1:]
			if segs[3] == strings.Split(tok, ".")[3] {
				segs[3] = "B" + segs[3][1:]
			}
			cases := []struct {
				name, header string
				want         bool
			}{
				{"valid", valid, true},
				{"chunked", chunked, true},
				{"expired", expired, false},
				{"tampered", name + "=" + strings.Join(segs, "."), false},
				{"missing", "theme=dark", false},
				{"empty", "", false},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					real := getSession(t, origin, tc.header, https)
					pres, err := proxy.Resolve(context.Background(), resolver.FromCookieHeader(tc.header))
					if err != nil {
						t.Fatalf("proxy Resolve: %v", err)
					}
					lres := resolveGo(t, local, tc.header)
					proxyBody := string(resolver.MarshalSessionBody(pres.Session))
					sameBody(t, real.body, proxyBody)
					sameBody(t, proxyBody, string(resolver.MarshalSessionBody(lres.Session)))
					if pres.OK() != tc.want {
						t.Errorf("proxy session=%v (reason %s, %v), want %v", pres.OK(), pres.Reason, pres.Err, tc.want)
					}
					// The proxy passes the upstream's session cookies on; as
					// Set-Cookie lines they must read like the real ones,
					// and like the local resolver's.
					sameSessionCookies(t, name, real.setCookies, pres.SetCookies)
					sameSessionCookies(t, name, resolver.SetCookieLines(pres.SetCookies), lres.SetCookies)
				})
			}
		})
	}
}
