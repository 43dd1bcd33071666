package demo

import (
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
)

// TestBetterAuthDemo: the demo-better-auth profile starts with no setup;
// the TUI's rows (raw tokens from the store) resolve locally and by proxy,
// revoking one in the store ends it, and every Better Auth load scenario
// answers its valid cookies.
func TestBetterAuthDemo(t *testing.T) {
	p, err := profiles.Find("demo-better-auth", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Start(t.Context(), p, func(k string) string {
		if k == benchtarget.SecretEnv {
			return "demo-test-secret"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.BetterAuth() {
		t.Fatal("profile demo-better-auth did not start Better Auth")
	}
	st := d.BetterAuthStore()
	c, err := st.Counts(t.Context(), store.CountQuery{Now: time.Now()})
	if err != nil || c.Total != 2*BetterAuthUsers || c.Expired != BetterAuthUsers {
		t.Fatalf("seeded counts %+v %v", c, err)
	}
	active, err := st.ListSessions(t.Context(), store.ListQuery{State: store.StateActive, Now: time.Now(), Limit: 2})
	if err != nil || len(active.Rows) != 2 {
		t.Fatalf("active rows %v %v", active.Rows, err)
	}
	resolveRow := func(mode resolver.Mode, token string) resolver.Result {
		r, cfg, err := d.BrowseResolver(mode, resolver.StrategyDatabase, false)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Resolve(t.Context(), resolver.FromPairs(cfg.SessionCookieName(), token))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	row := active.Rows[0]
	for _, mode := range []resolver.Mode{resolver.ModeLocal, resolver.ModeProxy} {
		if res := resolveRow(mode, row.Session.Token); !res.OK() || res.Session.User.ID != row.Session.UserID || res.Engine != "better-auth" {
			t.Fatalf("%s: %s (%v) engine %q", mode, res.Reason, res.Err, res.Engine)
		}
	}
	if err := st.RevokeSession(t.Context(), row.Session.Token); err != nil {
		t.Fatal(err)
	}
	if res := resolveRow(resolver.ModeLocal, row.Session.Token); res.OK() || res.Reason != resolver.ReasonUnknownSession {
		t.Fatalf("revoked session: %s", res.Reason)
	}
	lps := d.LoadProfiles()
	if len(lps) == 0 {
		t.Fatal("no load profiles")
	}
	cfg, targets, done, err := lps[len(lps)-1].Targets(t.Context(), tui.Settings{}, lps[len(lps)-1].Config)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	for _, sc := range cfg.Scenarios {
		pop := targets.Populations[sc.Name].(bench.StaticPopulation)
		o, err := targets.InProc[sc.Name].Do(t.Context(), pop.Valid[len(pop.Valid)-1])
		if err != nil || o.Reason != string(resolver.ReasonOK) {
			t.Errorf("%s: %s (%v)", sc.Name, o.Reason, err)
		}
	}
}
