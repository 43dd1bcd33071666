package betterauth_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/redisstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// TestLiveSecondaryStorage: the real server keeps its sessions in a Redis
// secondaryStorage (harness.mjs redisStorage); Go resolves them from the
// same keys with the same bodies, and each side extends and prunes what
// the other then reads.
func TestLiveSecondaryStorage(t *testing.T) {
	requireLive(t)
	prefix := storetest.RedisPrefix(t)
	l := startLiveOn(t, "redis", filepath.Join(t.TempDir(), "ba.sqlite"), map[string]string{"BA_REDIS": storetest.RedisURL, "BA_REDIS_PREFIX": prefix}, betterauth.Config{})
	ctx := context.Background()
	st, err := redisstore.Open(ctx, storetest.RedisURL, redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l.store = st
	o, _ := redis.ParseURL(storetest.RedisURL)
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })

	ada := l.signUp(t, "ada@example.test", "Ada Lovelace")
	grace := l.signUp(t, "grace@example.test", `Grace "Amazing" Hopper`)
	tok := l.token(t, ada)
	if n, _ := rdb.Exists(ctx, prefix+tok).Result(); n != 1 {
		t.Fatalf("the server wrote no key for the session (prefix %q)", prefix)
	}
	if a := l.same(t, "valid", ada); a.Body == nil || a.Result.Source != "database" {
		t.Fatalf("valid: %v %v", a.Result.Reason, a.Result.Err)
	}
	l.same(t, "second user", grace)
	l.same(t, "wrong secret", l.cfg.Names().SessionToken+"="+betterauth.SignCookieValue(tok, "test-only-another-secret-0000000000000000"))

	// Due for update: Go extends the value; the server then reads Go's.
	setValueExpires(t, rdb, prefix+tok, time.Now().Add(5*24*time.Hour))
	a := l.goAnswer(t, ada, false)
	if len(a.SetCookie) != 1 {
		t.Fatalf("Go did not extend: %q", a.SetCookie)
	}
	if ttl := rdb.TTL(ctx, prefix+tok).Val(); ttl < 7*24*time.Hour-time.Minute {
		t.Fatalf("TTL after Go's extension: %v", ttl)
	}
	if realBody, set := l.real(t, ada); realBody != string(betterauth.MarshalBody(a.Body)) || len(set) != 0 {
		t.Errorf("after Go's extension: real %s %q\nGo %s", realBody, set, betterauth.MarshalBody(a.Body))
	}
	// The server extends; Go reads the server's value identically.
	setValueExpires(t, rdb, prefix+tok, time.Now().Add(5*24*time.Hour))
	realBody, set := l.real(t, ada)
	if len(set) == 0 {
		t.Fatal("the server did not extend")
	}
	if got := string(betterauth.MarshalBody(l.goAnswer(t, ada, false).Body)); got != realBody {
		t.Errorf("after the server's extension: Go %s\nreal %s", got, realBody)
	}
	// Expired in the value (the key still alive): Go deletes the key, as the server does.
	gtok := l.token(t, grace)
	setValueExpires(t, rdb, prefix+gtok, time.Now().Add(-time.Second))
	if a := l.goAnswer(t, grace, false); a.Result.Reason != resolver.ReasonExpired {
		t.Fatalf("expired: %v", a.Result.Reason)
	}
	if n, _ := rdb.Exists(ctx, prefix+gtok).Result(); n != 0 {
		t.Fatal("Go left the expired key")
	}
	l.same(t, "pruned by Go", grace)
	setValueExpires(t, rdb, prefix+tok, time.Now().Add(-time.Second))
	if body, _ := l.real(t, ada); body != "null" {
		t.Fatalf("server on expired: %s", body)
	}
	if a := l.goAnswer(t, ada, false); a.Result.Reason != resolver.ReasonUnknownSession {
		t.Fatalf("after the server's pruning: %v", a.Result.Reason)
	}
}

// setValueExpires rewrites session.expiresAt inside the value at key,
// keeping its TTL.
func setValueExpires(t *testing.T, rdb *redis.Client, key string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	b, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	v, err := betterauth.SafeJSONParse(b)
	if err != nil {
		t.Fatal(err)
	}
	o := v.(betterauth.Object)
	sv, _ := o.Get("session")
	s := sv.(betterauth.Object)
	s.Set("expiresAt", at.UTC().Truncate(time.Millisecond))
	o.Set("session", s)
	if err := rdb.SetArgs(ctx, key, betterauth.AppendJS(nil, o), redis.SetArgs{KeepTTL: true}).Err(); err != nil {
		t.Fatal(err)
	}
}
