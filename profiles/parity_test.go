package profiles

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

func TestParityKeys(t *testing.T) {
	p, err := Parse("signing.yaml", []byte(`name: signing
resolver:
  use_secure_cookies: true
  trust_forwarded_proto: true
  jwt_max_age: 1h
  max_age: 720h
  cookies:
    session_token:
      domain: .example.com
      path: /app
      same_site: none
      secure: true
    csrf_token: {name: app.csrf, same_site: strict}
  codec: jws
  algorithms: [HS512]
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.ResolverConfig(env("NEXTAUTH_SECRET", "from-nextauth", "AUTH_SECRET_1", "ignored-by-next-auth"))
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := resolver.CookieOptions{Domain: ".example.com", Path: "/app", SameSite: "none", Secure: &yes}
	if cfg.UseSecureCookies != resolver.SecureCookiesOn || !cfg.TrustForwardedProto || cfg.JWTMaxAge != time.Hour ||
		cfg.Codec.Kind != resolver.CodecJWS || cfg.SessionCookieName() != "__Secure-authjs.session-token" {
		t.Fatalf("%+v", cfg)
	}
	if d := cmp.Diff(want, cfg.Cookies.SessionToken); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff(resolver.CookieOptions{Name: "app.csrf", SameSite: "strict"}, cfg.Cookies.CSRFToken); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff([]string{"from-nextauth"}, []string(cfg.Secrets)); d != "" {
		t.Fatalf("next-auth env defaults: %s", d)
	}
	if _, err := resolver.New(cfg); err != nil {
		t.Fatalf("the profile's config does not build: %v", err)
	}
	p.Resolver.EnvDefaults = "core"
	cfg, _ = p.ResolverConfig(env("NEXTAUTH_SECRET", "from-nextauth", "AUTH_SECRET_1", "s1", "AUTH_SECRET", "s0"))
	if d := cmp.Diff([]string{"s1", "s0"}, []string(cfg.Secrets)); d != "" {
		t.Fatalf("core env defaults: %s", d)
	}
}

func TestParityKeysRefused(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"use_secure_cookies: maybe", `signing.yaml:3: resolver.use_secure_cookies: "maybe" is not auto, true or false`},
		{"env_defaults: v4", `resolver.env_defaults: "v4" is not next-auth or core`},
		{"codec: paseto", `resolver.codec: "paseto" is not jwe or jws`},
		{"codec: jws", "resolver.algorithms: codec jws needs its algorithm allow-list"},
		{"jwks_url: https://x/jwks", "need codec: jws"},
		{"codec: jws\n  algorithms: [ES256]\n  jwks_url: https://u:p@x/jwks", "credentials in the URL are refused"},
		{"cookies:\n    session_token:\n      same_site: sometimes", `same_site: "sometimes" is not lax, strict or none`},
		{"cookies:\n    session_token:\n      colour: blue", "resolver.cookies.session_token.colour: unknown key"},
		{"cookies:\n    callback_url:\n      path: auth", `resolver.cookies.callback_url.path: "auth" must start with /`},
	} {
		_, err := Parse("signing.yaml", []byte("name: signing\nresolver:\n  "+c.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
}
