package resolver_test

// Database-strategy interop replay: testdata/authjs/vectors/db/*.json were
// produced by the real Auth() (database strategy) over an in-memory adapter
// that answers like @auth/pg-adapter and records every adapter call. Here
// the Go database resolver runs over a recording Store seeded with the same
// rows, and must produce the same body, the same session Set-Cookie lines
// (fully deterministic in this strategy), the same writes (update with the
// same expiry, delete) in the same order, and leave the same rows behind.

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

type dbVector struct {
	Name             string   `json:"name"`
	Category         string   `json:"category"`
	Tags             []string `json:"tags"`
	Note             string   `json:"note"`
	NowMS            int64    `json:"now_ms"`
	BaseURL          string   `json:"base_url"`
	CookieName       string   `json:"cookie_name"`
	CustomCookieName *string  `json:"custom_cookie_name"`
	MaxAge           int64    `json:"max_age"`
	UpdateAge        int64    `json:"update_age"`
	CookieHeader     *string  `json:"cookie_header"`
	Store            dbState  `json:"store"`
	FailOn           *string  `json:"fail_on"`
	Expect           struct {
		Status     int      `json:"status"`
		BodyRaw    string   `json:"body_raw"`
		SetCookie  []string `json:"set_cookie"`
		Calls      []dbCall `json:"calls"`
		StoreAfter dbState  `json:"store_after"`
	} `json:"expect"`
}

type dbState struct {
	Sessions []dbSession `json:"sessions"`
	Users    []dbUser    `json:"users"`
}

type dbSession struct {
	SessionToken string `json:"sessionToken"`
	UserID       string `json:"userId"`
	Expires      string `json:"expires"`
}

type dbUser struct {
	ID            string  `json:"id"`
	Name          *string `json:"name"`
	Email         *string `json:"email"`
	EmailVerified *string `json:"emailVerified"`
	Image         *string `json:"image"`
}

type dbCall struct {
	Op      string `json:"op"`
	Token   string `json:"token"`
	Expires string `json:"expires,omitempty"`
}

const jsISO = "2006-01-02T15:04:05.000Z"

// recStore is a Store over dbState that records calls with Auth.js's
// adapter method names and fails the named one.
type recStore struct {
	mu     sync.Mutex
	state  dbState
	failOn string
	calls  []dbCall
}

var errTestStore = errors.New("test store: injected failure")

func (s *recStore) find(token string) int {
	for i, x := range s.state.Sessions {
		if x.SessionToken == token {
			return i
		}
	}
	return -1
}

func (s *recStore) SessionAndUser(_ context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, dbCall{Op: "getSessionAndUser", Token: token})
	if s.failOn == "getSessionAndUser" {
		return nil, nil, errTestStore
	}
	i := s.find(token)
	if i < 0 {
		return nil, nil, nil
	}
	row := s.state.Sessions[i]
	exp, err := time.Parse(time.RFC3339Nano, row.Expires)
	if err != nil {
		return nil, nil, err
	}
	ss := &resolver.StoredSession{Token: row.SessionToken, UserID: row.UserID, Expires: exp}
	for _, u := range s.state.Users {
		if u.ID == row.UserID {
			su := &resolver.StoredUser{ID: u.ID, Name: u.Name, Email: u.Email, Image: u.Image}
			if u.EmailVerified != nil {
				t, err := time.Parse(time.RFC3339Nano, *u.EmailVerified)
				if err != nil {
					return nil, nil, err
				}
				su.EmailVerified = &t
			}
			return ss, su, nil
		}
	}
	return ss, nil, nil
}

func (s *recStore) UpdateExpiry(_ context.Context, token string, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	iso := expires.UTC().Format(jsISO)
	s.calls = append(s.calls, dbCall{Op: "updateSession", Token: token, Expires: iso})
	if s.failOn == "updateSession" {
		return errTestStore
	}
	if i := s.find(token); i >= 0 {
		s.state.Sessions[i].Expires = iso
	}
	return nil
}

func (s *recStore) DeleteSession(_ context.Context, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, dbCall{Op: "deleteSession", Token: token})
	if s.failOn == "deleteSession" {
		return errTestStore
	}
	if i := s.find(token); i >= 0 {
		s.state.Sessions = append(s.state.Sessions[:i], s.state.Sessions[i+1:]...)
	}
	return nil
}

func (s *recStore) Close() error { return nil }

func TestInteropDatabaseVectors(t *testing.T) {
	vs := authjstest.Load[*dbVector](t, "db")
	if len(vs) < 20 {
		t.Fatalf("only %d database vectors: the set is incomplete", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			if why, ok := knownFailing["database/"+v.Name]; ok {
				t.Skipf("KNOWN FAILING vs real Auth.js: %s", why)
			}
			replayDB(t, v)
		})
	}
}

func replayDB(t *testing.T, v *dbVector) {
	if v.Note != "" {
		t.Logf("note: %s", v.Note)
	}
	// A deep copy: the store mutates its state.
	var state dbState
	b, _ := json.Marshal(v.Store)
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	st := &recStore{state: state, failOn: authjstest.Deref(v.FailOn)}
	cfg := resolver.Config{
		Mode:           resolver.ModeLocal,
		Strategy:       resolver.StrategyDatabase,
		BaseURL:        v.BaseURL,
		MaxAge:         time.Duration(v.MaxAge) * time.Second,
		UpdateAge:      time.Duration(v.UpdateAge) * time.Second,
		RefreshCookies: true,
	}
	if v.UpdateAge == 0 {
		// Config treats 0 as "default"; Auth.js's updateAge: 0 means every
		// request is due. The smallest positive duration is equivalent at
		// millisecond resolution.
		cfg.UpdateAge = time.Nanosecond
	}
	if v.CustomCookieName != nil {
		cfg.CookieName = *v.CustomCookieName
	}
	if got := cfg.SessionCookieName(); got != v.CookieName {
		t.Fatalf("SessionCookieName() = %q, Auth.js uses %q", got, v.CookieName)
	}
	now := time.UnixMilli(v.NowMS).UTC()
	r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return now }), resolver.WithStore(st))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	in := resolver.Input{}
	if v.CookieHeader != nil {
		in = resolver.FromCookieHeader(*v.CookieHeader)
	}
	res, err := r.Resolve(context.Background(), in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got := string(resolver.MarshalSessionBody(res.Session)); got != v.Expect.BodyRaw {
		t.Errorf("body (reason %s, %v)\n got: %s\nwant: %s", res.Reason, res.Err, got, v.Expect.BodyRaw)
	}
	var gotLines []string
	for _, c := range res.SetCookies {
		gotLines = append(gotLines, resolver.FormatSetCookie(c))
	}
	var wantLines []string
	for _, c := range sessionSetCookies(v.Expect.SetCookie, v.CookieName) {
		wantLines = append(wantLines, c.name+"="+c.value+";"+c.attrs)
	}
	if d := cmp.Diff(wantLines, gotLines); d != "" {
		t.Errorf("session Set-Cookie lines (-auth.js +go):\n%s", d)
	}
	if d := cmp.Diff(v.Expect.Calls, st.calls, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("store calls (-auth.js adapter +go store):\n%s", d)
	}
	if d := cmp.Diff(v.Expect.StoreAfter, st.state, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("rows left behind (-auth.js +go):\n%s", d)
	}
	if v.FailOn != nil && res.Reason != resolver.ReasonStoreError {
		t.Errorf("reason = %s, want %s", res.Reason, resolver.ReasonStoreError)
	}
}
