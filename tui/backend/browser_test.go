package backend

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
	"github.com/authscope/authscope/tui"
)

// seededStore is a real SQLite store with n sessions.
func seededStore(tb testing.TB, n int) *sqlitestore.Store {
	tb.Helper()
	st, err := sqlitestore.Open(tb.Context(), filepath.Join(tb.TempDir(), "s.db"), sqlitestore.Options{CreateIfEmpty: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	if _, err := store.Seed(tb.Context(), st, store.SeedOptions{Users: max(n/2, 1), Sessions: n, Seed: 7, Now: testNow}); err != nil {
		tb.Fatal(err)
	}
	return st
}

// TestBrowserSourceWindowsMatchAFullListing: every window, reached from
// remembered cursors or backwards from the end, is the same slice of the
// one forward listing, for each sort and with a filter.
func TestBrowserSourceWindowsMatchAFullListing(t *testing.T) {
	st := seededStore(t, 2500)
	for _, tc := range []struct {
		sort   tui.SortKey
		filter string
	}{{tui.SortExpires, ""}, {tui.SortUser, ""}, {tui.SortExpires, "example.org"}, {tui.SortActive, ""}, {tui.SortActive, "example.org"},
		{tui.SortExpiresLatest, ""}, {tui.SortExpiresLatest, "example.org"}} {
		t.Run(fmt.Sprintf("%s/%q", tc.sort, tc.filter), func(t *testing.T) {
			src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
			q := tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tc.sort, Filter: tc.filter, Limit: 10_000}
			all, err := src.List(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if all.Total != len(all.Rows) || all.Total == 0 {
				t.Fatalf("full listing: %d rows of %d", len(all.Rows), all.Total)
			}
			if st := all.States; st == nil || st.Active+st.Expired != all.Total || st.Due > st.Active || st.Expired == 0 {
				t.Fatalf("state counts %+v for %d sessions", all.States, all.Total)
			}
			for _, off := range []int{0, 1, 999, 1000, 1001, all.Total / 2, all.Total - 100, all.Total - 1, 1500, 10} {
				if off >= all.Total {
					continue
				}
				q.Offset, q.Limit = off, 60
				page, err := src.List(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				end := min(off+60, all.Total)
				if diff := cmp.Diff(keys(all.Rows[off:end]), keys(page.Rows)); diff != "" {
					t.Fatalf("window at %d (-want +got):\n%s", off, diff)
				}
			}
			q.Offset = all.Total
			if page, err := src.List(t.Context(), q); err != nil || len(page.Rows) != 0 {
				t.Fatalf("past the end: %d rows, %v", len(page.Rows), err)
			}
		})
	}
}

func TestBrowserSourceRevokeForgetsCursors(t *testing.T) {
	st := seededStore(t, 1200)
	src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
	q := tui.ListQuery{Strategy: resolver.StrategyDatabase, Offset: 1100, Limit: 10}
	if _, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Offset: 0, Limit: 1200}); err != nil {
		t.Fatal(err)
	}
	before, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Offset: 0, Limit: 1}) // first row
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Revoke(t.Context(), before.Rows[0]); err != nil {
		t.Fatal(err)
	}
	after, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Limit: 2000})
	if err != nil {
		t.Fatal(err)
	}
	page, err := src.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keys(after.Rows[1100:1110]), keys(page.Rows)); diff != "" {
		t.Fatalf("window after a revocation (-want +got):\n%s", diff)
	}
	if err := src.Revoke(t.Context(), before.Rows[0]); err == nil {
		t.Fatal("revoking twice succeeded")
	}
}

