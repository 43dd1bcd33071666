package engine

import (
	"context"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// auto answers with the engine whose session cookie the request carries
// (see the package doc).
type auto struct {
	authjs, betterauth             resolver.Resolver
	authjsCookie, betterauthCookie string
}

// Resolve implements resolver.Resolver.
func (a *auto) Resolve(ctx context.Context, in resolver.Input) (resolver.Result, error) {
	hasBA, hasAJ := a.present(in.CookieHeader())
	if hasBA {
		res, err := a.betterauth.Resolve(ctx, in)
		res.Engine = string(BetterAuth)
		if err != nil || res.OK() || !hasAJ {
			return res, err
		}
	}
	res, err := a.authjs.Resolve(ctx, in)
	res.Engine = string(AuthJS)
	return res, err
}

// present reports which engines' session cookies the header names: Better
// Auth's session_token, Auth.js's session cookie or one of its chunks
// (name.0, name.1, …).
func (a *auto) present(header string) (betterAuth, authJS bool) {
	for part := range strings.SplitSeq(header, ";") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.TrimSpace(name)
		switch {
		case name == a.betterauthCookie:
			betterAuth = true
		case name == a.authjsCookie || isChunk(name, a.authjsCookie):
			authJS = true
		}
	}
	return betterAuth, authJS
}

func isChunk(name, base string) bool {
	rest, ok := strings.CutPrefix(name, base+".")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Engines returns the resolvers behind r when it is an auto engine.
func Engines(r resolver.Resolver) (authJS, betterAuth resolver.Resolver, ok bool) {
	a, ok := r.(*auto)
	if !ok {
		return nil, nil, false
	}
	return a.authjs, a.betterauth, true
}
