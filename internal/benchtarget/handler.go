package benchtarget

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
)

// SessionHandler serves GET {basePath}/session from r with the
// resolver's Auth.js handler (what `authscope serve` serves). With outcome
// it adds the bench.Header* headers (reason, cache, upstream) so an HTTP run
// counts reasons as an in-process one does: the handler's observer sees
// each Result before the answer's headers are written. latency and jitter
// delay each answer to model a network hop.
func SessionHandler(r resolver.Resolver, cfg resolver.Config, latency, jitter time.Duration, outcome bool) http.Handler {
	var opts []resolver.HandlerOption
	if outcome {
		opts = append(opts, resolver.WithObserver(outcomeHeaders))
	}
	h := resolver.NewHandler(r, cfg, opts...)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if d := latency + time.Duration(mrand.Int64N(int64(jitter)+1)); d > 0 {
			time.Sleep(d)
		}
		if outcome {
			req = withWriter(req, w)
		}
		h.ServeHTTP(w, req)
	})
}

// writerKey carries the ResponseWriter to the resolver's observer, which
// sees each Result before the answer's headers are written.
type writerKey struct{}

func withWriter(req *http.Request, w http.ResponseWriter) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), writerKey{}, w))
}

// outcomeHeaders adds the bench.Header* headers (reason, cache, upstream)
// for res to the answer of req.
func outcomeHeaders(req *http.Request, res resolver.Result, _ time.Duration) {
	w, ok := req.Context().Value(writerKey{}).(http.ResponseWriter)
	if !ok {
		return
	}
	h := w.Header()
	h.Set(bench.HeaderReason, string(res.Reason))
	if res.Source == "cache" {
		h.Set(bench.HeaderCache, "hit")
	}
	if res.Source == "upstream" {
		h.Set(bench.HeaderUpstream, "1")
	}
}
