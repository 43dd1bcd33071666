package betterauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/redisstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// TestLiveSecondaryStorageRevoke: revoking through the real server
// (sign-out, revoke-sessions) and through Go's store.Browser leaves the
// same keys: the token and the active-sessions list gone, and for a
// user-wide revocation a revoked-sessions-before marker with the same TTL.
func TestLiveSecondaryStorageRevoke(t *testing.T) {
	requireLive(t)
	prefix := storetest.RedisPrefix(t)
	l := startLiveOn(t, "redis", filepath.Join(t.TempDir(), "ba.sqlite"), map[string]string{"BA_REDIS": storetest.RedisURL, "BA_REDIS_PREFIX": prefix}, betterauth.Config{})
	ctx := context.Background()
	st, err := redisstore.Open(ctx, storetest.RedisURL, redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o, _ := redis.ParseURL(storetest.RedisURL)
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })

	keys := func(cookie string) (tok, uid string) {
		body, _ := l.real(t, cookie)
		var b struct{ User struct{ ID string } }
		if err := json.Unmarshal([]byte(body), &b); err != nil || b.User.ID == "" {
			t.Fatalf("get-session: %s", body)
		}
		return l.token(t, cookie), b.User.ID
	}
	left := func(label string, names ...string) {
		t.Helper()
		for _, n := range names {
			if rdb.Exists(ctx, prefix+n).Val() != 0 {
				t.Errorf("%s: key %s left", label, strings.SplitN(n, "-", 3)[0])
			}
		}
	}
	// One session: the server's sign-out and Go's RevokeSession.
	ada, grace := l.signUp(t, "ada@example.test", "Ada"), l.signUp(t, "grace@example.test", "Grace")
	atok, aid := keys(ada)
	gtok, gid := keys(grace)
	l.post(t, "/api/auth/sign-out", ada)
	left("server sign-out", atok, "active-sessions-"+aid)
	if err := st.RevokeSession(ctx, gtok); err != nil {
		t.Fatal(err)
	}
	left("Go revoke", gtok, "active-sessions-"+gid)
	if body, _ := l.real(t, grace); body != "null" {
		t.Errorf("server after Go's revoke: %s", body)
	}
	// Every session of a user: the server's revoke-sessions and Go's RevokeUser.
	bob, cy := l.signUp(t, "bob@example.test", "Bob"), l.signUp(t, "cy@example.test", "Cy")
	btok, bid := keys(bob)
	ctok, cid := keys(cy)
	l.post(t, "/api/auth/revoke-sessions", bob)
	if n, err := st.RevokeUser(ctx, cid); err != nil || n != 1 {
		t.Fatalf("Go revoke user: %d %v", n, err)
	}
	left("server revoke-sessions", btok, "active-sessions-"+bid)
	left("Go revoke user", ctok, "active-sessions-"+cid)
	for _, uid := range []string{bid, cid} {
		ttl := rdb.TTL(ctx, prefix+"revoked-sessions-before-"+uid).Val()
		if ttl < 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour {
			t.Errorf("revoked-sessions-before TTL %v", ttl)
		}
	}
	if body, _ := l.real(t, cy); body != "null" {
		t.Errorf("server after Go's revoke user: %s", body)
	}
}

// post sends an authenticated POST as the browser would.
func (l *live) post(t *testing.T, path, cookie string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.origin+path, strings.NewReader("{}"))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("origin", l.baseURL)
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
}
