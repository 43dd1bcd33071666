package resolver

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// memStore is an in-memory Store that records every write, so the tests
// can assert which writes Auth.js's rules cause.
type memStore struct {
	mu       sync.Mutex
	sessions map[string]StoredSession
	users    map[string]StoredUser
	updates  []time.Time
	deletes  []string
	err      error         // returned by every call when set
	block    bool          // SessionAndUser waits for ctx to end
	ignore   time.Duration // SessionAndUser sleeps this long, ignoring ctx
}

func newMemStore() *memStore {
	return &memStore{sessions: map[string]StoredSession{}, users: map[string]StoredUser{}}
}

func (m *memStore) SessionAndUser(ctx context.Context, token string) (*StoredSession, *StoredUser, error) {
	if m.block {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	if m.ignore > 0 {
		time.Sleep(m.ignore)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return nil, nil, m.err
	}
	s, ok := m.sessions[token]
	if !ok {
		return nil, nil, nil
	}
	u, ok := m.users[s.UserID]
	if !ok {
		return &s, nil, nil
	}
	return &s, &u, nil
}

func (m *memStore) UpdateExpiry(_ context.Context, token string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	s := m.sessions[token]
	s.Expires = expires
	m.sessions[token] = s
	m.updates = append(m.updates, expires)
	return nil
}

func (m *memStore) DeleteSession(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	delete(m.sessions, token)
	m.deletes = append(m.deletes, token)
	return nil
}

func (m *memStore) Close() error { return nil }

func ptr[T any](v T) *T { return &v }

var dbNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newDBResolver(t *testing.T, cfg Config, st Store) Resolver {
	t.Helper()
	cfg.Strategy = StrategyDatabase
	cfg.RefreshCookies = true
	r, err := New(cfg, WithStore(st), WithClock(func() time.Time { return dbNow }))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDatabaseSemantics(t *testing.T) {
	const maxAge, updateAge = 30 * 24 * time.Hour, 24 * time.Hour
	alice := StoredUser{ID: "u1", Name: ptr("Alice"), Email: ptr("alice@example.com")}
	tests := []struct {
		name       string
		expires    time.Time
		user       *StoredUser
		readOnly   bool
		wantReason Reason
		wantUpdate bool
		wantDelete bool
	}{
		{"fresh session, not due", dbNow.Add(maxAge), &alice, false, ReasonOK, false, false},
		// due exactly at the boundary: expires - maxAge + updateAge == now
		{"due at boundary", dbNow.Add(maxAge - updateAge), &alice, false, ReasonOK, true, false},
		{"one ms before due", dbNow.Add(maxAge - updateAge + time.Millisecond), &alice, false, ReasonOK, false, false},
		{"due, read-only", dbNow.Add(time.Hour), &alice, true, ReasonOK, false, false},
		// strict expiry, no tolerance: expires == now is alive, now-1ms is not
		{"expires now", dbNow, &alice, false, ReasonOK, true, false},
		{"expired 1ms ago", dbNow.Add(-time.Millisecond), &alice, false, ReasonExpired, false, true},
		{"expired, read-only", dbNow.Add(-time.Hour), &alice, true, ReasonExpired, false, false},
		{"user missing", dbNow.Add(time.Hour), nil, false, ReasonUserMissing, false, false},
		{"user missing and expired", dbNow.Add(-time.Hour), nil, false, ReasonUserMissing, false, false},
		// Date has ms precision: sub-millisecond parts are truncated first
		{"expired by 0.5ms", dbNow.Add(-500 * time.Microsecond), &alice, false, ReasonExpired, false, true},
		{"0.5ms to live", dbNow.Add(500 * time.Microsecond), &alice, false, ReasonOK, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore()
			st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u1", Expires: tc.expires}
			if tc.user != nil {
				st.users["u1"] = *tc.user
			}
			r := newDBResolver(t, Config{ReadOnly: tc.readOnly}, st)
			res, err := r.Resolve(t.Context(), FromPairs("authjs.session-token", "tok"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != tc.wantReason || res.Source != "database" {
				t.Fatalf("reason %q source %q, want %q; err %v", res.Reason, res.Source, tc.wantReason, res.Err)
			}
			if got := len(st.updates) == 1; got != tc.wantUpdate || len(st.updates) > 1 {
				t.Errorf("updates %v, want update=%v", st.updates, tc.wantUpdate)
			}
			if tc.wantUpdate && !st.updates[0].Equal(dbNow.Add(maxAge)) {
				t.Errorf("extended to %v, want now+maxAge", st.updates[0])
			}
			if got := len(st.deletes) == 1; got != tc.wantDelete {
				t.Errorf("deletes %v, want delete=%v", st.deletes, tc.wantDelete)
			}
			if tc.wantReason != ReasonOK {
				if res.Session != nil || !errors.Is(res.Err, &NoSessionError{Reason: tc.wantReason}) {
					t.Errorf("session %v err %v", res.Session, res.Err)
				}
				want := []string{"authjs.session-token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"}
				if diff := cmp.Diff(want, cookieStrings(res.SetCookies)); diff != "" {
					t.Errorf("Set-Cookie (-want +got):\n%s", diff)
				}
				return
			}
			// The body carries the STORED expiry, even when it was extended.
			if !res.Session.Expires.Equal(time.UnixMilli(tc.expires.UnixMilli())) {
				t.Errorf("body expires %v, want stored %v", res.Session.Expires, tc.expires)
			}
			if res.Session.User.ID != "u1" {
				t.Errorf("user id %q", res.Session.User.ID)
			}
			want := []string{"authjs.session-token=tok; Path=/; Expires=Tue, 31 Mar 2026 12:00:00 GMT; HttpOnly; SameSite=Lax"}
			if diff := cmp.Diff(want, cookieStrings(res.SetCookies)); diff != "" {
				t.Errorf("Set-Cookie (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDatabaseExtendsOncePerUpdateAge(t *testing.T) {
	st := newMemStore()
	st.users["u1"] = StoredUser{ID: "u1"}
	st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u1", Expires: dbNow.Add(time.Hour)}
	r := newDBResolver(t, Config{}, st)
	for range 5 {
		res, err := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
		if err != nil || !res.OK() {
			t.Fatalf("%v %+v", err, res)
		}
	}
	if len(st.updates) != 1 {
		t.Fatalf("%d updates for 5 hits at one instant, want 1", len(st.updates))
	}
}

func TestDatabaseBody(t *testing.T) {
	st := newMemStore()
	st.users["42"] = StoredUser{ID: "42", Name: nil, Email: ptr("bob@example.org"), Image: nil}
	st.sessions["tok"] = StoredSession{Token: "tok", UserID: "42", Expires: time.Date(2026, 3, 31, 1, 2, 3, 456789000, time.UTC)}
	var seen HookSource
	cfg := Config{Strategy: StrategyDatabase}
	r, err := New(cfg, WithStore(st), WithClock(func() time.Time { return dbNow }),
		WithHooks(Hooks{Session: func(_ context.Context, s *Session, src HookSource) error {
			seen = src
			s.Extra = append(s.Extra, Member{Name: "role", Value: String("admin")})
			return nil
		}}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	if res.SetCookies != nil {
		t.Errorf("cookies without RefreshCookies: %v", res.SetCookies)
	}
	u := res.Session.User
	if !u.Name.IsNull() || !u.Image.IsNull() {
		t.Errorf("NULL columns must be null members: %+v", u)
	}
	if e, _ := u.Email.Str(); e != "bob@example.org" {
		t.Errorf("email %v", u.Email)
	}
	if want := time.Date(2026, 3, 31, 1, 2, 3, 456000000, time.UTC); !res.Session.Expires.Equal(want) {
		t.Errorf("expires %v, want ms precision %v", res.Session.Expires, want)
	}
	if seen.Stored == nil || seen.User == nil || seen.Stored.Token != "tok" || seen.User.ID != "42" || seen.Updated {
		t.Errorf("hook source %+v", seen)
	}
	if len(res.Session.Extra) != 1 {
		t.Errorf("hook edit lost: %+v", res.Session.Extra)
	}
}

func TestDatabaseHookError(t *testing.T) {
	st := newMemStore()
	st.users["u"] = StoredUser{ID: "u"}
	st.sessions["t"] = StoredSession{Token: "t", UserID: "u", Expires: dbNow.Add(time.Hour)}
	r, err := New(Config{Strategy: StrategyDatabase, RefreshCookies: true}, WithStore(st),
		WithClock(func() time.Time { return dbNow }),
		WithHooks(Hooks{Session: func(context.Context, *Session, HookSource) error { return errors.New("nope") }}))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=t"))
	if res.OK() || res.Reason != ReasonCallback || len(res.SetCookies) != 0 {
		t.Fatalf("%+v", res)
	}
	if !st.updates[0].Equal(dbNow.Add(DefaultMaxAge)) {
		t.Errorf("the extension happens before the callback, as in Auth.js")
	}
}

func TestDatabaseNoCookieAndUnknown(t *testing.T) {
	st := newMemStore()
	r := newDBResolver(t, Config{}, st)
	res, _ := r.Resolve(t.Context(), Input{})
	if res.Reason != ReasonNoCookie || len(res.SetCookies) != 0 {
		t.Fatalf("%+v", res)
	}
	res, _ = r.Resolve(t.Context(), FromCookieHeader("authjs.session-token.0=ab; authjs.session-token.1=cd"))
	if res.Reason != ReasonUnknownSession {
		t.Fatalf("%+v", res)
	}
	want := []string{
		"authjs.session-token.0=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
		"authjs.session-token.1=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
	}
	if diff := cmp.Diff(want, cookieStrings(res.SetCookies)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDatabaseChunkedAndSecure(t *testing.T) {
	st := newMemStore()
	st.users["u"] = StoredUser{ID: "u"}
	st.sessions["abcd"] = StoredSession{Token: "abcd", UserID: "u", Expires: dbNow.Add(DefaultMaxAge)}
	r := newDBResolver(t, Config{BaseURL: "https://app.example.com"}, st)
	res, _ := r.Resolve(t.Context(), FromCookieHeader("__Secure-authjs.session-token.0=ab; __Secure-authjs.session-token.1=cd"))
	if !res.OK() {
		t.Fatalf("%+v", res)
	}
	// One cookie with the plain name; the chunk names are not cleared.
	want := []string{"__Secure-authjs.session-token=abcd; Path=/; Expires=Tue, 31 Mar 2026 12:00:00 GMT; HttpOnly; Secure; SameSite=Lax"}
	if diff := cmp.Diff(want, cookieStrings(res.SetCookies)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDatabaseStoreError(t *testing.T) {
	t.Run("error", func(t *testing.T) {
		st := newMemStore()
		st.err = errors.New("connection refused")
		r := newDBResolver(t, Config{}, st)
		res, err := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
		if err != nil || res.Reason != ReasonStoreError || len(res.SetCookies) != 0 {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("write fails", func(t *testing.T) {
		st := newMemStore()
		st.users["u"] = StoredUser{ID: "u"}
		st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u", Expires: dbNow.Add(-time.Hour)}
		r := newDBResolver(t, Config{}, &failWrites{st})
		res, _ := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
		if res.Reason != ReasonStoreError || len(res.SetCookies) != 0 {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		st := newMemStore()
		st.block = true
		r := newDBResolver(t, Config{StoreTimeout: 50 * time.Millisecond}, st)
		start := time.Now()
		res, err := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
		if err != nil || res.Reason != ReasonStoreError || !errors.Is(res.Err, context.DeadlineExceeded) {
			t.Fatalf("%v %+v", err, res)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("store ignores deadline", func(t *testing.T) {
		st := newMemStore()
		st.ignore = 30 * time.Millisecond
		st.users["u"] = StoredUser{ID: "u"}
		st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u", Expires: dbNow.Add(time.Hour)}
		r := newDBResolver(t, Config{StoreTimeout: time.Millisecond}, st)
		res, _ := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
		if res.Reason != ReasonStoreError {
			t.Fatalf("a late answer must not count: %+v", res)
		}
	})
	t.Run("caller canceled", func(t *testing.T) {
		st := newMemStore()
		st.block = true
		r := newDBResolver(t, Config{}, st)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		res, err := r.Resolve(ctx, FromCookieHeader("authjs.session-token=tok"))
		if err != nil || res.Reason != ReasonCanceled {
			t.Fatalf("%v %+v", err, res)
		}
	})
}

func TestDatabaseNeedsStore(t *testing.T) {
	_, err := New(Config{Strategy: StrategyDatabase})
	if !errors.Is(err, ErrUnconfigured) {
		t.Fatalf("err %v", err)
	}
}

func TestDBCookieValue(t *testing.T) {
	for in, want := range map[string]string{
		"0b6a3c1e-6f0e-4a55-9d7e-3f2a1b0c9d8e": "0b6a3c1e-6f0e-4a55-9d7e-3f2a1b0c9d8e",
		"a b;c=d'é":                            "a%20b%3Bc%3Dd'%C3%A9",
	} {
		if got := dbCookieValue(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

type failWrites struct{ *memStore }

func (f *failWrites) DeleteSession(context.Context, string) error {
	return errors.New("read-only replica")
}
func (f *failWrites) UpdateExpiry(context.Context, string, time.Time) error {
	return errors.New("read-only replica")
}

func cookieStrings(cs []*http.Cookie) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

// BenchmarkDatabaseResolve is the resolver's own cost over an in-memory
// store: cookie reading, the Auth.js rules and the body.
func BenchmarkDatabaseResolve(b *testing.B) {
	st := newMemStore()
	st.users["u"] = StoredUser{ID: "u", Name: ptr("Ada"), Email: ptr("ada@example.com")}
	st.sessions["0b6a3c1e-6f0e-4a55-9d7e-3f2a1b0c9d8e"] = StoredSession{Token: "0b6a3c1e-6f0e-4a55-9d7e-3f2a1b0c9d8e", UserID: "u", Expires: dbNow.Add(DefaultMaxAge)}
	r, err := New(Config{Strategy: StrategyDatabase}, WithStore(st), WithClock(func() time.Time { return dbNow }))
	if err != nil {
		b.Fatal(err)
	}
	in := FromCookieHeader("authjs.session-token=0b6a3c1e-6f0e-4a55-9d7e-3f2a1b0c9d8e; other=1")
	b.ReportAllocs()
	for b.Loop() {
		if res, _ := r.Resolve(b.Context(), in); !res.OK() {
			b.Fatal(res.Reason)
		}
	}
}

// TestDatabaseExtensionWholeMilliseconds: Auth.js computes the new expiry
// as a JavaScript Date, so the row gets whole milliseconds even when the
// clock has finer ones (PostgreSQL would keep the microseconds).
func TestDatabaseExtensionWholeMilliseconds(t *testing.T) {
	st := newMemStore()
	st.users["u1"] = StoredUser{ID: "u1"}
	st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u1", Expires: dbNow.Add(time.Hour)}
	now := dbNow.Add(1234567 * time.Nanosecond) // 1.234567 ms past the second
	r, err := New(Config{Strategy: StrategyDatabase, RefreshCookies: true}, WithStore(st), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(t.Context(), FromCookieHeader("authjs.session-token=tok"))
	if err != nil || !res.OK() || len(st.updates) != 1 {
		t.Fatalf("%v %+v %v", err, res, st.updates)
	}
	want := dbNow.Add(DefaultMaxAge + time.Millisecond)
	if !st.updates[0].Equal(want) {
		t.Errorf("extended to %s, want %s", st.updates[0].Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
}
