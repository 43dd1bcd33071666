// Package profiles holds authscope's named configurations: which Auth.js
// deployment to resolve against, how, and how to load-test it.
//
// A profile is a YAML (or JSON, which is YAML) file, decoded strictly: an
// unknown key, a value of the wrong type or an invalid setting is an error
// naming the file, the line and the key. Profiles never hold secrets or
// connection strings: they name the environment variables that do
// (secret_env, dsn_env, header_envs), and a profile that carries one inline
// is refused. The embedded built-in profiles (demo, ...) need no files.
//
// Durations are Go duration strings everywhere in a profile ("30s", "720h",
// "2s"), in the resolver section as in the bench section; a bare number is
// refused rather than guessed at (seconds in one section, nanoseconds in
// another).
//
// The package turns a profile into plain config values of the packages it
// configures (resolver.Config, bench.Config); it holds no state of its own.
package profiles

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
)

// Profile is one named configuration, as decoded from its file.
type Profile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Demo marks the embedded demo: a generated secret, a seeded SQLite
	// store and the built-in upstream, all made at start-up.
	Demo     bool          `yaml:"demo"`
	Resolver ResolverBlock `yaml:"resolver"`
	Store    StoreBlock    `yaml:"store"`
	// Bench is the load-run section: a bench.Config, decoded as strictly
	// as the rest of the profile (unknown keys are errors naming the file,
	// line and key); nil when the profile has none. Its values are checked
	// by the command that runs it, after flags are applied (bench.Config's
	// Validate), since flags may supply what the section leaves out.
	Bench *bench.Config `yaml:"bench"`

	// Source is where the profile came from ("builtin:demo" or a path).
	Source string `yaml:"-"`
	lines  map[string]int
}

// ResolverBlock is the resolver section of a profile.
type ResolverBlock struct {
	// Engine is authjs (default), better-auth or auto (resolver/engine).
	Engine     string   `yaml:"engine"`
	Mode       string   `yaml:"mode"`
	Strategy   string   `yaml:"strategy"`
	BaseURL    string   `yaml:"base_url"`
	BasePath   string   `yaml:"base_path"`
	CookieName string   `yaml:"cookie_name"`
	SecretEnv  string   `yaml:"secret_env"`
	SecretEnvs []string `yaml:"secret_envs"`
	MaxAge     Duration `yaml:"max_age"`
	// UpdateAge is a pointer so that an explicit 0 keeps Auth.js's meaning
	// (extend on every request) instead of falling back to the default.
	UpdateAge *Duration `yaml:"update_age"`
	LegacyV4  bool      `yaml:"legacy_v4"`
	Refresh   bool      `yaml:"refresh_cookies"`
	ReadOnly  bool      `yaml:"read_only"`
	StoreTO   Duration  `yaml:"store_timeout"`
	Proxy     struct {
		Timeout    Duration          `yaml:"timeout"`
		MaxBody    int64             `yaml:"max_body"`
		Headers    map[string]string `yaml:"headers"`
		HeaderEnvs map[string]string `yaml:"header_envs"`
	} `yaml:"proxy"`
	Cache struct {
		Enabled     bool     `yaml:"enabled"`
		TTL         Duration `yaml:"ttl"`
		Size        int      `yaml:"size"`
		NegativeTTL Duration `yaml:"negative_ttl"`
	} `yaml:"cache"`
	Redact struct {
		Allow []string `yaml:"allow"`
	} `yaml:"redact"`

	// EnvDefaults is whose setEnvDefaults reads the secrets when the
	// profile names no variable: next-auth (default: AUTH_SECRET ??
	// NEXTAUTH_SECRET, rotation only without either) or core
	// (AUTH_SECRET_3.._1, AUTH_SECRET).
	EnvDefaults string `yaml:"env_defaults"`
	// UseSecureCookies is auto (default), true or false.
	UseSecureCookies ScalarString `yaml:"use_secure_cookies"`
	// TrustForwardedProto lets X-Forwarded-Proto pick the cookie name.
	TrustForwardedProto bool     `yaml:"trust_forwarded_proto"`
	JWTMaxAge           Duration `yaml:"jwt_max_age"`
	Cookies             struct {
		SessionToken CookieBlock `yaml:"session_token"`
		CSRFToken    CookieBlock `yaml:"csrf_token"`
		CallbackURL  CookieBlock `yaml:"callback_url"`
	} `yaml:"cookies"`
	// Codec is jwe (default) or jws; the rest configure jws.
	Codec       string   `yaml:"codec"`
	Algorithms  []string `yaml:"algorithms"`
	JWKSURL     string   `yaml:"jwks_url"`
	KeyFiles    []string `yaml:"key_files"`
	JWKSRefresh Duration `yaml:"jwks_refresh"`
}

