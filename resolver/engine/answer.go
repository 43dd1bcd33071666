package engine

import (
	"context"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// Answer is one resolution with what a Better-Auth-compatible endpoint
// sends when Better Auth answered.
type Answer struct {
	Result resolver.Result
	// Body is Better Auth's get-session body when Better Auth answered
	// with a session (nil otherwise). Exact says whether it is byte for
	// byte what the deployment sends (local resolution) or reduced to what
	// a generic session carries (proxy and cached answers; see
	// betterauth.FromResolverSession).
	Body  *betterauth.Session
	Exact bool
	// SetCookie are Better Auth's Set-Cookie lines, verbatim, when Exact.
	SetCookie []string
}

// Resolve resolves in with r (built by New) and keeps Better Auth's body:
// exact from a local Better Auth resolver, reduced otherwise. q are
// get-session's query flags, honoured on the local path.
func Resolve(ctx context.Context, r resolver.Resolver, in resolver.Input, q betterauth.Options) (Answer, error) {
	switch v := r.(type) {
	case tagged:
		return answer(ctx, v.Resolver, v.name, in, q)
	case *auto:
		hasBA, hasAJ := v.present(in.CookieHeader())
		if hasBA {
			a, err := answer(ctx, v.betterauth, BetterAuth, in, q)
			if err != nil || a.Result.OK() || !hasAJ {
				return a, err
			}
		}
		return answer(ctx, v.authjs, AuthJS, in, q)
	}
	res, err := r.Resolve(ctx, in) // Auth.js alone: resolver.New's own
	return Answer{Result: res}, err
}

func answer(ctx context.Context, r resolver.Resolver, name Name, in resolver.Input, q betterauth.Options) (Answer, error) {
	if ba, ok := r.(*betterauth.Resolver); ok {
		a, err := ba.ResolveBody(ctx, in, q)
		a.Result.Engine = string(name)
		return Answer{Result: a.Result, Body: a.Body, Exact: true, SetCookie: a.SetCookie}, err
	}
	res, err := r.Resolve(ctx, in)
	res.Engine = string(name)
	out := Answer{Result: res}
	if name == BetterAuth {
		out.Body = betterauth.FromResolverSession(res.Session)
	}
	return out, err
}
