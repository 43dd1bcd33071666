package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

const (
	redisAddr = "127.0.0.1:6379"
	pgDSN     = "postgres://127.0.0.1:5432/test?sslmode=disable"
)

// need skips when a service is not listening, except under CI=true.
func need(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not reachable under CI=true: %v", addr, err)
		}
		t.Skipf("%s not reachable: %v", addr, err)
	}
	c.Close()
}

func uniq(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "h4t_" + hex.EncodeToString(b)
}

// fixedResolver answers every token with a session for the user named in
// users (by token), counting calls.
type fixedResolver struct {
	mu    sync.Mutex
	users map[string]string
	calls atomic.Int64
}

func (f *fixedResolver) Resolve(_ context.Context, in resolver.Input) (resolver.Result, error) {
	f.calls.Add(1)
	tok, _ := resolver.ReadSessionToken(in, resolver.DefaultCookieName)
	f.mu.Lock()
	uid := f.users[tok]
	f.mu.Unlock()
	s := &resolver.Session{User: resolver.User{ID: uid, Name: resolver.String("N " + uid), Email: resolver.Null()},
		Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)}
	return resolver.Result{Session: s, Reason: resolver.ReasonOK, Source: "database"}, nil
}

func newCache(users map[string]string, opts ...resolver.CacheOption) (*resolver.Cache, *fixedResolver) {
	next := &fixedResolver{users: users}
	return resolver.NewCached(next, resolver.CacheConfig{TTL: time.Minute}, opts...), next
}

func warm(t *testing.T, c *resolver.Cache, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if _, err := c.Resolve(context.Background(), resolver.FromCookieHeader("authjs.session-token="+tok)); err != nil {
			t.Fatal(err)
		}
	}
}

func isCached(t *testing.T, c *resolver.Cache, tok string) bool {
	t.Helper()
	// Peek through Stats: a hit increments Hits; a miss re-warms, which the
	// callers account for.
	before := c.Stats().Hits
	warm(t, c, tok)
	return c.Stats().Hits > before
}

// eventually polls cond for up to 5 s (events cross a real network hop).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// entryGone waits until tok's entry is invalidated (Invalidated grows), then
// checks a fresh lookup misses.
func entryGone(t *testing.T, c *resolver.Cache, before uint64, tok, what string) {
	t.Helper()
	eventually(t, what, func() bool { return c.Stats().Invalidated > before })
	if isCached(t, c, tok) {
		t.Errorf("%s: %s still cached", what, tok)
	}
}

