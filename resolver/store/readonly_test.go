package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// fakeStore is an in-memory store that counts the writes reaching it.
type fakeStore struct {
	sess   resolver.StoredSession
	writes int
	closed bool
}

func (f *fakeStore) SessionAndUser(_ context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	if token != f.sess.Token {
		return nil, nil, nil
	}
	s := f.sess
	return &s, &resolver.StoredUser{ID: s.UserID}, nil
}
func (f *fakeStore) UpdateExpiry(context.Context, string, time.Time) error { f.writes++; return nil }
func (f *fakeStore) DeleteSession(context.Context, string) error           { f.writes++; return nil }
func (f *fakeStore) Close() error                                          { f.closed = true; return nil }

// fakeBrowse and fakeSeed add the optional interfaces to a fakeStore.
type fakeBrowse struct{ f *fakeStore }

func (b fakeBrowse) ListSessions(context.Context, store.ListQuery) (store.Page, error) {
	return store.Page{Rows: []resolver.SessionRow{{Session: b.f.sess}}}, nil
}
func (b fakeBrowse) Counts(context.Context, store.CountQuery) (store.Counts, error) {
	return store.Counts{Total: 1, Active: 1}, nil
}
func (b fakeBrowse) RevokeSession(context.Context, string) error { b.f.writes++; return nil }
func (b fakeBrowse) RevokeUser(context.Context, string) (int, error) {
	b.f.writes++
	return 1, nil
}

type fakeSeed struct{ f *fakeStore }

func (d fakeSeed) IntegerUserIDs() bool { return true }
func (d fakeSeed) InsertUsers(_ context.Context, u []resolver.StoredUser) (int, error) {
	d.f.writes++
	return len(u), nil
}
func (d fakeSeed) InsertSessions(_ context.Context, s []resolver.StoredSession) (int, error) {
	d.f.writes++
	return len(s), nil
}

type (
	browserStore struct {
		*fakeStore
		fakeBrowse
	}
	seederStore struct {
		*fakeStore
		fakeSeed
	}
	fullStore struct {
		*fakeStore
		fakeBrowse
		fakeSeed
	}
)

func newFake() *fakeStore {
	return &fakeStore{sess: resolver.StoredSession{Token: "t", UserID: "u", Expires: time.Unix(2e9, 0)}}
}

func TestReadOnlyRefusesWritesPassesReads(t *testing.T) {
	ctx := t.Context()
	f := newFake()
	ro := store.ReadOnly(fullStore{f, fakeBrowse{f}, fakeSeed{f}})
	b, ok := ro.(store.Browser)
	if !ok {
		t.Fatal("wrapper of a Browser is not a Browser")
	}
	sd, ok := ro.(store.Seeder)
	if !ok {
		t.Fatal("wrapper of a Seeder is not a Seeder")
	}
	for name, err := range map[string]error{
		"UpdateExpiry":   ro.UpdateExpiry(ctx, "t", time.Now()),
		"DeleteSession":  ro.DeleteSession(ctx, "t"),
		"RevokeSession":  b.RevokeSession(ctx, "t"),
		"RevokeUser":     second(b.RevokeUser(ctx, "u")),
		"InsertUsers":    second(sd.InsertUsers(ctx, []resolver.StoredUser{{ID: "x"}})),
		"InsertSessions": second(sd.InsertSessions(ctx, []resolver.StoredSession{{Token: "y"}})),
	} {
		if !errors.Is(err, resolver.ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := store.Seed(ctx, sd, store.SeedOptions{Users: 2, Sessions: 2}); !errors.Is(err, resolver.ErrReadOnly) {
		t.Errorf("Seed: %v, want ErrReadOnly", err)
	}
	if f.writes != 0 {
		t.Errorf("%d writes reached the wrapped store", f.writes)
	}
	s, u, err := ro.SessionAndUser(ctx, "t")
	if err != nil || s == nil || s.UserID != "u" || u == nil || u.ID != "u" {
		t.Errorf("SessionAndUser = %v, %v, %v; want the wrapped store's session", s, u, err)
	}
	if p, err := b.ListSessions(ctx, store.ListQuery{}); err != nil || len(p.Rows) != 1 {
		t.Errorf("ListSessions = %d rows, %v", len(p.Rows), err)
	}
	if c, err := b.Counts(ctx, store.CountQuery{}); err != nil || c.Total != 1 {
		t.Errorf("Counts = %+v, %v", c, err)
	}
	if !sd.IntegerUserIDs() {
		t.Error("IntegerUserIDs did not pass through")
	}
	if err := ro.Close(); err != nil || !f.closed {
		t.Errorf("Close = %v, closed %v", err, f.closed)
	}
}

func second(_ int, err error) error { return err }

func TestReadOnlyKeepsCapabilities(t *testing.T) {
	f := newFake()
	for _, tc := range []struct {
		name            string
		s               resolver.Store
		browser, seeder bool
	}{
		{"plain", f, false, false},
		{"browser", browserStore{f, fakeBrowse{f}}, true, false},
		{"seeder", seederStore{f, fakeSeed{f}}, false, true},
		{"full", fullStore{f, fakeBrowse{f}, fakeSeed{f}}, true, true},
	} {
		ro := store.ReadOnly(tc.s)
		_, b := ro.(store.Browser)
		_, sd := ro.(store.Seeder)
		if b != tc.browser || sd != tc.seeder {
			t.Errorf("%s: Browser %v Seeder %v, want %v %v", tc.name, b, sd, tc.browser, tc.seeder)
		}
		if store.Unwrap(ro) != tc.s {
			t.Errorf("%s: Unwrap does not return the wrapped store", tc.name)
		}
		if again := store.ReadOnly(ro); again != ro {
			t.Errorf("%s: wrapping twice made a second wrapper", tc.name)
		}
		if store.Unwrap(tc.s) != tc.s {
			t.Errorf("%s: Unwrap of an unwrapped store changed it", tc.name)
		}
	}
}

func TestOpenAppliesReadOnly(t *testing.T) {
	f := newFake()
	store.Register(store.Driver{Kind: "fake", Schemes: []string{"fake-ro-test"},
		Open: func(context.Context, string, store.Options) (resolver.Store, error) {
			return browserStore{f, fakeBrowse{f}}, nil
		}})
	if k, err := store.KindOf("fake-ro-test://x"); err != nil || k != "fake" {
		t.Fatalf("KindOf = %q, %v", k, err)
	}
	rw, err := store.Open(t.Context(), "FAKE-RO-TEST://x", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.DeleteSession(t.Context(), "t"); err != nil || f.writes != 1 {
		t.Fatalf("writable store: %v, %d writes", err, f.writes)
	}
	ro, err := store.Open(t.Context(), "fake-ro-test://x", store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.(store.Browser).RevokeSession(t.Context(), "t"); !errors.Is(err, resolver.ErrReadOnly) || f.writes != 1 {
		t.Errorf("read-only store: %v, %d writes", err, f.writes)
	}
}
