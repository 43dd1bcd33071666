package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
)

// seedBrowse writes 3 users with 5 sessions each: expiring 1h ago, in
// 1h, 2h, 6 days 23h and 7 days.
func seedBrowse(t *testing.T, now time.Time) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Create(ctx, filepath.Join(t.TempDir(), "ba.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var users, sessions []betterauth.Object
	offsets := []time.Duration{-time.Hour, time.Hour, 2 * time.Hour, 7*24*time.Hour - time.Hour, 7 * 24 * time.Hour}
	for u := range 3 {
		uid := fmt.Sprintf("user-%d", u)
		users = append(users, betterauth.Object{{Name: "id", Value: uid}, {Name: "name", Value: fmt.Sprintf("Name %d", u)},
			{Name: "email", Value: fmt.Sprintf("u%d@example.test", u)}, {Name: "emailVerified", Value: 0}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}})
		for i, off := range offsets {
			sessions = append(sessions, betterauth.Object{{Name: "id", Value: fmt.Sprintf("s%d-%d", u, i)}, {Name: "expiresAt", Value: iso(now.Add(off))},
				{Name: "token", Value: fmt.Sprintf("tok-%d-%d", u, i)}, {Name: "createdAt", Value: iso(now)}, {Name: "updatedAt", Value: iso(now)}, {Name: "userId", Value: uid}})
		}
	}
	if err := st.InsertAll(ctx, users, sessions); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBrowse(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	st := seedBrowse(t, now)
	ctx := context.Background()
	cq := store.CountQuery{Now: now, MaxAge: betterauth.DefaultExpiresIn, UpdateAge: betterauth.DefaultUpdateAge}
	c, err := st.Counts(ctx, cq)
	// Due: expiresAt − 7d + 1d ≤ now, i.e. expiring within 6 days: 1h and 2h.
	if err != nil || c != (store.Counts{Total: 15, Active: 12, Expired: 3, Due: 6}) {
		t.Fatalf("counts %+v %v", c, err)
	}
	cq.Filter = "U1@EXAMPLE"
	if c, _ := st.Counts(ctx, cq); c.Total != 5 {
		t.Fatalf("filtered counts %+v", c)
	}
	// Pages of 4 walk every row once, in expiry order.
	var seen []resolver.SessionRow
	q := store.ListQuery{Limit: 4}
	for {
		p, err := st.ListSessions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, p.Rows...)
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if len(seen) != 15 {
		t.Fatalf("paged %d rows", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		a, b := seen[i-1].Session, seen[i].Session
		if b.Expires.Before(a.Expires) || (b.Expires.Equal(a.Expires) && b.Token <= a.Token) {
			t.Fatalf("row %d out of order: %v then %v", i, a, b)
		}
	}
	if u := seen[0].User; u == nil || u.Email == nil || *u.Email == "" || seen[0].Session.Expires != now.Add(-time.Hour) {
		t.Fatalf("first row %+v", seen[0])
	}
	due, _ := st.ListSessions(ctx, store.ListQuery{State: store.StateDue, Now: now, MaxAge: betterauth.DefaultExpiresIn, UpdateAge: betterauth.DefaultUpdateAge, Sort: store.SortUser, Desc: true})
	if len(due.Rows) != 6 || due.Rows[0].Session.UserID != "user-2" {
		t.Fatalf("due rows %d, first %+v", len(due.Rows), due.Rows[0].Session)
	}
	// Revocation deletes rows, and Better Auth then finds none.
	if err := st.RevokeSession(ctx, "tok-0-1"); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, "tok-0-1"); !errors.Is(err, resolver.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	if rec, _ := st.FindSession(ctx, "tok-0-1"); rec != nil {
		t.Fatal("revoked session still found")
	}
	if n, err := st.RevokeUser(ctx, "user-1"); err != nil || n != 5 {
		t.Fatalf("revoke user: %d %v", n, err)
	}
	if c, _ := st.Counts(ctx, store.CountQuery{Now: now}); c.Total != 9 {
		t.Fatalf("after revocations %+v", c)
	}
	if _, err := st.ListSessions(ctx, store.ListQuery{After: "not a cursor!"}); err == nil {
		t.Fatal("a malformed cursor was accepted")
	}
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
