package betterauth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is the part of a Better Auth deployment's betterAuth({...}) options
// that decides how its sessions resolve. The zero values are Better Auth's
// defaults (better-auth/dist/context/create-context.mjs sessionConfig,
// cookies/index.mjs createCookieGetter).
type Config struct {
	// BaseURL is the deployment's baseURL; an https URL selects the
	// __Secure- cookie names (unless Secure says otherwise).
	BaseURL string
	// Secure overrides advanced.useSecureCookies when non-nil.
	Secure *bool
	// CookiePrefix is advanced.cookiePrefix ("better-auth").
	CookiePrefix string
	// SessionTokenName and SessionDataName are advanced.cookies.*.name
	// overrides (before the __Secure- prefix).
	SessionTokenName, SessionDataName, DontRememberName string
	// Secrets are the signing secrets; see SecretsFromEnv.
	Secrets Secrets
	// ExpiresIn is session.expiresIn (7 days); UpdateAge session.updateAge
	// (1 day). UpdateAge needs UpdateAgeSet to be 0, as `updateAge: 0`
	// differs from unset.
	ExpiresIn    time.Duration
	UpdateAge    time.Duration
	UpdateAgeSet bool
	// DisableSessionRefresh is session.disableSessionRefresh.
	DisableSessionRefresh bool
	// CookieCache is session.cookieCache.
	CookieCache CookieCache
	// SessionFields and UserFields are session.additionalFields and
	// user.additionalFields; hidden ones are removed from bodies and caches.
	SessionFields, UserFields []AdditionalField
	// ReadOnly turns every store write off (no deletion of expired rows,
	// no extension): Go then reports what Better Auth would answer without
	// changing what it would find next time.
	ReadOnly bool
}

// CookieCache is session.cookieCache.
type CookieCache struct {
	Enabled bool
	// Strategy is "compact" (default), "jwt" or "jwe".
	Strategy string
	// MaxAge is cookieCache.maxAge (300 s).
	MaxAge time.Duration
	// Version is cookieCache.version as a string ("1").
	Version string
}

// Cookie-cache strategies.
const (
	StrategyCompact = "compact"
	StrategyJWT     = "jwt"
	StrategyJWE     = "jwe"
)

// Defaults from create-context.mjs.
const (
	DefaultExpiresIn   = 7 * 24 * time.Hour
	DefaultUpdateAge   = 24 * time.Hour
	DefaultCacheMaxAge = 300 * time.Second
	// DefaultSecret is Better Auth's built-in development secret. It is
	// refused in production by Better Auth and always by authscope.
	DefaultSecret = "better-auth-secret-12345678901234567890"
)

// SecurePrefix is prepended to every cookie name on https.
const SecurePrefix = "__Secure-"

// Names are the effective cookie names.
type Names struct {
	SessionToken, SessionData, DontRemember string
}

// Names returns the cookie names c's deployment sets.
func (c Config) Names() Names {
	secure := strings.HasPrefix(c.BaseURL, "https://")
	if c.Secure != nil {
		secure = *c.Secure
	}
	pre := ""
	if secure {
		pre = SecurePrefix
	}
	prefix := c.CookiePrefix
	if prefix == "" {
		prefix = "better-auth"
	}
	name := func(override, suffix string) string {
		if override != "" {
			return pre + override
		}
		return pre + prefix + "." + suffix
	}
	return Names{
		SessionToken: name(c.SessionTokenName, "session_token"),
		SessionData:  name(c.SessionDataName, "session_data"),
		DontRemember: name(c.DontRememberName, "dont_remember"),
	}
}

func (c Config) expiresIn() time.Duration {
	if c.ExpiresIn <= 0 {
		return DefaultExpiresIn
	}
	return c.ExpiresIn
}

func (c Config) updateAge() time.Duration {
	if c.UpdateAge == 0 && !c.UpdateAgeSet {
		return DefaultUpdateAge
	}
	return c.UpdateAge
}

func (c Config) cacheStrategy() string {
	if c.CookieCache.Strategy == "" {
		return StrategyCompact
	}
	return c.CookieCache.Strategy
}

func (c Config) cacheMaxAge() time.Duration {
	if c.CookieCache.MaxAge <= 0 {
		return DefaultCacheMaxAge
	}
	return c.CookieCache.MaxAge
}

func (c Config) cacheVersion() string {
	if c.CookieCache.Version == "" {
		return "1"
	}
	return c.CookieCache.Version
}

