package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
)

// runMint encodes claims (a JSON object on stdin) into an Auth.js session
// cookie with the current secret, chunked as Auth.js chunks it.
func runMint(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "mint", "mint [flags] < claims.json")
	var f resolveFlags
	fs.StringVar(&f.profile, "profile", "", "profile `name` or file (flags override it)")
	fs.StringVar(&f.url, "url", "", "Auth.js base `URL` (default $AUTH_URL); https selects __Secure- cookies")
	fs.StringVar(&f.cookieName, "cookie-name", "", "session cookie `name` (default authjs.session-token, __Secure- on https)")
	fs.Var(&f.maxAge, "max-age", "token `lifetime`: seconds or a Go duration (default 2592000, 30 days)")
	fs.Var(&f.now, "now", "fixed clock for iat/exp: Unix seconds or an RFC 3339 `time`")
	fs.BoolVar(&f.legacyV4, "legacy-v4", false, "mint a next-auth v4 token (next-auth.session-token, A256GCM)")
	fs.StringVar(&f.engine, "engine", "", "session `engine`: authjs (claims on stdin) or better-auth (a session token on stdin, signed into its session_token cookie)")
	format := fs.String("format", "cookie", "output: cookie (a Cookie header value), set-cookie (Set-Cookie lines) or token (the bare JWE)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *format {
	case "cookie", "set-cookie", "token":
	default:
		return usagef("--format %q: want cookie, set-cookie or token", *format)
	}
	if name, err := f.engineName(env); err != nil || name != engine.AuthJS {
		if err != nil {
			return err
		}
		return mintBetterAuth(env, &f, name, *format)
	}
	cfg, _, err := f.config(env)
	if err != nil {
		return err
	}
	if len(cfg.Secrets) == 0 {
		return usagef("minting needs AUTH_SECRET (or AUTH_SECRET_1..3)")
	}
	clock := f.clock()
	var claims resolver.Claims
	dec := json.NewDecoder(io.LimitReader(env.stdin, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return usagef("stdin: want a JSON object of claims, e.g. {\"sub\":\"1\",\"name\":\"Ada\"}")
	}
	codec, err := resolver.NewTokenCodec(cfg) // the configured codec (jwe or jws), as refresh uses
	if err != nil {
		return usageError{err}
	}
	now := clock()
	tok, err := codec.Encode(claims, now, cfg.JWTMaxAge)
	if err != nil {
		return err
	}
	if *format == "token" {
		_, err = fmt.Fprintln(env.stdout, tok)
		return err
	}
	chunk := resolver.ChunkCookies
	if cfg.LegacyV4 {
		chunk = resolver.ChunkCookiesLegacyV4 // next-auth v4 chunks at 3933 characters
	}
	cookies := chunk(cfg.SessionCookieName(), tok, now.Add(cfg.MaxAge), cfg.SecureCookies())
	if *format == "set-cookie" {
		for _, c := range cookies {
			if _, err := fmt.Fprintln(env.stdout, resolver.FormatSetCookie(c)); err != nil {
				return err
			}
		}
		return nil
	}
	pairs := make([]string, len(cookies))
	for i, c := range cookies {
		pairs[i] = c.Name + "=" + c.Value
	}
	_, err = fmt.Fprintln(env.stdout, strings.Join(pairs, "; "))
	return err
}
