package resolver

import (
	"fmt"
	"net/url"
)

// Configuration from the environment, exactly as the deployment being
// mirrored reads it. Two readers exist and they differ:
//
// next-auth v5 (EnvNextAuth, lib/env.js setEnvDefaults, then core's):
//
//   - secret = AUTH_SECRET ?? NEXTAUTH_SECRET. JavaScript's ?? keeps a
//     variable that is set but empty, and a non-empty string makes core
//     skip its rotation list, so AUTH_SECRET_1..3 are read only when
//     neither AUTH_SECRET nor NEXTAUTH_SECRET is set (or the chosen one is
//     empty): core then builds [_3, _2, _1, AUTH_SECRET] from the
//     non-empty ones;
//   - basePath = the path of AUTH_URL ?? NEXTAUTH_URL, "/api/auth" when
//     that is unset, empty, "/" or not a URL (a trailing slash is kept);
//
// @auth/core alone (EnvAuthCore: Express, SvelteKit, Qwik, ...):
//
//   - secrets = [_3, _2, _1, AUTH_SECRET], each if non-empty; NEXTAUTH_*
//     are not read;
//   - basePath = AUTH_URL's path when AUTH_URL is non-empty ("/" stays
//     "/"), else "/auth" (integrations usually override it).
//
// Both:
//
//   - the request URL, which decides useSecureCookies, comes from
//     AUTH_URL ?? NEXTAUTH_URL when non-empty (createActionURL), so that
//     becomes Config.BaseURL; an unparsable one makes every request fail
//     in Auth.js, and ConfigFromEnv an error;
//   - trustHost = !!(AUTH_URL ?? AUTH_TRUST_HOST ?? VERCEL ?? CF_PAGES ??
//     NODE_ENV !== "production"): the first variable that is set decides
//     by being non-empty (AUTH_TRUST_HOST=false trusts), which becomes
//     Config.TrustForwardedProto. Auth.js answers 500 to every request
//     when it does not trust the host and has no AUTH_URL; a Go service
//     serves its own routes and only stops trusting X-Forwarded-Proto.
//
// testdata/authjs/vectors/config/env.json records both readers for each
// combination; config_vectors_test.go replays them.

// EnvFlavor names whose setEnvDefaults ConfigFromEnv reproduces.
type EnvFlavor string

// Environment readers.
const (
	EnvNextAuth EnvFlavor = "next-auth"
	EnvAuthCore EnvFlavor = "core"
)

// Valid reports whether f is a known reader ("" means EnvNextAuth).
func (f EnvFlavor) Valid() bool { return f == "" || f == EnvNextAuth || f == EnvAuthCore }

// LookupEnv reads one variable and says whether it is set (os.LookupEnv).
type LookupEnv func(string) (string, bool)

// Getenv adapts a getenv function, for which set-but-empty and unset are
// the same: such a variable counts as unset.
func Getenv(getenv func(string) string) LookupEnv {
	return func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}
}

// ConfigFromEnv returns the Config the environment describes for flavor
// ("" is EnvNextAuth): Secrets, BaseURL, BasePath and TrustForwardedProto.
// Everything else is left zero for the caller (or a profile) to set.
func ConfigFromEnv(lookup LookupEnv, flavor EnvFlavor) (Config, error) {
	if !flavor.Valid() {
		return Config{}, fmt.Errorf("resolver: environment reader %q: want next-auth or core", flavor)
	}
	var cfg Config
	cfg.Secrets = EnvSecrets(lookup, flavor)
	if u, ok := firstSet(lookup, "AUTH_URL", "NEXTAUTH_URL"); ok && u != "" {
		if absURL(u) == nil {
			return Config{}, fmt.Errorf("resolver: base URL %q (%s): want an absolute http(s) URL", RedactURL(u), envURLName(lookup))
		}
		cfg.BaseURL = u
	}
	cfg.BasePath = envBasePath(lookup, flavor)
	cfg.TrustForwardedProto = envTrustHost(lookup)
	return cfg, nil
}

// EnvSecrets is the secret list flavor's setEnvDefaults assembles (see
// the file comment), current first. For EnvAuthCore it is SecretsFromEnv.
func EnvSecrets(lookup LookupEnv, flavor EnvFlavor) []string {
	if flavor != EnvAuthCore {
		if s, ok := firstSet(lookup, "AUTH_SECRET", "NEXTAUTH_SECRET"); ok && s != "" {
			return []string{s}
		}
	}
	var out []string
	for _, n := range authSecretEnvs {
		if v, _ := lookup(n); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// firstSet is a ?? b: the first variable that is set, even to "".
func firstSet(lookup LookupEnv, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := lookup(n); ok {
			return v, true
		}
	}
	return "", false
}

func envURLName(lookup LookupEnv) string {
	if _, ok := lookup("AUTH_URL"); ok {
		return "AUTH_URL"
	}
	return "NEXTAUTH_URL"
}

func envBasePath(lookup LookupEnv, flavor EnvFlavor) string {
	if flavor == EnvAuthCore {
		if u, _ := lookup("AUTH_URL"); u != "" {
			if p := absURL(u); p != nil {
				return jsPathname(p)
			}
		}
		return "/auth"
	}
	u, _ := firstSet(lookup, "AUTH_URL", "NEXTAUTH_URL")
	p := absURL(u)
	if p == nil || jsPathname(p) == "/" {
		return DefaultBasePath
	}
	return jsPathname(p)
}

// absURL parses an absolute http(s) URL, as new URL(u) succeeds for the
// URLs Auth.js can use; nil otherwise.
func absURL(u string) *url.URL {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return nil
	}
	return p
}

// jsPathname is WHATWG URL's pathname for an http(s) URL: the escaped
// path, "/" when empty.
func jsPathname(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

func envTrustHost(lookup LookupEnv) bool {
	if v, ok := firstSet(lookup, "AUTH_URL", "AUTH_TRUST_HOST", "VERCEL", "CF_PAGES"); ok {
		return v != ""
	}
	env, _ := lookup("NODE_ENV")
	return env != "production"
}