func TestRedisPubSubSharesInvalidations(t *testing.T) {
	need(t, redisAddr)
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	channel := uniq(t)
	users := map[string]string{"T1": "alice", "T2": "bob", "T3": "carol"}

	// Two instances, each with its own cache and listener.
	a, _ := newCache(users)
	b, _ := newCache(users)
	defer a.Close()
	defer b.Close()
	busA := NewRedis(client, channel, "instance-a", nil)
	busB := NewRedis(client, channel, "instance-b", nil)
	la, err := busA.Listen(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer la.Close()
	lb, err := busB.Listen(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	warm(t, a, "T1", "T2", "T3")
	warm(t, b, "T1", "T2", "T3")

	// Instance A signs alice out: applies locally, publishes for the others.
	inv := b.Stats().Invalidated
	ev := resolver.UserEvent("alice")
	ev.Apply(a)
	if err := busA.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	entryGone(t, b, inv, "T1", "user event over Redis")
	eventually(t, "A skipping its own event", func() bool { return la.Stats().Skipped == 1 })
	if la.Stats().Received != 0 {
		t.Errorf("A applied its own event: %+v", la.Stats())
	}

	inv = b.Stats().Invalidated
	if err := busA.Publish(ctx, resolver.TokenEvent("T2")); err != nil {
		t.Fatal(err)
	}
	entryGone(t, b, inv, "T2", "token event over Redis")
	if !isCached(t, b, "T3") {
		t.Error("T3 dropped by events that did not name it")
	}

	inv = b.Stats().Invalidated
	if err := busA.Publish(ctx, resolver.AllEvent()); err != nil {
		t.Fatal(err)
	}
	entryGone(t, b, inv, "T3", "all event over Redis")

	// Garbage on the channel is counted, not applied.
	client.Publish(ctx, channel, `{"kind":"nuke"}`)
	eventually(t, "malformed count", func() bool { return lb.Stats().Malformed == 1 })
}

func TestPostgresNotify(t *testing.T) {
	need(t, "127.0.0.1:5432")
	ctx := context.Background()
	channel := uniq(t)
	users := map[string]string{"T1": "1", "T2": "2"}
	c, _ := newCache(users)
	defer c.Close()
	pg := NewPostgres(pgDSN, channel, "me", nil)
	l, err := pg.Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	warm(t, c, "T1", "T2")
	inv := c.Stats().Invalidated
	if err := NewPostgres(pgDSN, channel, "other", nil).Publish(ctx, resolver.TokenEvent("T1")); err != nil {
		t.Fatal(err)
	}
	entryGone(t, c, inv, "T1", "token event over NOTIFY")
	if !isCached(t, c, "T2") {
		t.Error("T2 dropped")
	}
}

// TestPostgresTrigger: with the trigger installed, the database announces
// sign-outs and user changes made by anyone (here: plain SQL, as Auth.js's
// pg-adapter issues it).
func TestPostgresTrigger(t *testing.T) {
	need(t, "127.0.0.1:5432")
	ctx := context.Background()
	schema, channel := uniq(t), uniq(t)
	conn, err := pgx.Connect(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ddl := `CREATE SCHEMA ` + schema + `;
CREATE TABLE ` + schema + `.users (id SERIAL PRIMARY KEY, name VARCHAR(255), email VARCHAR(255), "emailVerified" TIMESTAMPTZ, image TEXT);
CREATE TABLE ` + schema + `.sessions (id SERIAL PRIMARY KEY, "userId" INTEGER NOT NULL, expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL);`
	if _, err := conn.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	// Its own connection: the deferred conn.Close runs before cleanups.
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgDSN)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})

	layout := PgAdapterLayout
	layout.Schema = schema
	pg := NewPostgres(pgDSN, channel, "serve-1", nil)
	if err := pg.InstallTrigger(ctx, layout); err != nil {
		t.Fatal(err)
	}
	if err := pg.InstallTrigger(ctx, layout); err != nil { // idempotent
		t.Fatalf("second install: %v", err)
	}
	var uid1, uid2 int
	conn.QueryRow(ctx, `INSERT INTO `+schema+`.users (name, email) VALUES ('Ada', 'ada@x') RETURNING id`).Scan(&uid1)
	conn.QueryRow(ctx, `INSERT INTO `+schema+`.users (name, email) VALUES ('Bob', 'bob@x') RETURNING id`).Scan(&uid2)
	for tok, uid := range map[string]int{"tok-ada": uid1, "tok-ada-2": uid1, "tok-bob": uid2} {
		if _, err := conn.Exec(ctx, `INSERT INTO `+schema+`.sessions ("userId", expires, "sessionToken") VALUES ($1, now() + interval '1 day', $2)`, uid, tok); err != nil {
			t.Fatal(err)
		}
	}
	users := map[string]string{"tok-ada": strconv.Itoa(uid1), "tok-ada-2": strconv.Itoa(uid1), "tok-bob": strconv.Itoa(uid2)}
	c, _ := newCache(users)
	defer c.Close()
	l, err := pg.Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	warm(t, c, "tok-ada", "tok-ada-2", "tok-bob")

	inv := c.Stats().Invalidated
	if _, err := conn.Exec(ctx, `DELETE FROM `+schema+`.sessions WHERE "sessionToken" = $1`, "tok-bob"); err != nil {
		t.Fatal(err)
	}
	entryGone(t, c, inv, "tok-bob", "trigger on session delete")

	inv = c.Stats().Invalidated
	if _, err := conn.Exec(ctx, `UPDATE `+schema+`.users SET name = 'Ada L.' WHERE id = $1`, uid1); err != nil {
		t.Fatal(err)
	}
	// Received counts an event once applied: the delete's and the update's.
	eventually(t, "trigger on user update", func() bool { return l.Stats().Received >= 2 })
	if got := c.Stats().Invalidated; got < inv+2 {
		t.Errorf("user update invalidated %d entries, want the user's 2 (listener %+v)", got-inv, l.Stats())
	}
	if isCached(t, c, "tok-ada") || isCached(t, c, "tok-ada-2") {
		t.Error("user update did not drop the user's sessions")
	}
}