// CookieBlock is one cookie's options (Auth.js's cookies.<name>).
type CookieBlock struct {
	Name     string `yaml:"name"`
	Domain   string `yaml:"domain"`
	Path     string `yaml:"path"`
	SameSite string `yaml:"same_site"`
	Secure   *bool  `yaml:"secure"`
	HTTPOnly *bool  `yaml:"http_only"`
}

// StoreBlock names the session store for the database strategy.
type StoreBlock struct {
	// DSNEnv names the environment variable holding the DSN
	// (sqlite:PATH, postgres://..., mysql://..., mongodb://..., redis://...).
	DSNEnv string `yaml:"dsn_env"`
	// Schema is the adapter layout: auto (default: found in the catalog),
	// a preset (pg-adapter, prisma, prisma-snake, drizzle, kysely,
	// supabase, d1, mongodb-adapter), or custom (with Mapping).
	Schema string `yaml:"schema"`
	// Mapping names tables and columns for the custom schema.
	Mapping  map[string]string `yaml:"mapping"`
	PoolSize int               `yaml:"pool_size"`
	// KeyPrefix is the Redis adapter's baseKeyPrefix.
	KeyPrefix string `yaml:"key_prefix"`
	// BetterAuth is the deployment's Better Auth schema options, for the
	// better-auth engine: modelName, fields and additionalFields.
	BetterAuth BetterAuthBlock `yaml:"better_auth"`
}

// BetterAuthBlock mirrors betterAuth({session, user}) schema options:
// session.modelName and user.modelName (tables), session.fields and
// user.fields (field → column), and the additionalFields in config order.
type BetterAuthBlock struct {
	SessionModel  string            `yaml:"session_model"`
	UserModel     string            `yaml:"user_model"`
	SessionFields map[string]string `yaml:"session_fields"`
	UserFields    map[string]string `yaml:"user_fields"`
	SessionExtra  []BetterAuthExtra `yaml:"session_additional_fields"`
	UserExtra     []BetterAuthExtra `yaml:"user_additional_fields"`
}

// BetterAuthExtra is one additionalFields entry: its name, type (string,
// number, boolean, date) and whether get-session returns it (returned:
// false hides it; default true).
type BetterAuthExtra struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	Returned *bool  `yaml:"returned"`
}

// Duration is a time.Duration written as a Go duration: "30s", "720h".
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// notEnvName describes a value found where an environment variable name
// belongs without echoing it: it is most likely the secret, credential or
// DSN itself, and error messages end up in terminals and CI logs.
func notEnvName(v string) string {
	return fmt.Sprintf("the value (%d characters, not shown)", len(v))
}

func (d *Duration) orZero() Duration {
	if d == nil {
		return 0
	}
	return *d
}

// updateAge maps update_age to resolver.Config.UpdateAge: absent is the
// default; an explicit 0 is Auth.js's updateAge: 0, which Config spells as
// one nanosecond (it rounds to 0 ms in the due-date arithmetic).
func updateAge(d *Duration) time.Duration {
	switch {
	case d == nil:
		return 0
	case *d == 0:
		return time.Nanosecond
	}
	return d.D()
}

var (
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	envPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// The stores' layout presets (resolver/store and its drivers): auto
	// finds the layout in the catalog.
	schemaChoices = []string{"", "auto", "pg-adapter", "prisma", "prisma-snake", "drizzle", "kysely", "supabase", "d1", "mongodb-adapter", "unstorage", "upstash", "custom"}
	// inlineSecretKeys are keys that would put a secret in the file.
	inlineSecretKeys = map[string]string{
		"secret": "secret_env", "secrets": "secret_envs", "auth_secret": "secret_env",
		"dsn": "dsn_env", "password": "dsn_env", "url": "dsn_env", "token": "an env var",
	}
	// sensitiveHeaders may only come from the environment.
	sensitiveHeaders = []string{"authorization", "cookie", "proxy-authorization", "x-api-key"}
)

