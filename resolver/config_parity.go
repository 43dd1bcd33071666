package resolver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Configuration that real deployments use beyond the defaults: which
// session cookie name a request uses (useSecureCookies), and the options
// the session cookie is written with (cookies.sessionToken.options).
//
// Auth.js's init() computes useSecureCookies as config.useSecureCookies ??
// url.protocol === "https:", url being the request's URL as the framework
// integration built it: from AUTH_URL when set, else from the request
// (X-Forwarded-Proto in next-auth's auth() and behind Express's "trust
// proxy"). The secure choice prefixes the cookie name with "__Secure-",
// which is also the JWE key's salt, so a resolver that guesses the wrong
// name reads nothing. SecureCookiesAuto reproduces that: the base URL
// decides when there is one; otherwise the request does, and an Input that
// knows nothing of its request (a bare Cookie header on the command line)
// accepts both names, the __Secure- one first, and Result.Cookie says
// which matched.
//
// Cookie options are merged over Auth.js's defaults (path "/", httpOnly,
// sameSite "lax", secure = useSecureCookies) exactly as init() merges
// config.cookies, and every Set-Cookie the resolver writes for the session
// cookie (refresh, clear) carries them, so a deployment with a parent
// domain or a narrower path gets its own cookie overwritten, not a
// duplicate beside it.

// SecureCookiesMode is Config.UseSecureCookies.
type SecureCookiesMode string

// Secure-cookie modes. The zero value is SecureCookiesAuto.
const (
	SecureCookiesAuto SecureCookiesMode = "auto"
	SecureCookiesOn   SecureCookiesMode = "true"
	SecureCookiesOff  SecureCookiesMode = "false"
)

// Valid reports whether m is "", auto, true or false.
func (m SecureCookiesMode) Valid() bool {
	switch m {
	case "", SecureCookiesAuto, SecureCookiesOn, SecureCookiesOff:
		return true
	}
	return false
}

// CookiesConfig is Auth.js's cookies option, for the cookies authscope
// reads or writes.
type CookiesConfig struct {
	// SessionToken is cookies.sessionToken: its name (also the JWE salt)
	// and the attributes refresh and clear headers carry.
	SessionToken CookieOptions `json:"session_token,omitzero"`
	// CSRFToken and CallbackURL are cookies.csrfToken and
	// cookies.callbackUrl, which Handler reads and writes.
	CSRFToken   CookieOptions `json:"csrf_token,omitzero"`
	CallbackURL CookieOptions `json:"callback_url,omitzero"`
}

// CookieOptions are one cookie's name and attributes. Unset fields keep
// Auth.js's defaults: Path "/", HttpOnly, SameSite lax, Secure when secure
// cookies are in use.
type CookieOptions struct {
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
	Path   string `json:"path,omitempty"`
	// SameSite is "lax", "strict" or "none" (default lax).
	SameSite string `json:"same_site,omitempty"`
	// Secure overrides useSecureCookies for the attribute only (the name's
	// prefix still follows useSecureCookies, as in Auth.js).
	Secure *bool `json:"secure,omitempty"`
	// HTTPOnly overrides the default true.
	HTTPOnly *bool `json:"http_only,omitempty"`
}

// SecureCookiesDecided reports whether the configuration alone decides
// the session cookie name. When it does not (auto mode, no base URL, no
// explicit name), each request decides from its scheme.
func (c Config) SecureCookiesDecided() bool {
	if c.CookieName != "" || c.Cookies.SessionToken.Name != "" {
		return true
	}
	return c.UseSecureCookies == SecureCookiesOn || c.UseSecureCookies == SecureCookiesOff || c.BaseURL != ""
}

// SessionCookieNames lists the names a resolver built from c reads: one
// when the configuration decides it, else the __Secure- name then the
// plain one (each request then picks by its scheme, or tries both).
func (c Config) SessionCookieNames() []string {
	if c.SecureCookiesDecided() {
		return []string{c.SessionCookieName()}
	}
	on, off := c, c
	on.UseSecureCookies, off.UseSecureCookies = SecureCookiesOn, SecureCookiesOff
	return []string{on.SessionCookieName(), off.SessionCookieName()}
}