// BenchmarkBrowserSourceWindow lists a 108-row window of a 100,000-session
// SQLite store: near the top, deep in the middle (cursors remembered from
// earlier pages) and at the bottom (listed backwards).
func BenchmarkBrowserSourceWindow(b *testing.B) {
	st := seededStore(b, 100_000)
	for _, off := range []int{0, 50_000, 99_892} {
		b.Run(fmt.Sprintf("offset=%d", off), func(b *testing.B) {
			src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
			q := tui.ListQuery{Strategy: resolver.StrategyDatabase, Offset: off, Limit: 108}
			if _, err := src.List(b.Context(), q); err != nil { // warm: remember cursors
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := src.List(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBrowserSourceFiltersShownText: with Shown, a store listing is
// filtered on the shown text, never on the raw values the store holds.
func TestBrowserSourceFiltersShownText(t *testing.T) {
	st := seededStore(t, 1500)
	src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
	red := resolver.NewRedactor(resolver.RedactOptions{Key: []byte("k")})
	all, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	victim := all.Rows[all.Total/2]
	first := strings.ToLower(strings.Fields(victim.Name)[0])
	q := tui.ListQuery{Strategy: resolver.StrategyDatabase, Filter: first, Shown: shownText(red), Limit: 10_000}
	if raw, _ := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Filter: first, Limit: 10}); raw.Total == 0 {
		t.Fatalf("the raw filter %q should match (the test's premise)", first)
	}
	if page, err := src.List(t.Context(), q); err != nil || page.Total != 0 {
		t.Fatalf("a hidden first name %q matched %d rows (%v)", first, page.Total, err)
	}
	fp := red.Fingerprint(victim.Token)
	q.Filter = fp[:6]
	page, err := src.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total < 1 || !slices.ContainsFunc(page.Rows, func(r tui.SessionRow) bool { return r.Key == victim.Key }) {
		t.Fatalf("fingerprint prefix %s: %d rows, victim missing", fp[:6], page.Total)
	}
	if st := page.States; st == nil || st.Active+st.Expired != page.Total {
		t.Fatalf("state counts %+v for %d", page.States, page.Total)
	}
	q.Filter, q.Offset, q.Limit = "@example.org", 5, 7
	page, err = src.List(t.Context(), q)
	if err != nil || len(page.Rows) != 7 {
		t.Fatalf("window: %d rows, %v", len(page.Rows), err)
	}
	for _, r := range page.Rows {
		if !strings.HasSuffix(r.Email, "@example.org") {
			t.Fatalf("row %s outside the filter", r.Email)
		}
	}
}

// BrowserSource.RevokeUser deletes the user's sessions in the store, and
// only theirs, and lists afresh afterwards.
func TestBrowserSourceRevokeUser(t *testing.T) {
	st := seededStore(t, 600)
	src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
	all, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortUser, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// The user with the most sessions.
	per := map[string]int{}
	var victim tui.SessionRow
	for _, r := range all.Rows {
		if per[r.UserID]++; per[r.UserID] > per[victim.UserID] {
			victim = r
		}
	}
	if per[victim.UserID] < 2 {
		t.Fatalf("no user has two sessions in the seed: %v", per[victim.UserID])
	}
	n, err := src.RevokeUser(t.Context(), victim)
	if err != nil || n != per[victim.UserID] {
		t.Fatalf("RevokeUser = %d, %v; want %d", n, err, per[victim.UserID])
	}
	after, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortUser, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != all.Total-n || slices.ContainsFunc(after.Rows, func(r tui.SessionRow) bool { return r.UserID == victim.UserID }) {
		t.Fatalf("after: %d rows of %d, victim's still listed?", after.Total, all.Total)
	}
	if _, err := src.RevokeUser(t.Context(), tui.SessionRow{Key: "x"}); !errors.Is(err, errNoUser) {
		t.Fatalf("a row without a user: %v", err)
	}
	src.SetRevokeUser(func(_ context.Context, _ string) (int, error) { return 0, resolver.ErrReadOnly })
	if _, err := src.RevokeUser(t.Context(), after.Rows[0]); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("SetRevokeUser not used: %v", err)
	}
}

// A store cannot order by name or e-mail: BrowserSource does not offer
// those sorts, and refuses to list in them rather than walk every row.
func TestBrowserSourceSortsOnlyWhatTheStoreCan(t *testing.T) {
	src := NewBrowserSource(seededStore(t, 50), func() time.Time { return testNow }, 0, 0)
	want := []tui.SortKey{tui.SortActive, tui.SortExpires, tui.SortExpiresLatest, tui.SortUser}
	if got := src.Sorts(resolver.StrategyDatabase); !slices.Equal(got, want) {
		t.Fatalf("store sorts = %v, want %v", got, want)
	}
	for _, k := range []tui.SortKey{tui.SortName, tui.SortEmail} {
		if _, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: k, Limit: 10}); !errors.Is(err, tui.ErrNotSupported) {
			t.Fatalf("listing a store by %s: %v", k, err)
		}
	}
}

// With Shown, the user sort orders a store's sessions by the user key the
// list shows, not by the user id it hides: every session, each user's
// together, the keys ascending.
func TestBrowserSourceSortsUsersAsShown(t *testing.T) {
	st := seededStore(t, 600)
	src := NewBrowserSource(st, func() time.Time { return testNow }, 0, 0)
	shown := shownText(resolver.NewRedactor(resolver.RedactOptions{Key: []byte("k")}))
	raw, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortUser, Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	q := tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortUser, Shown: shown, Limit: 10_000}
	all, err := src.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != raw.Total || len(all.Rows) != all.Total {
		t.Fatalf("%d rows of %d, want all %d", len(all.Rows), all.Total, raw.Total)
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(keys(raw.Rows))), slices.Sorted(slices.Values(keys(all.Rows)))); diff != "" {
		t.Fatalf("not the same sessions (-raw +shown):\n%s", diff)
	}
	userKey := func(r tui.SessionRow) string { return strings.Split(shown(r), "\x00")[3] }
	if !slices.IsSortedFunc(all.Rows, func(a, b tui.SessionRow) int { return strings.Compare(userKey(a), userKey(b)) }) {
		t.Fatal("not ordered by the shown user key")
	}
	if slices.IsSortedFunc(raw.Rows, func(a, b tui.SessionRow) int { return strings.Compare(userKey(a), userKey(b)) }) {
		t.Fatal("setup: the store's user-id order is the shown order already; the test proves nothing")
	}
	q.Offset, q.Limit = 100, 60
	page, err := src.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keys(all.Rows[100:160]), keys(page.Rows)); diff != "" {
		t.Fatalf("window at 100 (-want +got):\n%s", diff)
	}
}
