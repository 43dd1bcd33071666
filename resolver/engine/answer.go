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
	// with a session (nil otherwise): the deployment's own, byte for byte
	// once encoded, whether resolved locally, served from the result cache
	// or proxied (Raw then holds the upstream's bytes, which the endpoint
	// sends as they came).
	Body *betterauth.Session
	Raw  []byte
	// Exact says the answer was resolved locally just now: SetCookie are
	// then Better Auth's Set-Cookie lines, verbatim (cached and proxied
	// answers carry Result.SetCookies instead).
	Exact     bool
	SetCookie []string
}

// Resolve resolves in with r (built by New) and keeps Better Auth's body:
// exact whether resolved locally, cached or proxied; reduced only for a
// session without Better Auth's own form (FromResolverSession). q are
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
		var ok bool
		if out.Body, out.Raw, ok = betterauth.NativeBody(res.Session); !ok {
			out.Body = betterauth.FromResolverSession(res.Session)
		}
	}
	return out, err
}
