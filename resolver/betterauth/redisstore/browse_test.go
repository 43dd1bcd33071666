package redisstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// Sessions seeded as createSession writes them are listed, paged, counted
// and revoked; other keys under the prefix are ignored.
func TestBrowse(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	st, err := Open(ctx, storetest.RedisURL, Options{Prefix: prefix, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o, _ := redis.ParseURL(storetest.RedisURL)
	rdb := redis.NewClient(o)
	defer rdb.Close()
	users := []betterauth.Object{user("u1", "Ada"), user("u2", "Bob")}
	var sessions []betterauth.Object
	for i := range 5 {
		uid := "u1"
		if i >= 3 {
			uid = "u2"
		}
		exp := now.Add(time.Duration(i+1) * 24 * time.Hour)
		sessions = append(sessions, betterauth.Object{
			{Name: "id", Value: fmt.Sprint("s", i)}, {Name: "token", Value: fmt.Sprint("tok", i)}, {Name: "userId", Value: uid},
			{Name: "expiresAt", Value: exp}, {Name: "createdAt", Value: now.Add(-time.Hour)}, {Name: "updatedAt", Value: now.Add(-time.Hour)},
		})
	}
	if err := st.InsertAll(ctx, users, sessions); err != nil {
		t.Fatal(err)
	}
	rdb.Set(ctx, prefix+"rate-limit:x", `{"count":1}`, time.Hour)
	rdb.Set(ctx, prefix+"other", `{"session":{"token":"not-other"}}`, time.Hour)

	var got []string
	q := store.ListQuery{Limit: 2, Now: now, MaxAge: 7 * 24 * time.Hour, UpdateAge: 24 * time.Hour}
	for {
		p, err := st.ListSessions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			got = append(got, r.Session.Token)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if fmt.Sprint(got) != "[tok0 tok1 tok2 tok3 tok4]" {
		t.Fatalf("listed %v", got)
	}
	p, _ := st.ListSessions(ctx, store.ListQuery{Sort: store.SortUser, Desc: true, Filter: "BOB"})
	if len(p.Rows) != 2 || p.Rows[0].Session.Token != "tok4" || *p.Rows[0].User.Name != "Bob" {
		t.Fatalf("filtered %v", p.Rows)
	}
	// Due: expires within expiresIn - updateAge = 6 days of now: all five.
	c, err := st.Counts(ctx, store.CountQuery{Now: now.Add(36 * time.Hour), MaxAge: 7 * 24 * time.Hour, UpdateAge: 24 * time.Hour})
	if err != nil || c != (store.Counts{Total: 5, Active: 4, Expired: 1, Due: 4}) {
		t.Fatalf("counts %+v %v", c, err)
	}

	ro := New(rdb, Options{Prefix: prefix, ReadOnly: true})
	if err := ro.RevokeSession(ctx, "tok0"); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("read-only revoke: %v", err)
	}
	if _, err := ro.RevokeUser(ctx, "u1"); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("read-only revoke user: %v", err)
	}
	if err := st.RevokeSession(ctx, "tok0"); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, "tok0"); !errors.Is(err, resolver.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	if l := rdb.Get(ctx, prefix+"active-sessions-u1").Val(); l != `[{"token":"tok1","expiresAt":1768651200000},{"token":"tok2","expiresAt":1768737600000}]` {
		t.Fatalf("list after revoke %s", l)
	}
	n, err := st.RevokeUser(ctx, "u1")
	if err != nil || n != 2 {
		t.Fatalf("revoke user: %d %v", n, err)
	}
	if k := rdb.Exists(ctx, prefix+"tok1", prefix+"tok2", prefix+"active-sessions-u1").Val(); k != 0 {
		t.Fatalf("%d keys left", k)
	}
	if m := rdb.Get(ctx, prefix+"revoked-sessions-before-u1").Val(); m != "1768478400000" {
		t.Fatalf("marker %q", m)
	}
	if ttl := rdb.TTL(ctx, prefix+"revoked-sessions-before-u1").Val(); ttl < 7*24*time.Hour-time.Minute {
		t.Fatalf("marker ttl %v", ttl)
	}
	// A key the list missed is hidden by the marker.
	rdb.Set(ctx, prefix+"stray", `{"session":{"token":"stray","userId":"u1","expiresAt":"2026-01-20T12:00:00.000Z","createdAt":"2026-01-14T12:00:00.000Z"},"user":null}`, time.Hour)
	if c, _ := st.Counts(ctx, store.CountQuery{Now: now}); c.Total != 2 {
		t.Fatalf("after revoke %+v", c)
	}
}

func user(id, name string) betterauth.Object {
	return betterauth.Object{{Name: "id", Value: id}, {Name: "name", Value: name}, {Name: "email", Value: name + "@example.test"}}
}
