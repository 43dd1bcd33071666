package resolver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults, as Auth.js's init() sets them.
const (
	DefaultBasePath       = "/api/auth"
	DefaultMaxAge         = 30 * 24 * time.Hour
	DefaultUpdateAge      = 24 * time.Hour
	DefaultCookieName     = "authjs.session-token"
	SecureCookiePrefix    = "__Secure-"
	LegacyCookieName      = "next-auth.session-token"
	DefaultProxyTimeout   = 3 * time.Second
	DefaultProxyMaxBody   = 1 << 20
	DefaultStoreTimeout   = 2 * time.Second
	DefaultCacheSize      = 100_000
	ClockTolerance        = 15 * time.Second
	maxCookieNameForHKDF  = 990
	defaultCacheTTL       = 30 * time.Second
	defaultNegativeTTLMax = 5 * time.Second
)

// Config is everything a profile can say about resolution. It is plain data
// (JSON-serialisable) except Secrets, which are never serialised: they come
// from the environment (see SecretsFromEnv).
type Config struct {
	Mode     Mode     `json:"mode"`
	Strategy Strategy `json:"strategy"`
	// BaseURL is the Auth.js deployment's origin (AUTH_URL). An https URL
	// selects the __Secure- cookie name and Secure cookies.
	BaseURL string `json:"base_url,omitempty"`
	// BasePath is Auth.js's basePath (default /api/auth).
	BasePath string `json:"base_path,omitempty"`
	// CookieName overrides the session cookie name (also the JWE salt).
	CookieName string `json:"cookie_name,omitempty"`
	// Secrets is the rotation list, current secret first. Never serialised,
	// and printed by fmt and slog as a count only (SecretList).
	Secrets SecretList `json:"-"`
	// MaxAge is session.maxAge (default 30 days).
	MaxAge time.Duration `json:"max_age,omitempty"`
	// UpdateAge is session.updateAge for the database strategy (default 24h).
	// Zero means the default, as everywhere in Config; Auth.js's
	// updateAge: 0 (extend on every request) is UpdateAge: time.Nanosecond.
	UpdateAge time.Duration `json:"update_age,omitempty"`
	// LegacyV4 reads next-auth v4 tokens (next-auth.session-token, A256GCM,
	// v4 key derivation) instead of v5 ones. Never sniffed.
	LegacyV4 bool `json:"legacy_v4,omitempty"`
	// RefreshCookies makes Resolve fill Result.SetCookies as Auth.js would.
	RefreshCookies bool `json:"refresh_cookies,omitempty"`
	// ReadOnly turns every store write off (no pruning, extension, revocation).
	ReadOnly bool `json:"read_only,omitempty"`
	// StoreTimeout is the per-call deadline for store operations.
	StoreTimeout time.Duration `json:"store_timeout,omitempty"`

	// UseSecureCookies is Auth.js's useSecureCookies: "true", "false", or
	// "auto" (the default, ""): from BaseURL's scheme when set, else per
	// request (see config_parity.go).
	UseSecureCookies SecureCookiesMode `json:"use_secure_cookies,omitempty"`
	// TrustForwardedProto lets X-Forwarded-Proto decide a request's scheme
	// (Auth.js's trustHost; ConfigFromEnv sets it as setEnvDefaults does).
	TrustForwardedProto bool `json:"trust_forwarded_proto,omitempty"`
	// Cookies are Auth.js's cookies.* options, used when reading (the
	// name) and when writing refresh and clear Set-Cookie headers.
	Cookies CookiesConfig `json:"cookies,omitzero"`
	// JWTMaxAge is jwt.maxAge: the refreshed token's lifetime (default
	// MaxAge). The cookie's Expires and the body's expires follow MaxAge.
	JWTMaxAge time.Duration `json:"jwt_max_age,omitempty"`
	// Codec selects the session token format (default: Auth.js's JWE).
	Codec CodecConfig `json:"codec,omitzero"`

	Proxy ProxyConfig `json:"proxy,omitzero"`
	Cache CacheConfig `json:"cache,omitzero"`
	// TokenMemo sizes the local JWT resolver's token memo, in tokens
	// (jwt_memo.go): nil is DefaultTokenMemo, 0 turns it off. A
	// WithTokenMemo option overrides it.
	TokenMemo *int `json:"token_memo,omitempty"`
}

