package server

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// TestBackendWatch: one line per change of state, none per request, at
// most one change per interval, and answers that did not involve the
// backend change nothing.
func TestBackendWatch(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1000, 0)
	w := newBackendWatch(slog.New(slog.NewTextHandler(&buf, nil)))
	w.now = func() time.Time { return now }
	down := resolver.Result{Reason: resolver.ReasonUpstreamError, Source: "upstream", Err: errors.New("connection refused")}
	up := resolver.Result{Reason: resolver.ReasonUpstreamNull, Source: "upstream"}
	step := func(d time.Duration, rs ...resolver.Result) string {
		now = now.Add(d)
		buf.Reset()
		for _, r := range rs {
			w.observe(r)
		}
		return buf.String()
	}
	if got := step(0, up, up); got != "" {
		t.Errorf("healthy start logged %q", got)
	}
	if got := step(time.Second, down, down, down); strings.Count(got, "\n") != 1 || !strings.Contains(got, "level=WARN") || !strings.Contains(got, "upstream failing") || !strings.Contains(got, "connection refused") {
		t.Errorf("going down: %q; want one warning with the error", got)
	}
	if got := step(time.Second, up, resolver.Result{Reason: resolver.ReasonOK, Source: "cache"}); got != "" {
		t.Errorf("recovery within the interval logged %q", got)
	}
	if got := step(0, resolver.Result{Reason: resolver.ReasonNoCookie, Source: "upstream"}, resolver.Result{Reason: resolver.ReasonCanceled, Source: "upstream"}); got != "" {
		t.Errorf("answers not involving the upstream logged %q", got)
	}
	if got := step(10*time.Second, up, up); strings.Count(got, "\n") != 1 || !strings.Contains(got, "upstream answering again") {
		t.Errorf("recovery after the interval: %q; want one line", got)
	}
	if got := step(time.Minute, resolver.Result{Reason: resolver.ReasonStoreError, Source: "database"}); !strings.Contains(got, "session store failing") {
		t.Errorf("store failure: %q", got)
	}
}
