package cli

import (
	"errors"
	"testing"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// X in the TUI: a profile allowing writes revokes every session of a user
// through the writable handle, and the engine's InvalidateUser drops the
// user's cached answers, so a session cached as live resolves as gone.
// A read_only profile refuses and changes nothing.
func TestTUIRevokeUserDeletesAndInvalidates(t *testing.T) {
	ctx := t.Context()
	dsn, before := seededSQLite(t)
	deps := sqliteDeps(t, dsn, false)
	eng, err := deps.Resolvers.Build(ctx, tui.Settings{Mode: resolver.ModeLocal, Strategy: resolver.StrategyDatabase, Cache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = eng.Close() }()
	if eng.InvalidateUser == nil {
		t.Fatal("a cached engine has no InvalidateUser")
	}
	resolve := func(row tui.SessionRow) resolver.Reason {
		t.Helper()
		res, err := eng.Resolver.Resolve(ctx, resolver.FromCookieHeader(eng.CookieName+"="+row.Token))
		if err != nil {
			t.Fatal(err)
		}
		return res.Reason
	}
	page, err := deps.Sessions.List(ctx, tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortUser, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// The user with the most live sessions, each now cached.
	live := map[string][]tui.SessionRow{}
	all := map[string]int{}
	var victim string
	for _, row := range page.Rows {
		all[row.UserID]++
		if resolve(row) == resolver.ReasonOK {
			live[row.UserID] = append(live[row.UserID], row)
			if len(live[row.UserID]) > len(live[victim]) {
				victim = row.UserID
			}
		}
	}
	if len(live[victim]) < 2 {
		t.Fatalf("no user with two live sessions in the seed")
	}
	n, err := deps.Sessions.RevokeUser(ctx, live[victim][0])
	if err != nil || n != all[victim] {
		t.Fatalf("RevokeUser = %d, %v; want %d", n, err, all[victim])
	}
	if after := storeCounts(t, dsn); after.Total != before.Total-n {
		t.Fatalf("store: before %+v, after %+v, revoked %d", before, after, n)
	}
	// The premise: the cache still answers for the deleted sessions.
	if got := resolve(live[victim][1]); got != resolver.ReasonOK {
		t.Fatalf("premise: a cached session resolved %s before invalidation", got)
	}
	eng.InvalidateUser(victim)
	for _, row := range live[victim] {
		if got := resolve(row); got == resolver.ReasonOK {
			t.Fatalf("a revoked session still resolves from the cache")
		}
	}

	// read_only: refused, store unchanged.
	ro := sqliteDeps(t, dsn, true)
	mid := storeCounts(t, dsn)
	var other tui.SessionRow
	for _, row := range page.Rows {
		if row.UserID != victim {
			other = row
			break
		}
	}
	if _, err := ro.Sessions.RevokeUser(ctx, other); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("RevokeUser on a read-only profile: %v", err)
	}
	if after := storeCounts(t, dsn); after != mid {
		t.Fatalf("a read-only profile changed the store: %+v → %+v", mid, after)
	}
}