// Validate reports every problem with p, each naming the file, line and key.
func (p *Profile) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, p.errorAt(key, fmt.Sprintf(format, a...)))
	}
	if !namePattern.MatchString(p.Name) {
		bad("name", "%q is not a kebab-case name", p.Name)
	}
	r := p.Resolver
	if _, err := engine.Parse(r.Engine); err != nil || (r.Engine != "" && strings.TrimSpace(r.Engine) != r.Engine) {
		bad("resolver.engine", "%q is not authjs, better-auth or auto", r.Engine)
	}
	if r.Mode != "" && !resolver.Mode(r.Mode).Valid() {
		bad("resolver.mode", "%q is not local or proxy", r.Mode)
	}
	if r.Strategy != "" && !resolver.Strategy(r.Strategy).Valid() {
		bad("resolver.strategy", "%q is not jwt or database", r.Strategy)
	}
	if r.BaseURL != "" {
		u, err := url.Parse(r.BaseURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("resolver.base_url", "%q is not an absolute http(s) URL", resolver.RedactURL(r.BaseURL))
		case u.User != nil:
			bad("resolver.base_url", "credentials in the URL are refused; use proxy.header_envs")
		}
	}
	if r.BasePath != "" && !strings.HasPrefix(r.BasePath, "/") {
		bad("resolver.base_path", "%q must start with /", r.BasePath)
	}
	if r.SecretEnv != "" && len(r.SecretEnvs) > 0 {
		bad("resolver.secret_env", "set secret_env or secret_envs, not both")
	}
	for i, e := range append([]string{r.SecretEnv}, r.SecretEnvs...) {
		if (i > 0 || e != "") && !envPattern.MatchString(e) {
			bad("resolver.secret_env", "%s is not an environment variable name (the secret itself never goes in a profile)", notEnvName(e))
		}
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"resolver.max_age", r.MaxAge}, {"resolver.update_age", r.UpdateAge.orZero()}, {"resolver.store_timeout", r.StoreTO},
		{"resolver.proxy.timeout", r.Proxy.Timeout}, {"resolver.cache.ttl", r.Cache.TTL}, {"resolver.cache.negative_ttl", r.Cache.NegativeTTL}} {
		if d.v < 0 {
			bad(d.key, "must not be negative")
		}
	}
	if r.Proxy.MaxBody < 0 {
		bad("resolver.proxy.max_body", "must not be negative")
	}
	p.validateParity(bad)
	if r.Cache.Size < 0 {
		bad("resolver.cache.size", "must not be negative")
	}
	for h, v := range r.Proxy.Headers {
		for _, s := range sensitiveHeaders {
			if strings.EqualFold(h, s) {
				bad("resolver.proxy.headers."+h, "a credential header must come from the environment (header_envs)")
			}
		}
		if looksLikeSecret(v) {
			bad("resolver.proxy.headers."+h, "value looks like a credential; use header_envs")
		}
	}
	for h, e := range r.Proxy.HeaderEnvs {
		if !envPattern.MatchString(e) {
			bad("resolver.proxy.header_envs."+h, "%s is not an environment variable name (the credential itself never goes in a profile)", notEnvName(e))
		}
	}
	s := p.Store
	if s.DSNEnv != "" && !envPattern.MatchString(s.DSNEnv) {
		bad("store.dsn_env", "%s is not an environment variable name (the DSN itself never goes in a profile)", notEnvName(s.DSNEnv))
	}
	if !contains(schemaChoices, s.Schema) {
		bad("store.schema", "%q is not auto, pg-adapter, prisma, prisma-snake, drizzle, kysely, supabase, d1, mongodb-adapter or custom", s.Schema)
	}
	if s.Schema == "custom" && len(s.Mapping) == 0 {
		bad("store.mapping", "the custom schema needs a mapping")
	}
	if s.PoolSize < 0 {
		bad("store.pool_size", "must not be negative")
	}
	if r.Strategy == string(resolver.StrategyDatabase) && r.Mode != string(resolver.ModeProxy) && s.DSNEnv == "" && !p.Demo {
		bad("store.dsn_env", "the database strategy in local mode needs a store (dsn_env)")
	}
	p.validateThresholds(bad)
	return errors.Join(errs...)
}

// validateThresholds refuses thresholds naming a scenario the bench
// section does not have. A section without scenarios runs the built-in
// comparison (or --config's), so its thresholds are checked by the
// command, against the scenarios it runs.
func (p *Profile) validateThresholds(bad func(key, format string, a ...any)) {
	b := p.Bench
	if b == nil || len(b.Scenarios) == 0 {
		return
	}
	names := make([]string, len(b.Scenarios))
	for i, s := range b.Scenarios {
		names[i] = s.Name
	}
	for i, t := range b.Thresholds {
		if err := bench.CheckThresholds([]bench.Threshold{t}, names); err != nil {
			bad(fmt.Sprintf("bench.thresholds[%d]", i), "%v", err)
		}
	}
}

