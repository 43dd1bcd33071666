package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// A value as better-auth 1.7.29 writes it (createSession's member order),
// resolved, extended and deleted; the active-sessions list follows.
func TestStore(t *testing.T) {
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
	val := `{"session":{"id":"s1","ipAddress":"","userAgent":"ua","expiresAt":"2026-01-20T12:00:00.000Z","userId":"u1","token":"tok","createdAt":"2026-01-13T12:00:00.000Z","updatedAt":"2026-01-13T12:00:00.000Z"},` +
		`"user":{"name":"Ada","email":"ada@example.test","emailVerified":false,"image":null,"createdAt":"2026-01-13T12:00:00.000Z","updatedAt":"2026-01-13T12:00:00.000Z","id":"u1"}}`
	rdb.Set(ctx, prefix+"tok", val, time.Hour)
	rdb.Set(ctx, prefix+"active-sessions-u1", `[{"token":"tok","expiresAt":1768910400000}]`, time.Hour)
	rec, err := st.FindSession(ctx, "tok")
	if err != nil || rec == nil {
		t.Fatalf("find: %v %v", rec, err)
	}
	if got := string(betterauth.AppendJS(nil, betterauth.Object{{Name: "session", Value: rec.Session}, {Name: "user", Value: rec.User}})); got != val {
		t.Fatalf("record\n got %s\nwant %s", got, val)
	}
	exp := now.Add(7 * 24 * time.Hour)
	upd, err := st.UpdateSession(ctx, "tok", exp, now)
	if err != nil || upd == nil {
		t.Fatalf("update: %v", err)
	}
	if got, _ := upd.Time("expiresAt"); !got.Equal(exp) || upd[0].Name != "id" {
		t.Fatalf("updated %s", betterauth.AppendJS(nil, upd))
	}
	if ttl := rdb.TTL(ctx, prefix+"tok").Val(); ttl < 7*24*time.Hour-time.Minute {
		t.Fatalf("ttl %v", ttl)
	}
	if list := rdb.Get(ctx, prefix+"active-sessions-u1").Val(); list != `[{"token":"tok","expiresAt":1769083200000}]` {
		t.Fatalf("list %s", list)
	}
	// Revoked after creation: not found.
	rdb.Set(ctx, prefix+"revoked-sessions-before-u1", "1768400000000", time.Hour)
	if rec, _ := st.FindSession(ctx, "tok"); rec != nil {
		t.Fatal("a revoked session was found")
	}
	if err := st.DeleteSession(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, prefix+"tok", prefix+"active-sessions-u1").Val(); n != 0 {
		t.Fatalf("%d keys left", n)
	}
}
