package betterauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

var _ resolver.Resolver = (*Resolver)(nil)

type failingStore struct{ err error }

func (f failingStore) FindSession(context.Context, string) (*Record, error) { return nil, f.err }
func (f failingStore) UpdateSession(context.Context, string, time.Time, time.Time) (Object, error) {
	return nil, f.err
}
func (f failingStore) DeleteSession(context.Context, string) error { return f.err }

func validVector(t *testing.T) vector {
	for _, v := range loadVectors(t, "database") {
		if v.Name == "valid" {
			return v
		}
	}
	t.Fatal("no valid vector")
	return vector{}
}

// A failing store is a per-request reason, not a resolver error, and the
// error names the step without token material.
func TestStoreFailure(t *testing.T) {
	v := validVector(t)
	r, err := New(v.config(t), WithStore(failingStore{errors.New("connection refused")}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(context.Background(), resolver.FromCookieHeader(*v.Cookie))
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Reason != resolver.ReasonStoreError || res.Err == nil {
		t.Fatalf("got %v %v", res.Reason, res.Err)
	}
	tok, _ := ParseSignedCookie(tryDecode(strings.TrimPrefix(*v.Cookie, "better-auth.session_token=")), v.config(t).Secrets.Current)
	if tok == "" || strings.Contains(res.Err.Error(), tok) {
		t.Fatalf("error %q leaks the token (or no token parsed)", res.Err)
	}
}

func TestResolveCanceled(t *testing.T) {
	v := validVector(t)
	r, _ := New(v.config(t), WithStore(NewMemoryStore()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Resolve(ctx, resolver.FromCookieHeader(*v.Cookie)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

// Printing a session or an answer never shows the token or the user.
func TestRedaction(t *testing.T) {
	v := validVector(t)
	now := time.UnixMilli(v.NowMS)
	r, _ := New(v.config(t), WithStore(storeFrom(t, v.RowsRaw)), WithClock(func() time.Time { return now }))
	a, err := r.ResolveBody(context.Background(), resolver.FromCookieHeader(*v.Cookie), Options{})
	if err != nil || a.Body == nil {
		t.Fatal(a.Result.Reason, err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "session", a.Body)
	for _, out := range []string{fmt.Sprint(a.Body), fmt.Sprintf("%v %+v %v", a.Body, *a.Body, a), logged.String()} {
		for _, secret := range []string{a.Body.Token(), "ada@example.test", "Ada Lovelace"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows %q", out, secret)
			}
		}
	}
}
