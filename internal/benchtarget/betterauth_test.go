package benchtarget

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
)

func demoProfile(t *testing.T) *profiles.Profile {
	t.Helper()
	p, err := profiles.Find("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBetterAuthScenarios: the ba-* scenarios' populations resolve as
// labelled through their targets, the cookie cache scenario from the cache,
// the proxy one through the loopback get-session.
func TestBetterAuthScenarios(t *testing.T) {
	cfg := CompareConfig()
	cfg.Population.Sessions = 5
	cfg.Scenarios = append(BetterAuthScenarios(), bench.ScenarioSpec{Name: "ba-db-http", Mode: "local", Strategy: StrategyBADatabase, Via: bench.ViaHTTP})
	cfg.Baseline = "ba-db"
	s, err := NewSetup(context.Background(), cfg, Options{Profile: demoProfile(t), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"ba-db", "ba-cookie-cache", "ba-proxy"} {
		pop := s.Targets.Populations[name].(bench.StaticPopulation)
		target := s.Targets.InProc[name]
		if len(pop.Valid) != 5 || len(pop.Expired) != 5 || len(pop.Tampered) != 5 {
			t.Fatalf("%s: population %d/%d/%d", name, len(pop.Valid), len(pop.Expired), len(pop.Tampered))
		}
		wantExpired, wantTampered := resolver.ReasonExpired, resolver.ReasonWrongKey
		if name == "ba-proxy" {
			wantExpired, wantTampered = resolver.ReasonUpstreamNull, resolver.ReasonUpstreamNull
		}
		for _, c := range []struct {
			cookies []string
			reason  resolver.Reason
		}{{pop.Valid, resolver.ReasonOK}, {pop.Expired, wantExpired}, {pop.Tampered, wantTampered}} {
			for _, cookie := range c.cookies {
				o, err := target.Do(context.Background(), cookie)
				if err != nil || o.Reason != string(c.reason) {
					t.Errorf("%s: want %s, got %s (%v)", name, c.reason, o.Reason, err)
				}
				if name == "ba-proxy" && !o.Upstream {
					t.Errorf("ba-proxy answer not counted as upstream")
				}
			}
		}
		if name == "ba-cookie-cache" && !strings.Contains(pop.Valid[0], "better-auth.session_data=") {
			t.Errorf("cookie cache population lacks the cache cookie: %.60s", pop.Valid[0])
		}
	}
	// The HTTP scenario answers get-session with bench's outcome headers.
	var url string
	for _, sc := range s.Config.Scenarios {
		if sc.Name == "ba-db-http" {
			url = sc.URL
		}
	}
	if !strings.HasSuffix(url, "/api/auth/get-session") {
		t.Fatalf("http scenario URL %q", url)
	}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Cookie", s.Targets.Populations["ba-db-http"].(bench.StaticPopulation).Valid[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(bench.HeaderReason) != string(resolver.ReasonOK) {
		t.Fatalf("http scenario: %d reason %q", resp.StatusCode, resp.Header.Get(bench.HeaderReason))
	}
}
