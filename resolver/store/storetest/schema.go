package storetest

import (
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/google/go-cmp/cmp"
)

// testSchemaUnchanged is the promise that a store opened to read sessions
// never changes a schema: the catalog (tables, columns, indexes, triggers,
// collections, server settings: whatever Harness.Catalog dumps) is byte
// for byte the same after the store is opened again and used as resolve,
// serve and the TUI use it, Auth.js's own row changes included (an expired
// session pruned, a due one extended, one revoked).
func testSchemaUnchanged(t *testing.T, h Harness) {
	if h.Catalog == nil || h.Reopen == nil {
		t.Skip("the harness has no catalog dump")
	}
	s := h.Store
	ctx := t.Context()
	maxAge, updateAge := resolver.DefaultMaxAge, resolver.DefaultUpdateAge
	u := UserID(s, 1)
	Put(t, s, []resolver.StoredUser{{ID: u, Name: ptr("Ünïcode Üser"), Email: ptr("u@example.org")}}, []resolver.StoredSession{
		{Token: "fresh", UserID: u, Expires: Now.Add(maxAge)},
		{Token: "due", UserID: u, Expires: Now.Add(maxAge - updateAge)},
		{Token: "expired", UserID: u, Expires: Now.Add(-time.Second)},
		{Token: "revoked", UserID: u, Expires: Now.Add(maxAge)},
	})
	before := h.Catalog(t)
	st := h.Reopen(t)
	r, err := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase},
		resolver.WithStore(st), resolver.WithClock(func() time.Time { return Now }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"fresh", "due", "expired", "unknown"} {
		if _, err := r.Resolve(ctx, resolver.FromPairs(resolver.DefaultCookieName, tok)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ListSessions(ctx, store.ListQuery{Filter: "üser", Now: Now, State: store.StateActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Counts(ctx, store.CountQuery{Now: Now, Filter: "ÜSER"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	if sess, _, err := st.SessionAndUser(ctx, "expired"); err != nil || sess != nil {
		t.Fatalf("the expired session was not pruned (%v): the exercise did not run", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, h.Catalog(t)); diff != "" {
		t.Errorf("reading sessions changed the schema (-before +after):\n%s", diff)
	}
}
