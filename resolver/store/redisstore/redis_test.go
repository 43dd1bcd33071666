package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/redisstore"
	"github.com/authscope/authscope/resolver/store/storetest"
	"github.com/redis/go-redis/v9"
)

func open(t testing.TB, prefix string, ro bool) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(context.Background(), storetest.RedisURL, redisstore.Options{Prefix: prefix, ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		prefix := storetest.RedisPrefix(t)
		return storetest.Harness{
			Store:    open(t, prefix, false),
			ReadOnly: func(t *testing.T) storetest.Full { return store.ReadOnly(open(t, prefix, true)).(storetest.Full) },
			Reopen:   func(t *testing.T) storetest.Full { return open(t, prefix, false) },
			Catalog:  func(t *testing.T) string { return redisCatalog(t, prefix) },
		}
	})
}

// redisCatalog is Redis's nearest thing to a schema: the server settings
// a store could change (keyspace notifications, eviction) and every key
// under the prefix that is not a session (users and the by-user index),
// with its type and TTL. Session keys come and go as Auth.js prunes them.
func redisCatalog(t *testing.T, prefix string) string {
	t.Helper()
	o, _ := redis.ParseURL(storetest.RedisURL)
	rdb := redis.NewClient(o)
	defer rdb.Close()
	ctx := t.Context()
	var b strings.Builder
	for _, k := range []string{"notify-keyspace-events", "maxmemory-policy"} {
		v, err := rdb.ConfigGet(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "config %s=%s\n", k, v[k])
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rest := strings.TrimPrefix(k, prefix)
		if strings.HasPrefix(rest, "user:session:") && !strings.HasPrefix(rest, "user:session:by-user-id:") {
			continue
		}
		fmt.Fprintf(&b, "%s %s ttl=%v\n", rest, rdb.Type(ctx, k).Val(), rdb.TTL(ctx, k).Val())
	}
	return b.String()
}

// TestLayout pins the adapters' keys and values byte for byte.
func TestLayout(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	s := open(t, prefix, false)
	ctx := t.Context()
	rdb := s.Client()
	name, email := "Ada", "ada@example.com"
	storetest.Put(t, s, []resolver.StoredUser{{ID: "u-1", Name: &name, Email: &email}},
		[]resolver.StoredSession{{Token: "tok", UserID: "u-1", Expires: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}})
	for key, want := range map[string]string{
		"user:session:tok":            `{"sessionToken":"tok","userId":"u-1","expires":"2026-05-01T12:00:00.000Z"}`,
		"user:u-1":                    `{"id":"u-1","name":"Ada","email":"ada@example.com","emailVerified":null,"image":null}`,
		"user:email:ada@example.com":  `u-1`,
		"user:session:by-user-id:u-1": prefix + `user:session:tok`,
	} {
		got, err := rdb.Get(ctx, prefix+key).Result()
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", key, got, err, want)
		}
	}
	// updateSession rewrites the whole JSON, keeping other members.
	if err := rdb.Set(ctx, prefix+"user:session:tok", `{"sessionToken":"tok","userId":"u-1","expires":"2026-05-01T12:00:00.000Z","extra":"kept"}`, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateExpiry(ctx, "tok", time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got, _ := rdb.Get(ctx, prefix+"user:session:tok").Result()
	if want := `{"sessionToken":"tok","userId":"u-1","expires":"2026-05-31T12:00:00.000Z","extra":"kept"}`; got != want {
		t.Errorf("after update %q, want %q", got, want)
	}
	if ttl, _ := rdb.TTL(ctx, prefix+"user:session:tok").Result(); ttl != -1 {
		t.Errorf("ttl %v: the adapters set none", ttl)
	}
	// deleteSession removes only the session key.
	if err := s.DeleteSession(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(ctx, prefix+"user:session:tok").Result(); n != 0 {
		t.Error("session key left")
	}
	if n, _ := rdb.Exists(ctx, prefix+"user:session:by-user-id:u-1", prefix+"user:u-1").Result(); n != 2 {
		t.Error("delete must leave the user and the by-user-id pointer")
	}
}

func TestMalformedValues(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	s := open(t, prefix, false)
	ctx := t.Context()
	rdb := s.Client()
	for key, val := range map[string]string{
		"user:session:not-json": `{nope`,
		"user:session:bad-date": `{"sessionToken":"bad-date","userId":"u","expires":"soon"}`,
		"user:session:bad-user": `{"sessionToken":"bad-user","userId":"u","expires":"2026-05-01T12:00:00.000Z"}`,
		"user:u":                `[1,2`,
	} {
		rdb.Set(ctx, prefix+key, val, 0)
	}
	for _, tok := range []string{"not-json", "bad-date", "bad-user"} {
		if _, _, err := s.SessionAndUser(ctx, tok); !errors.Is(err, resolver.ErrMalformedRow) {
			t.Errorf("%s: %v", tok, err)
		}
	}
	// Browsing skips what it cannot read rather than failing the page.
	p, err := s.ListSessions(ctx, store.ListQuery{})
	if err != nil || len(p.Rows) != 1 || p.Rows[0].User != nil {
		t.Errorf("%+v %v", p, err)
	}
}

func TestUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	_, err := redisstore.Open(ctx, "redis://:s3cr3t@127.0.0.1:1/0", redisstore.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v", err)
	}
	if _, err := redisstore.Open(ctx, "redis://:s3cr3t@127.0.0.1:6379/0?bogus=1", redisstore.Options{}); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("bad url: %v", err)
	}
}