func TestRedisTier(t *testing.T) {
	need(t, redisAddr)
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer client.Close()
	prefix := uniq(t) + ":"
	tier := NewRedisTier(client, prefix, nil)
	t.Cleanup(func() { tier.DeleteAll(context.Background()) })

	s := &resolver.Session{
		User:    resolver.User{ID: "42", Name: resolver.String("Ada"), Email: resolver.Null(), Extra: []resolver.Member{{Name: "role", Value: resolver.String("admin")}}},
		Expires: time.Date(2026, 12, 27, 8, 0, 0, 123e6, time.UTC),
		Extra:   []resolver.Member{{Name: "tenant", Value: resolver.String("t1")}},
	}
	tier.Set(ctx, "TOKEN", resolver.Result{Session: s, Reason: resolver.ReasonOK, Source: "database"}, time.Minute)
	if n, _ := client.Keys(ctx, prefix+"*TOKEN*").Result(); len(n) != 0 {
		t.Errorf("raw token in a Redis key: %v", n)
	}
	res, ttl, ok := tier.Get(ctx, "TOKEN")
	if !ok || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("Get: ok=%v ttl=%v", ok, ttl)
	}
	if got, want := string(resolver.MarshalSessionBody(res.Session)), string(resolver.MarshalSessionBody(s)); got != want || res.Session.User.ID != "42" {
		t.Errorf("round trip:\n got %s (id %q)\nwant %s", got, res.Session.User.ID, want)
	}
	if _, _, ok := tier.Get(ctx, "OTHER"); ok {
		t.Error("unknown token found")
	}
	tier.Set(ctx, "TOKEN2", resolver.Result{Session: s, Reason: resolver.ReasonOK}, time.Minute)
	tier.DeleteUser(ctx, "42")
	for _, tok := range []string{"TOKEN", "TOKEN2"} {
		if _, _, ok := tier.Get(ctx, tok); ok {
			t.Errorf("%s survived DeleteUser", tok)
		}
	}

	// Two caches (two instances) over one tier: the second one's miss is
	// answered by the tier, without its resolver.
	users := map[string]string{"SHARED": "7"}
	a, _ := newCache(users, resolver.WithSharedTier(tier))
	b, nextB := newCache(users, resolver.WithSharedTier(tier))
	defer a.Close()
	defer b.Close()
	warm(t, a, "SHARED")
	res1, _ := b.Resolve(ctx, resolver.FromCookieHeader("authjs.session-token=SHARED"))
	if nextB.calls.Load() != 0 || b.Stats().SharedHits != 1 || res1.Source != "cache" || res1.Session.User.ID != "7" {
		t.Errorf("second instance: calls %d stats %+v source %q", nextB.calls.Load(), b.Stats(), res1.Source)
	}
	a.InvalidateToken("SHARED") // also removes it from the tier
	if _, _, ok := tier.Get(ctx, "SHARED"); ok {
		t.Error("InvalidateToken left the shared entry")
	}
	tier.Set(ctx, "X", resolver.Result{Session: s}, time.Minute)
	tier.DeleteAll(ctx)
	if keys, _ := client.Keys(ctx, prefix+"*").Result(); len(keys) != 0 {
		t.Errorf("DeleteAll left %v", keys)
	}
}

