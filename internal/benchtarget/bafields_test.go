package benchtarget

import (
	"context"
	"testing"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// The bench's Better Auth configuration carries the profile's
// additionalFields, returned:false as Hidden, as resolve and serve's do,
// and the seeded scenarios still resolve with them.
func TestBetterAuthBenchAppliesAdditionalFields(t *testing.T) {
	p := *demoProfile(t)
	no := false
	p.Store.BetterAuth.UserExtra = []profiles.BetterAuthExtra{{Name: "role", Type: "string"}, {Name: "secretNote", Type: "string", Returned: &no}}
	p.Store.BetterAuth.SessionExtra = []profiles.BetterAuthExtra{{Name: "impersonatedBy", Type: "string", Returned: &no}}
	cfg := CompareConfig()
	cfg.Population.Sessions = 2
	cfg.Scenarios = []bench.ScenarioSpec{{Name: "ba-db", Mode: "local", Strategy: StrategyBADatabase}}
	cfg.Baseline = "ba-db"
	s, err := NewSetup(context.Background(), cfg, Options{Profile: &p, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := []betterauth.AdditionalField{{Name: "role", Type: "string"}, {Name: "secretNote", Type: "string", Hidden: true}}
	if got := s.ba.cfg.UserFields; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("user fields %+v", got)
	}
	if got := s.ba.cfg.SessionFields; len(got) != 1 || !got[0].Hidden {
		t.Fatalf("session fields %+v", got)
	}
	pop := s.Targets.Populations["ba-db"].(bench.StaticPopulation)
	o, err := s.Targets.InProc["ba-db"].Do(context.Background(), pop.Valid[0])
	if err != nil || o.Reason != string(resolver.ReasonOK) {
		t.Fatalf("ba-db with additionalFields: %s %v", o.Reason, err)
	}
}
