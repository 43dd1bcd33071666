package profiles

import (
	"net/url"
	"slices"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// The profile keys for what real deployments configure beyond the
// defaults (resolver.Config's parity fields): whose env defaults to read,
// use_secure_cookies, the session cookie's options, jwt_max_age and the
// token codec (codec: jws, algorithms, key_files, jwks_url).

// validateParity reports the parity keys' problems at their lines.
func (p *Profile) validateParity(bad func(key, format string, a ...any)) {
	r := p.Resolver
	if !resolver.EnvFlavor(r.EnvDefaults).Valid() {
		bad("resolver.env_defaults", "%q is not next-auth or core", r.EnvDefaults)
	}
	if !resolver.SecureCookiesMode(r.UseSecureCookies).Valid() {
		bad("resolver.use_secure_cookies", "%q is not auto, true or false", r.UseSecureCookies)
	}
	if r.JWTMaxAge < 0 || r.JWKSRefresh < 0 {
		bad("resolver.jwt_max_age", "durations must not be negative")
	}
	st := r.Cookies.SessionToken
	for key, c := range map[string]CookieBlock{"session_token": st, "csrf_token": r.Cookies.CSRFToken, "callback_url": r.Cookies.CallbackURL} {
		if !slices.Contains([]string{"", "lax", "strict", "none"}, strings.ToLower(c.SameSite)) {
			bad("resolver.cookies."+key+".same_site", "%q is not lax, strict or none", c.SameSite)
		}
		if c.Path != "" && !strings.HasPrefix(c.Path, "/") {
			bad("resolver.cookies."+key+".path", "%q must start with /", c.Path)
		}
	}
	if r.CookieName != "" && st.Name != "" && r.CookieName != st.Name {
		bad("resolver.cookies.session_token.name", "differs from cookie_name; set one")
	}
	switch r.Codec {
	case "", string(resolver.CodecJWE):
		if len(r.Algorithms)+len(r.KeyFiles) > 0 || r.JWKSURL != "" {
			bad("resolver.codec", "algorithms, key_files and jwks_url need codec: jws")
		}
	case string(resolver.CodecJWS):
		if len(r.Algorithms) == 0 {
			bad("resolver.algorithms", "codec jws needs its algorithm allow-list, e.g. [HS512]")
		}
	default:
		bad("resolver.codec", "%q is not jwe or jws", r.Codec)
	}
	if r.JWKSURL != "" {
		u, err := url.Parse(r.JWKSURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("resolver.jwks_url", "%q is not an absolute http(s) URL", resolver.RedactURL(r.JWKSURL))
		case u.User != nil:
			bad("resolver.jwks_url", "credentials in the URL are refused")
		}
	}
}

// parityConfig copies the parity keys into cfg.
func (p *Profile) parityConfig(cfg *resolver.Config) {
	r := p.Resolver
	cfg.UseSecureCookies = resolver.SecureCookiesMode(r.UseSecureCookies)
	cfg.TrustForwardedProto = r.TrustForwardedProto
	cfg.JWTMaxAge = r.JWTMaxAge.D()
	cfg.Cookies = resolver.CookiesConfig{
		SessionToken: r.Cookies.SessionToken.options(),
		CSRFToken:    r.Cookies.CSRFToken.options(),
		CallbackURL:  r.Cookies.CallbackURL.options(),
	}
	cfg.Codec = resolver.CodecConfig{
		Kind: resolver.CodecKind(r.Codec), Algorithms: r.Algorithms, KeyFiles: r.KeyFiles,
		JWKSURL: r.JWKSURL, JWKSRefresh: r.JWKSRefresh.D(),
	}
}

func (c CookieBlock) options() resolver.CookieOptions {
	return resolver.CookieOptions{Name: c.Name, Domain: c.Domain, Path: c.Path, SameSite: c.SameSite, Secure: c.Secure, HTTPOnly: c.HTTPOnly}
}