// cookieAttrs are the attributes of the session cookies the resolver
// writes, Auth.js's defaults merged with the configured options.
type cookieAttrs struct {
	domain   string
	path     string
	sameSite http.SameSite
	secure   *bool
	httpOnly bool
}

func sessionCookieAttrs(o CookieOptions) cookieAttrs {
	a := cookieAttrs{domain: o.Domain, path: o.Path, sameSite: http.SameSiteLaxMode, secure: o.Secure, httpOnly: true}
	if a.path == "" {
		a.path = "/"
	}
	switch strings.ToLower(o.SameSite) {
	case "strict":
		a.sameSite = http.SameSiteStrictMode
	case "none":
		a.sameSite = http.SameSiteNoneMode
	}
	if o.HTTPOnly != nil {
		a.httpOnly = *o.HTTPOnly
	}
	return a
}

// apply sets c's attributes; secure is useSecureCookies for the name
// that was read or written.
func (a cookieAttrs) apply(c *http.Cookie, secure bool) *http.Cookie {
	c.Domain, c.Path, c.SameSite, c.HttpOnly = a.domain, a.path, a.sameSite, a.httpOnly
	c.Secure = secure
	if a.secure != nil {
		c.Secure = *a.secure
	}
	return c
}

// refresh is RefreshCookies with the configured attributes.
func (a cookieAttrs) refresh(name string, read []string, value string, expires time.Time, secure bool, chunkSize int) []*http.Cookie {
	out := RefreshCookies(name, read, value, expires, secure, chunkSize)
	for _, c := range out {
		a.apply(c, secure)
	}
	return out
}

// clear is ClearCookies with the configured attributes.
func (a cookieAttrs) clear(names []string, secure bool) []*http.Cookie {
	out := ClearCookies(names, secure)
	for _, c := range out {
		a.apply(c, secure)
	}
	return out
}

func (o CookieOptions) validate(key string) []error {
	var errs []error
	switch strings.ToLower(o.SameSite) {
	case "", "lax", "strict", "none":
	default:
		errs = append(errs, fmt.Errorf("%s.same_site %q: want lax, strict or none", key, o.SameSite))
	}
	if o.Path != "" && !strings.HasPrefix(o.Path, "/") {
		errs = append(errs, fmt.Errorf("%s.path %q: must start with /", key, o.Path))
	}
	if strings.ContainsAny(o.Name+o.Domain+o.Path, " ;,=") {
		errs = append(errs, fmt.Errorf("%s: name, domain and path must not contain spaces, ';', ',' or '='", key))
	}
	return errs
}

func (c Config) validateParity() []error {
	var errs []error
	if !c.UseSecureCookies.Valid() {
		errs = append(errs, fmt.Errorf("use_secure_cookies %q: want auto, true or false", c.UseSecureCookies))
	}
	st := c.Cookies.SessionToken
	if c.CookieName != "" && st.Name != "" && c.CookieName != st.Name {
		errs = append(errs, errors.New("cookie name given twice (cookie_name and cookies.session_token.name) with different values"))
	}
	for _, o := range []struct {
		key string
		o   CookieOptions
	}{{"session_token", st}, {"csrf_token", c.Cookies.CSRFToken}, {"callback_url", c.Cookies.CallbackURL}} {
		errs = append(errs, o.o.validate("cookies."+o.key)...)
	}
	if c.JWTMaxAge < 0 {
		errs = append(errs, errors.New("jwt max age must not be negative"))
	}
	for _, n := range c.SessionCookieNames()[1:] { // the first is checked by Validate
		if len(n) > maxCookieNameForHKDF {
			errs = append(errs, fmt.Errorf("cookie name is %d bytes: HKDF info would exceed 1024 bytes", len(n)))
			break
		}
	}
	errs = append(errs, c.Codec.validate(c)...)
	return errs
}
