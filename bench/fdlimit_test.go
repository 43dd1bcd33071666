package bench

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestValidateRefusesUnschedulableRates: `bench --rate 1e12` ran its whole
// duration and reported nothing. A rate (or a schedule step, ramps
// included) above MaxRate is a validation error, so the CLI exits 2.
func TestValidateRefusesUnschedulableRates(t *testing.T) {
	spec := []ScenarioSpec{{Name: "x"}}
	ok := Config{Rate: MaxRate, Duration: Duration(time.Second), Scenarios: spec}.WithDefaults()
	if err := ok.Validate(); err != nil {
		t.Errorf("MaxRate refused: %v", err)
	}
	for _, c := range []Config{
		{Rate: 1e12, Duration: Duration(time.Second), Scenarios: spec},
		{Rate: MaxRate + 1, Duration: Duration(time.Second), Scenarios: spec},
		{Schedule: Schedule{{Duration: Duration(time.Second), Rate: 10, To: 1e12}}, Scenarios: spec},
		{Schedule: Schedule{{Duration: Duration(time.Second), Rate: 10}, {Duration: Duration(time.Second), Rate: 2e6}}, Scenarios: spec},
	} {
		err := c.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), "the most the generator can schedule") || strings.Contains(err.Error(), "\n") {
			t.Errorf("rate %v schedule %v: %v, want one line refusing the rate", c.Rate, c.Schedule, err)
		}
	}
}

func TestConnBudget(t *testing.T) {
	for _, c := range []struct {
		soft, open uint64
		want       int
	}{
		{20000, 40, (20000 - 40 - fdReserve) / 2},
		{1024, 900, minConns}, // nearly exhausted: still a few to measure with
		{256, 300, minConns},
	} {
		if got := connBudget(c.soft, c.open); got != c.want {
			t.Errorf("connBudget(%d, %d) = %d, want %d", c.soft, c.open, got, c.want)
		}
	}
	if fileBudget() < minConns && fileBudget() != 0 {
		t.Errorf("fileBudget %d", fileBudget())
	}
}

// TestRunBoundsHTTPConnections: an open-model run against a slow HTTP
// target grows its workers, each with a connection, until descriptors run
// out. With a budget of three connections the target never sees a fourth,
// and every request is still answered (they wait for a connection).
func TestRunBoundsHTTPConnections(t *testing.T) {
	const budget = 3
	var mu sync.Mutex
	open, most := 0, 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond) // slow: 1000/s would need ~20 connections
		w.Write([]byte("null"))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew:
			open++
			most = max(most, open)
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	srv.Start()
	defer srv.Close()
	cfg := Config{Rate: 1000, Duration: Duration(time.Minute), MaxRequests: 100,
		Scenarios: []ScenarioSpec{{Name: "slow", Mode: "proxy", Via: ViaHTTP, URL: srv.URL}}}
	ch, err := Run(t.Context(), cfg, Targets{}, func(o *runOptions) { o.conns = budget })
	if err != nil {
		t.Fatal(err)
	}
	var last Snapshot
	for s := range ch {
		last = s
	}
	if s := last.Report.Scenarios[0]; s.Requests != 100 || s.Succeeded != 100 {
		t.Errorf("requests %d succeeded %d (%v), want 100 answered", s.Requests, s.Succeeded, s.Reasons)
	}
	mu.Lock()
	defer mu.Unlock()
	if most > budget {
		t.Errorf("the target saw %d connections at once, want at most %d", most, budget)
	}
}
