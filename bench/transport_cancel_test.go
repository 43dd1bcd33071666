package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunHTTPCancelEndsRequestsInFlight: cancelling a run ends HTTP
// requests in flight at once (their connections are closed), and those
// requests count as cancelled, not as errors.
func TestRunHTTPCancelEndsRequestsInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var calls atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := calls.Add(1); n >= 40 {
			if n == 40 {
				cancel()
			}
			select { // hang: only the cancel can end this request in time
			case <-release:
			case <-time.After(time.Minute):
			}
			return
		}
		w.Write([]byte(`{"user":{},"expires":"2030-01-01T00:00:00.000Z"}`))
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handlers
	cfg := Config{Rate: 200, Duration: Duration(time.Minute), Timeout: Duration(2 * time.Minute),
		Scenarios: []ScenarioSpec{{Name: "serve", Mode: "local", Via: ViaHTTP, URL: srv.URL + "/api/auth/session"}}}
	start := time.Now()
	rep, _ := Execute(ctx, cfg, Targets{})
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("run took %s: requests in flight outlived the cancel", d)
	}
	if rep == nil || !rep.Canceled {
		t.Fatalf("report %+v, want a cancelled one", rep)
	}
	s := rep.Scenarios[0]
	if s.Errors != 0 || s.Requests < 20 {
		t.Errorf("%d requests, %d errors (%v): want the ones before the cancel, none failed", s.Requests, s.Errors, s.Reasons)
	}
}
