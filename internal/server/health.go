package server

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authscope/authscope/resolver"
)

// backendWatch turns per-request failures of what serve depends on (the
// upstream in proxy mode, the session store in database mode) into one
// log line per change of state at the default level: per-request lines
// are debug-only, so without this an unreachable upstream is silent at
// info. A flapping backend logs at most one change per interval; a change
// that is not logged is not recorded either, so the next request after the
// interval logs the state as it is then. Lines carry the reason and the
// resolver's error, which never contains tokens or cookies.
type backendWatch struct {
	logger   *slog.Logger
	interval time.Duration
	now      func() time.Time

	// state mirrors down for the lock-free check every request makes:
	// only a change of state takes mu.
	state atomic.Bool

	mu     sync.Mutex
	down   bool
	logged time.Time // when the last change was logged
}

func newBackendWatch(logger *slog.Logger) *backendWatch {
	return &backendWatch{logger: logger, interval: 10 * time.Second, now: time.Now}
}

// backendOf names the backend a result came from, or "" for answers that
// say nothing about one (cache hits, local JWT decoding, cancellations).
func backendOf(res resolver.Result) (name string, failed bool) {
	switch res.Reason {
	case resolver.ReasonUpstreamError, resolver.ReasonUpstreamTimeout, resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody:
		return "upstream", true
	case resolver.ReasonStoreError:
		return "session store", true
	case resolver.ReasonCanceled, resolver.ReasonNoCookie:
		// Nothing was asked of the backend (or we gave up first).
		return "", false
	}
	switch res.Source {
	case "upstream":
		return "upstream", false
	case "database":
		return "session store", false
	}
	return "", false
}

func (w *backendWatch) observe(res resolver.Result) {
	name, failed := backendOf(res)
	if name == "" || failed == w.state.Load() {
		return
	}
	w.mu.Lock()
	if failed == w.down {
		w.mu.Unlock()
		return
	}
	now := w.now()
	if !w.logged.IsZero() && now.Sub(w.logged) < w.interval {
		w.mu.Unlock()
		return
	}
	w.down, w.logged = failed, now
	w.state.Store(failed)
	w.mu.Unlock()
	if failed {
		attrs := []any{slog.String("reason", string(res.Reason))}
		if res.Err != nil {
			attrs = append(attrs, slog.String("error", res.Err.Error()))
		}
		w.logger.Warn(name+" failing; answering no session until it recovers", attrs...)
		return
	}
	w.logger.Info(name + " answering again")
}
