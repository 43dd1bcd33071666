package tui

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// o cycles through every order the source can list in; each one is the
// order the rows come in, and the header names it.
func TestSortByColumns(t *testing.T) {
	hs := newHarness(t, 300, 120, 40)
	s := &hs.m.sessions
	red := hs.m.c.redactor(false)
	check := func(want SortKey, label string, inOrder func(a, b SessionRow) bool) {
		t.Helper()
		hs.key("o")
		if s.q.Sort != want {
			t.Fatalf("sort = %v, want %v", s.q.Sort, want)
		}
		if !strings.Contains(hs.screenText(), "sort "+label+" ·") {
			t.Fatalf("header does not say %q:\n%s", label, hs.screenText())
		}
		for i := 1; i < len(s.win); i++ {
			if !inOrder(s.win[i-1], s.win[i]) {
				t.Fatalf("%v: rows %d and %d out of order: %+v, %+v", want, i-1, i, s.win[i-1], s.win[i])
			}
		}
	}
	shown := func(r SessionRow, k SortKey) string {
		if k == SortEmail {
			return strings.ToLower(red.email(r.Email))
		}
		return strings.ToLower(red.text(r.Name))
	}
	// By the shown (redacted) value, ties by key: an order by the raw
	// values would tell apart what the column shows as equal.
	byShown := func(k SortKey) func(a, b SessionRow) bool {
		return func(a, b SessionRow) bool {
			sa, sb := shown(a, k), shown(b, k)
			return sa < sb || (sa == sb && a.Key < b.Key)
		}
	}
	check(SortExpires, "expiry", func(a, b SessionRow) bool { return !b.Expires.Before(a.Expires) })
	check(SortExpiresLatest, "latest expiry first", func(a, b SessionRow) bool { return !a.Expires.Before(b.Expires) })
	if want := testNow.Add(298 * time.Hour); !s.win[0].Expires.Equal(want) { // demoRows' latest of 300
		t.Fatalf("latest expiry first starts at %v", s.win[0].Expires)
	}
	check(SortUser, "user", func(a, b SessionRow) bool { return a.UserID <= b.UserID })
	check(SortEmail, "e-mail (as shown)", byShown(SortEmail))
	check(SortName, "name (as shown)", byShown(SortName))
	hs.key("G")
	if last, _ := s.row(s.total - 1); last.Key == "" {
		t.Fatal("the bottom of the name order did not load")
	}
	hs.key("g", "o")
	if s.q.Sort != SortActive {
		t.Fatalf("the cycle did not come back to active first: %v", s.q.Sort)
	}
}

// A store cannot order by name or e-mail: the database listing does not
// offer them, the help says so, and a strategy toggle away from a source
// that could falls back to the default order.
func TestSortOffersOnlyWhatTheStoreCan(t *testing.T) {
	hs := newHarness(t, 50, 80, 24)
	// The orders backend.BrowserSource offers (tested there).
	hs.db.sorts = []SortKey{SortActive, SortExpires, SortExpiresLatest, SortUser}
	s := &hs.m.sessions
	hs.key("o", "o", "o", "o") // jwt: expiry, latest, user, e-mail
	if s.q.Sort != SortEmail {
		t.Fatalf("jwt sort = %v", s.q.Sort)
	}
	hs.key("s")
	if s.q.Sort != SortActive {
		t.Fatalf("database kept an order the store cannot list: %v", s.q.Sort)
	}
	if hs.m.status.err != nil {
		t.Fatalf("toggle: %v", hs.m.status.err)
	}
	var seen []SortKey
	for range 5 {
		hs.key("o")
		seen = append(seen, s.q.Sort)
	}
	if want := []SortKey{SortExpires, SortExpiresLatest, SortUser, SortActive, SortExpires}; !slices.Equal(seen, want) {
		t.Fatalf("database cycle = %v, want %v", seen, want)
	}
	hs.key("?")
	help := strings.Join(strings.Fields(strings.ReplaceAll(hs.screenText(), "│", "")), " ")
	if !strings.Contains(help, "Not name or e-mail: the store orders by expiry or user only") {
		t.Fatalf("help does not say what cannot be sorted:\n%s", hs.screenText())
	}
}
