package benchtarget

import (
	"context"
	"errors"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
)

// ResolverTarget adapts a resolver to bench: one resolution per request,
// labelled with its reason; store and upstream failures are errors.
func ResolverTarget(r resolver.Resolver, mode resolver.Mode) bench.Target {
	return bench.TargetFunc(func(ctx context.Context, cookie string) (bench.Outcome, error) {
		res, err := r.Resolve(ctx, resolver.FromCookieHeader(cookie))
		if err != nil {
			return bench.Outcome{Reason: "error"}, err
		}
		o := bench.Outcome{
			Reason:   string(res.Reason),
			CacheHit: res.Source == "cache",
			Upstream: mode == resolver.ModeProxy && res.Source != "cache",
		}
		switch res.Reason {
		case resolver.ReasonStoreError, resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody,
			resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamError, resolver.ReasonCanceled:
			if res.Err == nil {
				return o, errors.New(string(res.Reason))
			}
			return o, res.Err
		}
		return o, nil
	})
}