// validate reports every problem on one line.
func (c Config) validate() error {
	var errs []string
	if c.Secrets.Current == "" {
		errs = append(errs, "no secret (set BETTER_AUTH_SECRET, AUTH_SECRET or the configured secret)")
	} else if c.Secrets.Current == DefaultSecret {
		errs = append(errs, "the secret is Better Auth's built-in development default")
	}
	switch c.CookieCache.Strategy {
	case "", StrategyCompact, StrategyJWT, StrategyJWE:
	default:
		errs = append(errs, fmt.Sprintf("cookie cache strategy %q is not compact, jwt or jwe", c.CookieCache.Strategy))
	}
	if c.UpdateAge < 0 {
		errs = append(errs, "updateAge is negative")
	}
	if len(errs) > 0 {
		return errors.New("betterauth config: " + strings.Join(errs, "; "))
	}
	return nil
}

// Secrets are a deployment's secrets as Better Auth selects them
// (create-context.mjs, secret-utils.mjs).
type Secrets struct {
	// Current signs and verifies session cookies and the compact and jwt
	// cookie caches: secrets[0] of `secrets`/BETTER_AUTH_SECRETS, else the
	// configured secret, BETTER_AUTH_SECRET, AUTH_SECRET in that order.
	Current string
	// Versioned are `secrets`/BETTER_AUTH_SECRETS in order (current first);
	// only the JWE cookie cache and encrypted data rotate through them.
	Versioned []VersionedSecret
	// Legacy is the configured secret, BETTER_AUTH_SECRET or AUTH_SECRET
	// when Versioned is set: the JWE cache also tries it.
	Legacy string
}

// VersionedSecret is one "<version>:<secret>" entry.
type VersionedSecret struct {
	Version int
	Value   string
}

// All lists every secret the JWE cache tries, in Better Auth's order.
func (s Secrets) All() []string {
	if len(s.Versioned) == 0 {
		if s.Current == "" {
			return nil
		}
		return []string{s.Current}
	}
	out := make([]string, 0, len(s.Versioned)+1)
	legacySeen := false
	for _, v := range s.Versioned {
		out = append(out, v.Value)
		legacySeen = legacySeen || v.Value == s.Legacy
	}
	if s.Legacy != "" && !legacySeen {
		out = append(out, s.Legacy)
	}
	return out
}

// SecretsFromEnv selects secrets as Better Auth does from configured (the
// `secret` option, "" when unset) and the environment read by getenv:
// BETTER_AUTH_SECRETS ("v:secret,…", current first) wins; otherwise
// configured, then BETTER_AUTH_SECRET, then AUTH_SECRET.
func SecretsFromEnv(configured string, getenv func(string) string) (Secrets, error) {
	legacy := configured
	for _, k := range []string{"BETTER_AUTH_SECRET", "AUTH_SECRET"} {
		if legacy == "" {
			legacy = getenv(k)
		}
	}
	list := getenv("BETTER_AUTH_SECRETS")
	if list == "" {
		return Secrets{Current: legacy}, nil
	}
	vs, err := parseSecretsEnv(list)
	if err != nil {
		return Secrets{}, err
	}
	if legacy == DefaultSecret {
		legacy = ""
	}
	return Secrets{Current: vs[0].Value, Versioned: vs, Legacy: legacy}, nil
}

func parseSecretsEnv(list string) ([]VersionedSecret, error) {
	var out []VersionedSecret
	seen := map[int]bool{}
	for i, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		v, val, ok := strings.Cut(e, ":")
		if !ok {
			return nil, fmt.Errorf("BETTER_AUTH_SECRETS entry %d: want <version>:<secret>", i+1)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("BETTER_AUTH_SECRETS entry %d: version is not a non-negative integer", i+1)
		}
		val = strings.TrimSpace(val)
		if val == "" {
			return nil, fmt.Errorf("BETTER_AUTH_SECRETS entry %d: empty secret", i+1)
		}
		if seen[n] {
			return nil, fmt.Errorf("BETTER_AUTH_SECRETS entry %d: duplicate version %d", i+1, n)
		}
		seen[n] = true
		out = append(out, VersionedSecret{n, val})
	}
	return out, nil
}

// DefaultFreshAge is session.freshAge's default.
const DefaultFreshAge = 24 * time.Hour

// Fresh reports whether s counts as fresh for Better Auth's
// freshSessionMiddleware: now − createdAt < freshAge, always when
// freshAge is 0. freshAge < 0 selects the default (1 day).
func Fresh(s *Session, now time.Time, freshAge time.Duration) bool {
	if s == nil {
		return false
	}
	if freshAge == 0 {
		return true
	}
	if freshAge < 0 {
		freshAge = DefaultFreshAge
	}
	created, ok := s.Session.Time("createdAt")
	return ok && now.Sub(created) < freshAge
}