// ProxyConfig tunes proxy mode.
type ProxyConfig struct {
	// Timeout is the per-call deadline (default 3s).
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxBody caps the upstream body (default 1 MiB).
	MaxBody int64 `json:"max_body,omitempty"`
	// Headers are static headers sent with every upstream call; they
	// override duplicates from the incoming request. They often carry a
	// credential, so fmt, slog and JSON show their names only (HeaderMap).
	Headers HeaderMap `json:"headers,omitempty"`
	// MaxIdleConns sizes the keep-alive pool (default 512).
	MaxIdleConns int `json:"max_idle_conns,omitempty"`
	// MaxConns caps the connections open to the upstream at once (default
	// the keep-alive pool's size); a call beyond it waits for one, within
	// Timeout. Uncapped, an upstream stall made every call due dial a new
	// connection, and a stalled upstream met a storm of them.
	MaxConns int `json:"max_conns,omitempty"`
}

// CacheConfig tunes the result cache.
type CacheConfig struct {
	Enabled bool `json:"enabled,omitempty"`
	// TTL bounds an entry's life; it never outlives the session's expiry.
	TTL time.Duration `json:"ttl,omitempty"`
	// Size bounds the number of entries.
	Size int `json:"size,omitempty"`
	// NegativeTTL, when > 0, caches "no session" answers that briefly.
	NegativeTTL time.Duration `json:"negative_ttl,omitempty"`
}

// Hooks stand in for Auth.js's jwt and session callbacks.
type Hooks struct {
	// JWT is callbacks.jwt: it receives the decoded token and returns the
	// token to use. Returning nil claims means no session (ReasonCallback).
	JWT func(ctx context.Context, token Claims) (Claims, error)
	// Session is callbacks.session: it may edit s (add Extra members, expose
	// claims). Returning an error drops the session (ReasonCallback).
	Session func(ctx context.Context, s *Session, src HookSource) error
}

// HookSource is what the session hook sees: the token (jwt strategy) or the
// stored session and user (database strategy).
type HookSource struct {
	Token   Claims
	Stored  *StoredSession
	User    *StoredUser
	Updated bool // database: the session was extended by this request
}

// Option injects collaborators (code, not data) into New.
type Option func(*options)

type options struct {
	clock  Clock
	store  Store
	client *http.Client
	hooks  Hooks
	logger *slog.Logger
	codec  TokenCodec
	// upstream, when set, replaces Auth.js's /session protocol in proxy
	// mode (WithUpstreamProtocol).
	upstream *UpstreamProtocol
	// tokenMemo is the JWT token memo's size (WithTokenMemo); the default
	// when tokenMemoSet is false.
	tokenMemo    int
	tokenMemoSet bool
}

// WithClock sets the time source (default time.Now).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithStore sets the session store for the database strategy.
func WithStore(s Store) Option { return func(o *options) { o.store = s } }

// WithHTTPClient sets the client proxy mode uses.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithHooks sets the jwt/session callbacks.
func WithHooks(h Hooks) Option { return func(o *options) { o.hooks = h } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithUpstreamProtocol makes proxy mode ask another engine's session
// endpoint (Better Auth's get-session) with the same deadline, body cap and
// no-redirect rules; see UpstreamProtocol.
func WithUpstreamProtocol(p UpstreamProtocol) Option {
	return func(o *options) { o.upstream = &p }
}

// SecureCookies reports Auth.js's useSecureCookies as far as the
// configuration decides it: UseSecureCookies "true"/"false", else whether
// the base URL is https. Without a base URL in auto mode the request
// decides (SecureCookiesDecided reports false then); this answers false.
func (c Config) SecureCookies() bool {
	switch c.UseSecureCookies {
	case SecureCookiesOn:
		return true
	case SecureCookiesOff:
		return false
	}
	return strings.HasPrefix(strings.ToLower(c.BaseURL), "https:")
}

// SessionCookieName is the effective session cookie name: the override
// (CookieName, else Cookies.SessionToken.Name), or Auth.js's default for
// the scheme (next-auth v4's with LegacyV4).
func (c Config) SessionCookieName() string {
	if c.CookieName != "" {
		return c.CookieName
	}
	if c.Cookies.SessionToken.Name != "" {
		return c.Cookies.SessionToken.Name
	}
	name := DefaultCookieName
	if c.LegacyV4 {
		name = LegacyCookieName
	}
	if c.SecureCookies() {
		return SecureCookiePrefix + name
	}
	return name
}

// WithDefaults returns c with Auth.js's defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeLocal
	}
	if c.Strategy == "" {
		c.Strategy = StrategyJWT
	}
	if c.BasePath == "" {
		c.BasePath = DefaultBasePath
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.UpdateAge == 0 {
		c.UpdateAge = DefaultUpdateAge
	}
	if c.JWTMaxAge == 0 {
		c.JWTMaxAge = c.MaxAge // Auth.js: jwt.maxAge defaults to session.maxAge
	}
	if c.StoreTimeout == 0 {
		c.StoreTimeout = DefaultStoreTimeout
	}
	if c.Proxy.Timeout == 0 {
		c.Proxy.Timeout = DefaultProxyTimeout
	}
	if c.Proxy.MaxBody == 0 {
		c.Proxy.MaxBody = DefaultProxyMaxBody
	}
	if c.Proxy.MaxIdleConns == 0 {
		c.Proxy.MaxIdleConns = 512
	}
	if c.Proxy.MaxConns == 0 {
		c.Proxy.MaxConns = c.Proxy.MaxIdleConns
	}
	if c.Cache.TTL == 0 {
		c.Cache.TTL = defaultCacheTTL
	}
	if c.Cache.Size == 0 {
		c.Cache.Size = DefaultCacheSize
	}
	return c
}