// looksLikeSecret catches the common credential shapes pasted into headers.
func looksLikeSecret(v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	return strings.HasPrefix(l, "bearer ") || strings.HasPrefix(l, "basic ") || len(v) >= 32 && !strings.ContainsAny(v, " /")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Error is a problem in a profile file, at a line and key.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Key != "":
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	case e.Key != "":
		return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (p *Profile) errorAt(key, msg string) error {
	line := p.lines[key]
	for k := key; line == 0 && strings.Contains(k, "."); {
		k = k[:strings.LastIndexByte(k, '.')]
		line = p.lines[k]
	}
	return &Error{File: p.Source, Line: line, Key: key, Msg: msg}
}

// Line returns the line a dotted key was written on (0 when absent).
func (p *Profile) Line(key string) int { return p.lines[key] }

// Secrets reads the secret rotation list from the environment the way
// the deployment does when the profile names no variable (env_defaults:
// next-auth v5's AUTH_SECRET ?? NEXTAUTH_SECRET by default, or @auth/core's
// AUTH_SECRET_3.._1, AUTH_SECRET; see resolver.EnvSecrets), current
// first. With secret_env(s) the named variables are read in the order
// given.
func (p *Profile) Secrets(getenv func(string) string) ([]string, error) {
	names := p.Resolver.SecretEnvs
	if p.Resolver.SecretEnv != "" {
		names = []string{p.Resolver.SecretEnv}
	}
	if len(names) == 0 {
		return resolver.EnvSecrets(resolver.Getenv(getenv), resolver.EnvFlavor(p.Resolver.EnvDefaults)), nil
	}
	var out []string
	for _, n := range names {
		v := getenv(n)
		if v == "" {
			return nil, fmt.Errorf("%s: secret variable %s is not set", p.Source, n)
		}
		out = append(out, v)
	}
	return out, nil
}

// ResolverConfig builds the resolver.Config the profile describes, reading
// secrets and header credentials from the environment.
func (p *Profile) ResolverConfig(getenv func(string) string) (resolver.Config, error) {
	r := p.Resolver
	cfg := resolver.Config{
		Mode: resolver.Mode(r.Mode), Strategy: resolver.Strategy(r.Strategy),
		BaseURL: r.BaseURL, BasePath: r.BasePath, CookieName: r.CookieName,
		MaxAge: r.MaxAge.D(), UpdateAge: updateAge(r.UpdateAge), LegacyV4: r.LegacyV4,
		RefreshCookies: r.Refresh, ReadOnly: r.ReadOnly, StoreTimeout: r.StoreTO.D(),
	}
	cfg.Proxy.Timeout = r.Proxy.Timeout.D()
	cfg.Proxy.MaxBody = r.Proxy.MaxBody
	if len(r.Proxy.Headers)+len(r.Proxy.HeaderEnvs) > 0 {
		cfg.Proxy.Headers = make(map[string]string)
		for k, v := range r.Proxy.Headers {
			cfg.Proxy.Headers[k] = v
		}
		for k, e := range r.Proxy.HeaderEnvs {
			v := getenv(e)
			if v == "" {
				return cfg, fmt.Errorf("%s: header %s: variable %s is not set", p.Source, k, e)
			}
			cfg.Proxy.Headers[k] = v
		}
	}
	cfg.Cache = resolver.CacheConfig{Enabled: r.Cache.Enabled, TTL: r.Cache.TTL.D(), Size: r.Cache.Size, NegativeTTL: r.Cache.NegativeTTL.D()}
	p.parityConfig(&cfg)
	secrets, err := p.Secrets(getenv)
	if err != nil {
		return cfg, err
	}
	cfg.Secrets = secrets
	return cfg, nil
}

// DSN reads the store's connection string from the environment ("" when the
// profile names no store).
func (p *Profile) DSN(getenv func(string) string) (string, error) {
	if p.Store.DSNEnv == "" {
		return "", nil
	}
	v := getenv(p.Store.DSNEnv)
	if v == "" {
		return "", fmt.Errorf("%s: store variable %s is not set", p.Source, p.Store.DSNEnv)
	}
	return v, nil
}

// StoreOptions fills the store options the store section names (layout,
// mapping, Redis prefix, pool size) where opts, from flags, left them
// unset: flags override the profile.
func (p *Profile) StoreOptions(opts store.Options) store.Options {
	if opts.Schema == "" {
		opts.Schema = p.Store.Schema
	}
	if opts.Prefix == "" {
		opts.Prefix = p.Store.KeyPrefix
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = p.Store.PoolSize
	}
	if len(opts.Mapping) == 0 {
		opts.Mapping = p.Store.Mapping
	}
	return opts
}