// TestListenersStopCleanly: Close and context cancellation both stop the
// listeners and leave no goroutine behind.
func TestListenersStopCleanly(t *testing.T) {
	need(t, redisAddr)
	need(t, "127.0.0.1:5432")
	before := runtime.NumGoroutine()
	c, _ := newCache(map[string]string{})
	client := redis.NewClient(&redis.Options{Addr: redisAddr})
	ctx, cancel := context.WithCancel(context.Background())
	lr, err := NewRedis(client, uniq(t), "a", nil).Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := NewPostgres(pgDSN, uniq(t), "a", nil).Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	lr2, err := NewRedis(client, uniq(t), "b", nil).Listen(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the caller's context ends: both stop by themselves
	done := make(chan struct{})
	go func() { lr.Close(); lp.Close(); lr2.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listeners did not stop")
	}
	client.Close()
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPostgresListenerReconnects: the listener's backend is killed; it
// reconnects, drops everything (events may have been missed) and keeps
// receiving.
func TestPostgresListenerReconnects(t *testing.T) {
	need(t, "127.0.0.1:5432")
	ctx := context.Background()
	channel := uniq(t)
	c, _ := newCache(map[string]string{"T1": "1"})
	defer c.Close()
	l, err := NewPostgres(pgDSN, channel, "me", nil).Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	admin, err := pgx.Connect(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	warm(t, c, "T1")
	inv := c.Stats().Invalidations
	tag, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, `LISTEN "`+channel+`"`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminating the listener: %v (%d rows)", err, tag.RowsAffected())
	}
	eventually(t, "reconnect", func() bool { return l.Stats().Reconnect >= 1 })
	if c.Stats().Invalidations <= inv || isCached(t, c, "T1") {
		t.Error("a reconnect must invalidate everything")
	}
	inv = c.Stats().Invalidated
	if err := NewPostgres(pgDSN, channel, "other", nil).Publish(ctx, resolver.TokenEvent("T1")); err != nil {
		t.Fatal(err)
	}
	entryGone(t, c, inv, "T1", "event after reconnect")
}

// TestRedisListenerReconnects: the subscriber's connection is killed; the
// listener resubscribes, drops everything (events may have been missed) and
// keeps receiving.
func TestRedisListenerReconnects(t *testing.T) {
	need(t, redisAddr)
	ctx := context.Background()
	channel, name := uniq(t), "authscope-test-"+uniq(t)
	c, _ := newCache(map[string]string{"T1": "1"})
	defer c.Close()
	sub := redis.NewClient(&redis.Options{Addr: redisAddr, ClientName: name})
	defer sub.Close()
	l, err := NewRedis(sub, channel, "me", nil).Listen(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	admin := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer admin.Close()
	warm(t, c, "T1")
	inv := c.Stats().Invalidations
	list, err := admin.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if err := admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
					t.Fatal(err)
				}
				killed++
			}
		}
	}
	if killed == 0 {
		t.Fatalf("no connection named %s in CLIENT LIST", name)
	}
	eventually(t, "reconnect", func() bool { return l.Stats().Reconnect >= 1 })
	if c.Stats().Invalidations <= inv || isCached(t, c, "T1") {
		t.Error("a reconnect must invalidate everything")
	}
	warm(t, c, "T1")
	before := c.Stats().Invalidated
	pub := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer pub.Close()
	if err := NewRedis(pub, channel, "other", nil).Publish(ctx, resolver.TokenEvent("T1")); err != nil {
		t.Fatal(err)
	}
	entryGone(t, c, before, "T1", "event after reconnect")
}

// TestPostgresConnectErrorOneLine: pgx reports each failed connection
// attempt on its own line; the bus's error is one line with all of them.
func TestPostgresConnectErrorOneLine(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	p := NewPostgres("postgres://postgres@127.0.0.1:1/x?sslmode=prefer", "c", "o", nil)
	for name, err := range map[string]error{
		"publish": p.Publish(ctx, resolver.TokenEvent("T1")),
		"trigger": p.InstallTrigger(ctx, Layout{Sessions: "sessions", SessionToken: "sessionToken", SessionUserID: "userId", Users: "users", UserID: "id"}),
	} {
		if err == nil || strings.ContainsAny(err.Error(), "\n\r") || strings.Count(err.Error(), "connection refused") < 2 {
			t.Errorf("%s: %q; want one line listing both refused attempts", name, err)
		}
	}
}
