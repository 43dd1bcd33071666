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
	if !slices.Contains([]string{"", "lax", "strict", "none"}, strings.ToLower(st.SameSite)) {
		bad("resolver.cookies.session_token.same_site", "%q is not lax, strict or none", st.SameSite)
	}
	if st.Path != "" && !strings.HasPrefix(st.Path, "/") {
		bad("resolver.cookies.session_token.path", "%q must start with /", st.Path)
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
	st := r.Cookies.SessionToken
	cfg.Cookies.SessionToken = resolver.CookieOptions{
		Name: st.Name, Domain: st.Domain, Path: st.Path, SameSite: st.SameSite, Secure: st.Secure, HTTPOnly: st.HTTPOnly,
	}
	cfg.Codec = resolver.CodecConfig{
		Kind: resolver.CodecKind(r.Codec), Algorithms: r.Algorithms, KeyFiles: r.KeyFiles,
		JWKSURL: r.JWKSURL, JWKSRefresh: r.JWKSRefresh.D(),
	}
}