func BenchmarkStoreLookup(b *testing.B) {
	prefix := storetest.RedisPrefix(b)
	s := open(b, prefix, false)
	name := "Bench"
	if _, err := s.InsertUsers(b.Context(), []resolver.StoredUser{{ID: "u", Name: &name}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.InsertSessions(b.Context(), []resolver.StoredSession{{Token: "t", UserID: "u", Expires: storetest.Now}}); err != nil {
		b.Fatal(err)
	}
	b.Run("redis", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if sess, u, err := s.SessionAndUser(b.Context(), "t"); err != nil || sess == nil || u == nil {
				b.Fatal(sess, u, err)
			}
		}
	})
}

// TestOpenUnreachableIsQuiet: Open on a server that drops every connection
// fails after one connection attempt (no command or dial retries) and
// go-redis prints nothing to stderr (the error says it all).
func TestOpenUnreachableIsQuiet(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepts atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			c.Close()
		}
	}()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	// go-redis's default logger writes to the os.Stderr it captured at
	// init; redirect the descriptor too so that either path is seen.
	saved, dupErr := syscall.Dup(2)
	if dupErr == nil {
		syscall.Dup2(int(w.Fd()), 2)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	_, openErr := redisstore.Open(ctx, "redis://"+ln.Addr().String()+"/0", redisstore.Options{})
	cancel()
	// Also the refused-port path, which go-redis logs after its dial retries.
	_, refusedErr := redisstore.Open(t.Context(), "redis://127.0.0.1:1/0", redisstore.Options{})
	if dupErr == nil {
		syscall.Dup2(saved, 2)
		syscall.Close(saved)
	}
	os.Stderr = stderr
	w.Close()
	printed, _ := io.ReadAll(r)
	if openErr == nil || refusedErr == nil {
		t.Fatalf("Open succeeded: %v, %v", openErr, refusedErr)
	}
	if n := accepts.Load(); n != 1 {
		t.Errorf("Open connected %d times; want 1 (no retries when probing)", n)
	}
	if len(printed) > 0 {
		t.Errorf("go-redis printed to stderr:\n%s", printed)
	}
}

// emptyRedisDB returns the URL of a logical Redis database with no keys
// (detection reads the whole keyspace, which other tests share in db 0),
// and removes the keys the test wrote there.
func emptyRedisDB(t *testing.T) (string, *redis.Client) {
	t.Helper()
	storetest.RedisPrefix(t) // skips (or fails under CI) without Redis
	for db := 15; db >= 8; db-- {
		url := fmt.Sprintf("%s/%d", strings.TrimSuffix(storetest.RedisURL, "/0"), db)
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(o)
		if n, err := rdb.DBSize(t.Context()).Result(); err != nil || n != 0 {
			rdb.Close()
			continue
		}
		t.Cleanup(func() {
			defer rdb.Close()
			ctx := context.Background()
			// Only this test's keys: all start with authscope-detect-.
			if keys, _ := rdb.Keys(ctx, "authscope-detect-*").Result(); len(keys) > 0 {
				rdb.Del(ctx, keys...)
			}
		})
		return url, rdb
	}
	t.Skip("no empty Redis database among 8..15 for the detection test")
	return "", nil
}

// TestDetectPrefix: --schema auto with no --prefix reads the prefix off the
// session keys; none or several is a one-line error naming what was looked
// for or found; a layout name or a prefix skips detection; seeding accepts
// an empty Redis.
func TestDetectPrefix(t *testing.T) {
	url, rdb := emptyRedisDB(t)
	ctx := t.Context()
	open := func(o store.Options) (resolver.Store, error) { return store.Open(ctx, url, o) }

	if _, err := open(store.Options{}); err == nil || !strings.Contains(err.Error(), "no Auth.js session keys") || !strings.Contains(err.Error(), "user:session:<token>") {
		t.Fatalf("empty Redis: %v", err)
	}
	if st, err := open(store.Options{CreateIfEmpty: true}); err != nil {
		t.Fatalf("seeding an empty Redis: %v", err)
	} else {
		st.Close()
	}
	if st, err := open(store.Options{Schema: "unstorage"}); err != nil {
		t.Fatalf("--schema unstorage: %v", err)
	} else {
		st.Close()
	}

	const prefix = "authscope-detect-app:"
	rdb.Set(ctx, prefix+"user:session:tok", `{"sessionToken":"tok","userId":"1","expires":"2030-01-01T00:00:00.000Z"}`, 0)
	rdb.Set(ctx, prefix+"user:1", `{"id":"1","name":"Ada","email":"ada@example.com"}`, 0)
	st, err := open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := store.LayoutName(st); got != `redis unstorage/upstash keys, prefix "authscope-detect-app:"` {
		t.Errorf("layout name %q", got)
	}
	if s, u, err := st.SessionAndUser(ctx, "tok"); err != nil || s == nil || u == nil {
		t.Errorf("lookup through the detected prefix: %v %v %v", s, u, err)
	}
	st.Close()

	rdb.Set(ctx, "authscope-detect-other:user:session:x", `{}`, 0)
	if _, err := open(store.Options{}); err == nil || !strings.Contains(err.Error(), `"authscope-detect-app:", "authscope-detect-other:"`) {
		t.Fatalf("two prefixes: %v", err)
	}
	if st, err := open(store.Options{Prefix: prefix}); err != nil {
		t.Fatalf("an explicit prefix skips detection: %v", err)
	} else {
		st.Close()
	}
	if _, err := open(store.Options{Schema: "prisma"}); err == nil || !errors.Is(err, store.ErrBadDSN) {
		t.Fatalf("--schema prisma on Redis: %v", err)
	}
}
