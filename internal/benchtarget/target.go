package benchtarget

import (
	"context"
	"errors"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
)

// ResolverTarget adapts a resolver to bench: one resolution per request,
// labelled with its reason; store and upstream failures are errors. A
// cached resolver's target is a bench.Resetter, so a capacity search
// empties the cache before each probe and every probe warms its own.
func ResolverTarget(r resolver.Resolver, mode resolver.Mode) bench.Target {
	do := resolverDo(r, mode)
	if c, ok := r.(interface{ InvalidateAll() }); ok {
		return cachedTarget{TargetFunc: do, reset: c.InvalidateAll}
	}
	return do
}

// cachedTarget is a cached resolver's target: bench.Resetter empties it.
type cachedTarget struct {
	bench.TargetFunc
	reset func()
}

// Reset implements bench.Resetter.
func (t cachedTarget) Reset(context.Context) error {
	t.reset()
	return nil
}

func resolverDo(r resolver.Resolver, mode resolver.Mode) bench.TargetFunc {
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