// Validate reports every problem with c (after defaults) at once.
func (c Config) Validate() error {
	var errs []error
	if !c.Mode.Valid() {
		errs = append(errs, fmt.Errorf("mode %q: want local or proxy", c.Mode))
	}
	if !c.Strategy.Valid() {
		errs = append(errs, fmt.Errorf("strategy %q: want jwt or database", c.Strategy))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base URL %q: want an absolute http(s) URL", RedactURL(c.BaseURL)))
		}
	}
	if c.Mode == ModeProxy && c.BaseURL == "" {
		errs = append(errs, errors.New("proxy mode needs the upstream base URL (--url, AUTH_URL or the profile's base_url)"))
	}
	if !strings.HasPrefix(c.BasePath, "/") {
		errs = append(errs, fmt.Errorf("base path %q: must start with /", c.BasePath))
	}
	if c.Mode == ModeLocal && c.Strategy == StrategyJWT {
		if len(c.Secrets) == 0 {
			errs = append(errs, errors.New("jwt strategy in local mode needs a secret (AUTH_SECRET)"))
		}
	}
	for i, s := range c.Secrets {
		if s == "" {
			errs = append(errs, fmt.Errorf("secret %d is empty", i))
		}
	}
	if c.LegacyV4 && len(c.Secrets) > 1 {
		errs = append(errs, errors.New("legacy v4 tokens take a single secret (next-auth v4 has no rotation)"))
	}
	if n := len(c.SessionCookieName()); n > maxCookieNameForHKDF {
		errs = append(errs, fmt.Errorf("cookie name is %d bytes: HKDF info would exceed 1024 bytes", n))
	}
	if c.MaxAge < 0 || c.UpdateAge < 0 {
		errs = append(errs, errors.New("max age and update age must not be negative"))
	}
	if c.Cache.Size < 0 || c.Cache.TTL < 0 || c.Cache.NegativeTTL < 0 || c.Cache.NegativeTTL > defaultNegativeTTLMax {
		errs = append(errs, fmt.Errorf("cache: size and ttl must be positive, negative ttl at most %s", defaultNegativeTTLMax))
	}
	if c.TokenMemo != nil && *c.TokenMemo < 0 {
		errs = append(errs, fmt.Errorf("token memo %d: want 0 (off) or a number of tokens", *c.TokenMemo))
	}
	if c.Proxy.Timeout < 0 || c.Proxy.MaxBody < 0 {
		errs = append(errs, errors.New("proxy: timeout and max body must be positive"))
	}
	errs = append(errs, c.validateParity()...)
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("resolver config: %w", joinedErrors(errs))
}

// joinedErrors is errors.Join on one line ("a; b"): a configuration error
// is one line on a terminal or in a log. errors.Is and As still see each.
type joinedErrors []error

func (e joinedErrors) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e joinedErrors) Unwrap() []error { return e }

// RedactURL hides a password in a URL for messages. Text that does not parse
// as a URL is cut at its last '@' so that "scheme://user:pass@host" shapes
// are masked too.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndexByte(raw, '@'); i >= 0 {
		if scheme, _, ok := strings.Cut(raw[:i], "://"); ok {
			return scheme + "://•••" + raw[i:]
		}
		return "•••" + raw[i:]
	}
	return raw
}
