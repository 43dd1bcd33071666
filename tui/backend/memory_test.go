package backend

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// BenchmarkListWindow measures one window fetch 50,000 rows deep, with and
// without a filter: what a scroll or a keystroke in the filter costs.
func BenchmarkListWindow(b *testing.B) {
	src := NewMemorySource(demoRows(100_000, resolver.StrategyJWT), false)
	for _, f := range []string{"", "grace.jones"} {
		b.Run("filter="+f, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Alternate filters so the match cache is exercised cold.
				q := tui.ListQuery{Filter: f, Offset: 5_000, Limit: 108}
				if i%2 == 1 && f != "" {
					q.Filter = f + "1"
				}
				i++
				if _, err := src.List(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// refOrder is the order ListQuery defines, written plainly: every row
// filtered and sorted afresh, ties by key (reversed where the order reads
// the expiry order backwards).
func refOrder(rows []tui.SessionRow, q tui.ListQuery) []tui.SessionRow {
	hay := func(r tui.SessionRow) string {
		if q.Shown != nil {
			return strings.ToLower(q.Shown(r))
		}
		return strings.ToLower(r.Email + "\x00" + r.Name + "\x00" + r.UserID)
	}
	text := func(r tui.SessionRow) string {
		if q.Shown == nil && q.Sort == tui.SortEmail {
			return strings.ToLower(r.Email)
		}
		if q.Shown == nil {
			return strings.ToLower(r.Name)
		}
		f := strings.SplitN(hay(r), "\x00", 3) // name, e-mail, fingerprint
		if q.Sort == tui.SortEmail {
			return f[1]
		}
		return f[0]
	}
	out := slices.DeleteFunc(slices.Clone(rows), func(r tui.SessionRow) bool {
		return !strings.Contains(hay(r), strings.ToLower(q.Filter))
	})
	byExpiry := func(a, b tui.SessionRow) int {
		return cmp.Or(a.Expires.Compare(b.Expires), strings.Compare(a.Key, b.Key))
	}
	slices.SortFunc(out, func(a, b tui.SessionRow) int {
		switch q.Sort {
		case tui.SortExpires:
			return byExpiry(a, b)
		case tui.SortExpiresLatest:
			return byExpiry(b, a)
		case tui.SortUser:
			return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.Key, b.Key))
		case tui.SortEmail, tui.SortName:
			return cmp.Or(strings.Compare(text(a), text(b)), strings.Compare(a.Key, b.Key))
		}
		aLive, bLive := !a.Expires.Before(q.Now), !b.Expires.Before(q.Now)
		switch {
		case aLive && !bLive:
			return -1
		case bLive && !aLive:
			return 1
		case aLive:
			return byExpiry(a, b)
		}
		return byExpiry(b, a)
	})
	return out
}

// Every window MemorySource lists, from its indexes and its match cache,
// is the same slice of the plainly computed order: each sort key, with and
// without a filter, on raw or shown text, with ties in expiry.
func TestMemorySourceWindowsMatchAPlainSort(t *testing.T) {
	rows := demoRows(1500, resolver.StrategyJWT) // > 720: expiries tie
	src := NewMemorySource(rows, false)
	shown := shownText(resolver.NewRedactor(resolver.RedactOptions{Key: []byte("k")}))
	for _, k := range src.Sorts(resolver.StrategyJWT) {
		for _, tc := range []struct {
			filter string
			shown  func(tui.SessionRow) string
		}{{"", nil}, {"grace", nil}, {"user-0001", nil}, {"", shown}, {"g•••", shown}} {
			q := tui.ListQuery{Sort: k, Filter: tc.filter, Shown: tc.shown, Now: testNow}
			want := refOrder(rows, q)
			for _, off := range []int{0, 1, 59, len(want) / 2, len(want) - 3} {
				q.Offset, q.Limit = max(off, 0), 60
				page, err := src.List(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(want) {
					t.Fatalf("%s %q shown=%v: total %d, want %d", k, tc.filter, tc.shown != nil, page.Total, len(want))
				}
				end := min(q.Offset+60, len(want))
				if diff := gocmp.Diff(keys(want[q.Offset:end]), keys(page.Rows)); diff != "" {
					t.Fatalf("%s %q shown=%v, window at %d (-want +got):\n%s", k, tc.filter, tc.shown != nil, q.Offset, diff)
				}
			}
		}
	}
}

// A cookie population cannot revoke (JWTs are stateless); a revocable one
// drops the row, or every row of the user, and lists without them.
func TestMemorySourceRevoke(t *testing.T) {
	rows := demoRows(30, resolver.StrategyDatabase)
	if err := NewMemorySource(rows, false).Revoke(t.Context(), rows[0]); !errors.Is(err, tui.ErrNotSupported) {
		t.Fatalf("jwt Revoke: %v", err)
	}
	if _, err := NewMemorySource(rows, false).RevokeUser(t.Context(), rows[0]); !errors.Is(err, tui.ErrNotSupported) {
		t.Fatalf("jwt RevokeUser: %v", err)
	}
	src := NewMemorySource(slices.Clone(rows), true)
	if err := src.Revoke(t.Context(), rows[0]); err != nil || src.Len() != 29 {
		t.Fatalf("Revoke: %v, %d left", err, src.Len())
	}
	if err := src.Revoke(t.Context(), rows[0]); !errors.Is(err, resolver.ErrNotFound) {
		t.Fatalf("Revoke of a gone row: %v", err)
	}
	user := rows[1].UserID
	mine := 0
	for _, r := range rows[1:] {
		if r.UserID == user {
			mine++
		}
	}
	n, err := src.RevokeUser(t.Context(), rows[1])
	if err != nil || n != mine || mine < 2 {
		t.Fatalf("RevokeUser = %d, %v; the user had %d", n, err, mine)
	}
	page, _ := src.List(t.Context(), tui.ListQuery{Sort: tui.SortUser, Limit: 100})
	if page.Total != 29-mine || slices.ContainsFunc(page.Rows, func(r tui.SessionRow) bool { return r.UserID == user }) {
		t.Fatalf("after RevokeUser: %d rows, the user's still listed?", page.Total)
	}
	if _, err := src.RevokeUser(t.Context(), tui.SessionRow{Key: "x"}); !errors.Is(err, errNoUser) {
		t.Fatalf("a row without a user: %v", err)
	}
}
