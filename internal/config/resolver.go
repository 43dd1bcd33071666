package config

import (
	"time"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
)

// Flags are the resolver flags a command was given; zero values mean
// "not given" and leave the layer below as it is.
type Flags struct {
	Profile    string // a profile name or file
	Mode       string
	Strategy   string
	URL        string
	BasePath   string
	CookieName string
	MaxAge     time.Duration
	LegacyV4   bool
	ReadOnly   bool
}

// Layer is a command's own adjustment, applied after the flags and before
// validation. An error stops the layering and is returned as is.
type Layer func(*resolver.Config) error

// Options tune Resolver.
type Options struct {
	// NoKey accepts a jwt configuration without a secret, for uses that
	// never decode (resolve --output raw only reassembles the cookie).
	NoKey bool
	// Layers run in order after the flags.
	Layers []Layer
}

// Resolver layers the resolver configuration (profile, environment,
// flags, then opts.Layers), fills the defaults and validates the result
// once. The profile is returned too (nil without one): commands read its
// store and redaction sections. Errors are the profile's (file:line: key:
// problem), a layer's, or the configuration's own (resolver.ConfigError).
func Resolver(getenv func(string) string, f Flags, opts Options) (resolver.Config, *profiles.Profile, error) {
	cfg, p, err := base(getenv, f.Profile)
	if err != nil {
		return cfg, nil, err
	}
	f.apply(&cfg)
	for _, l := range opts.Layers {
		if err := l(&cfg); err != nil {
			return cfg, nil, err
		}
	}
	cfg = cfg.WithDefaults()
	check := cfg
	if opts.NoKey && len(check.Secrets) == 0 {
		// Validate everything but the key: a stand-in satisfies the jwt
		// strategy's requirement, in a copy that is then dropped.
		check.Secrets = []string{"unused"}
	}
	if err := check.Validate(); err != nil {
		return cfg, nil, err
	}
	return cfg, p, nil
}

// base is the bottom layers: the profile, whose environment variables
// it reads itself, or Auth.js's own variables without one.
func base(getenv func(string) string, ref string) (resolver.Config, *profiles.Profile, error) {
	if ref == "" {
		return resolver.Config{Secrets: resolver.SecretsFromEnv(getenv), BaseURL: getenv("AUTH_URL")}, nil, nil
	}
	p, err := profiles.Find(ref, profiles.Dir(getenv))
	if err != nil {
		return resolver.Config{}, nil, err
	}
	cfg, err := p.ResolverConfig(getenv)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, p, nil
}

// apply overrides cfg with the flags given.
func (f Flags) apply(cfg *resolver.Config) {
	if f.Mode != "" {
		cfg.Mode = resolver.Mode(f.Mode)
	}
	if f.Strategy != "" {
		cfg.Strategy = resolver.Strategy(f.Strategy)
	}
	if f.URL != "" {
		cfg.BaseURL = f.URL
	}
	if f.BasePath != "" {
		cfg.BasePath = f.BasePath
	}
	if f.CookieName != "" {
		cfg.CookieName = f.CookieName
	}
	if f.MaxAge > 0 {
		cfg.MaxAge = f.MaxAge
	}
	if f.LegacyV4 {
		cfg.LegacyV4 = true
	}
	if f.ReadOnly {
		cfg.ReadOnly = true
	}
}
