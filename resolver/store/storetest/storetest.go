// Package storetest is the conformance suite every session store passes:
// the adapter operations, Auth.js's rules end to end through the resolver,
// read-only mode, keyset pagination, counts, revocation and seeding. A
// store's own tests call Run with a factory for fresh, empty stores.
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
	"github.com/google/go-cmp/cmp"
)

// Full is what every registered store driver implements: resolver.Store
// plus the browsing and seeding APIs of package store.
type Full interface {
	resolver.Store
	store.Browser
	store.Seeder
}

// Harness is a fresh, empty store and a way to open a read-only view of
// the same data.
type Harness struct {
	Store    Full
	ReadOnly func(t *testing.T) Full
	// Reopen opens the same data again as the read commands do (resolve,
	// serve, tui); Catalog dumps everything that is schema, not rows. With
	// both set the suite checks that reading leaves the schema unchanged.
	Reopen  func(t *testing.T) Full
	Catalog func(t *testing.T) string
	// Precision is the expiry column's resolution when it is coarser than
	// JavaScript's millisecond (Drizzle's MySQL TIMESTAMP keeps seconds,
	// and the server rounds): expected expiries are rounded to it, as the
	// adapter would read them back.
	Precision time.Duration
	// SupabaseQuirks: the store answers as @auth/supabase-adapter does, whose
	// user has no NULL members (StoredUser.NullsAbsent) and whose lookup of
	// a session without its user throws (ErrMalformedRow).
	SupabaseQuirks bool
	// EmptyOrphanUser: a session without its user comes back with an empty
	// user (all members absent), as @auth/prisma-adapter on Prisma 7 returns
	// it, so Auth.js treats the session as valid.
	EmptyOrphanUser bool
}

// stored is t as a store of precision p reads it back (MySQL rounds).
func stored(t time.Time, p time.Duration) time.Time {
	if p <= 0 {
		return t
	}
	return t.Round(p)
}

// Fresh returns a new empty store; the factory registers its cleanup.
type Fresh func(t *testing.T) Harness

// Now is the suite's fixed "now".
var Now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// Run runs the whole suite.
func Run(t *testing.T, fresh Fresh) {
	t.Run("Lookup", func(t *testing.T) { testLookup(t, fresh(t)) })
	t.Run("Metacharacters", func(t *testing.T) { testMeta(t, fresh(t)) })
	t.Run("Writes", func(t *testing.T) { testWrites(t, fresh(t)) })
	t.Run("AuthjsSemantics", func(t *testing.T) { testSemantics(t, fresh(t)) })
	t.Run("ReadOnly", func(t *testing.T) { testReadOnly(t, fresh(t)) })
	t.Run("Browse", func(t *testing.T) { testBrowse(t, fresh(t)) })
	t.Run("Revoke", func(t *testing.T) { testRevoke(t, fresh(t)) })
	t.Run("Deadline", func(t *testing.T) { testDeadline(t, fresh(t)) })
	t.Run("SchemaUnchanged", func(t *testing.T) { testSchemaUnchanged(t, fresh(t)) })
}

func ptr[T any](v T) *T { return &v }

// UserID returns a user id the store accepts for the i-th test user.
func UserID(s store.Seeder, i int) string { return store.UserIDFor(s, 7, i) }

// Put inserts users and sessions, failing the test on error.
func Put(t *testing.T, s Full, users []resolver.StoredUser, sessions []resolver.StoredSession) {
	t.Helper()
	if len(users) > 0 {
		if _, err := s.InsertUsers(t.Context(), users); err != nil {
			t.Fatal(err)
		}
	}
	if len(sessions) > 0 {
		if _, err := s.InsertSessions(t.Context(), sessions); err != nil {
			t.Fatal(err)
		}
	}
}

func testLookup(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	u1, u2 := UserID(s, 1), UserID(s, 2)
	verified := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	Put(t, s, []resolver.StoredUser{
		{ID: u1, Name: ptr("Ada Lovelace"), Email: ptr("ada@example.com"), EmailVerified: &verified},
	}, []resolver.StoredSession{
		{Token: "tok-1", UserID: u1, Expires: Now.Add(time.Hour + 123*time.Millisecond)},
		{Token: "tok-orphan", UserID: u2, Expires: Now.Add(time.Hour)},
	})
	sess, user, err := s.SessionAndUser(ctx, "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	wantS := &resolver.StoredSession{Token: "tok-1", UserID: u1, Expires: stored(Now.Add(time.Hour+123*time.Millisecond), h.Precision)}
	wantU := &resolver.StoredUser{ID: u1, Name: ptr("Ada Lovelace"), Email: ptr("ada@example.com"), EmailVerified: &verified, NullsAbsent: h.SupabaseQuirks}
	if diff := cmp.Diff(wantS, sess); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantU, user); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	if sess, user, err := s.SessionAndUser(ctx, "tok-orphan"); h.SupabaseQuirks {
		if !errors.Is(err, resolver.ErrMalformedRow) {
			t.Errorf("session without user: %v %v %v, want the adapter's error", sess, user, err)
		}
	} else if h.EmptyOrphanUser {
		if want := (&resolver.StoredUser{ID: u2, NullsAbsent: true}); err != nil || sess == nil || !cmp.Equal(user, want) {
			t.Errorf("session without user: %v %+v %v, want an empty user", sess, user, err)
		}
	} else if err != nil || sess == nil || user != nil {
		t.Errorf("session without user: %v %v %v", sess, user, err)
	}
	if sess, user, err := s.SessionAndUser(ctx, "nope"); err != nil || sess != nil || user != nil {
		t.Errorf("unknown token: %v %v %v", sess, user, err)
	}
	if sess, _, err := s.SessionAndUser(ctx, ""); err != nil || sess != nil {
		t.Errorf("empty token: %v %v", sess, err)
	}
}

// metaTokens would break or widen a query built by concatenation, a LIKE,
// or a SCAN pattern.
var metaTokens = []string{
	`'; DROP TABLE sessions; --`, `" OR "1"="1`, `%`, `_`, `\`, `*`, `?`, `[a-z]`, `$1`, "tab\there", "ünï©ødé-☃", `a:b:c`,
}

func testMeta(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	u := UserID(s, 1)
	Put(t, s, []resolver.StoredUser{{ID: u, Name: ptr("O'Brien \"%_\""), Email: ptr("obrien@example.com")}}, nil)
	var sessions []resolver.StoredSession
	for i, tok := range metaTokens {
		sessions = append(sessions, resolver.StoredSession{Token: tok, UserID: u, Expires: Now.Add(time.Duration(i+1) * time.Hour)})
	}
	Put(t, s, nil, sessions)
	for i, tok := range metaTokens {
		sess, user, err := s.SessionAndUser(ctx, tok)
		if err != nil || sess == nil || user == nil || sess.Token != tok || !sess.Expires.Equal(sessions[i].Expires) {
			t.Fatalf("token %q: %+v %v %v", tok, sess, user, err)
		}
	}
	// Deleting "%" and "*" must delete exactly those.
	for _, tok := range []string{"%", "*"} {
		if err := s.DeleteSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Counts(ctx, store.CountQuery{Now: Now})
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != len(metaTokens)-2 {
		t.Fatalf("after deleting 2 of %d: %+v", len(metaTokens), c)
	}
	// A filter with LIKE metacharacters is literal.
	for filter, want := range map[string]int{`%`: c.Total, `"%_"`: c.Total, `zz%`: 0, `_x`: 0} {
		got, err := s.Counts(ctx, store.CountQuery{Now: Now, Filter: filter})
		if err != nil || got.Total != want {
			t.Errorf("filter %q: %+v %v, want %d", filter, got, err, want)
		}
	}
	// Case folding is Unicode's, not just ASCII's, in every store.
	u2 := UserID(s, 2)
	Put(t, s, []resolver.StoredUser{{ID: u2, Name: ptr("Örjan Ångström"), Email: ptr("ÉLODIE@EXAMPLE.COM")}},
		[]resolver.StoredSession{{Token: "unicode-user", UserID: u2, Expires: Now.Add(time.Hour)}})
	for _, filter := range []string{"örjan", "ÖRJAN", "ångström", "élodie@", "Élodie"} {
		got, err := s.Counts(ctx, store.CountQuery{Now: Now, Filter: filter})
		if err != nil || got.Total != 1 {
			t.Errorf("filter %q: %+v %v, want the one session", filter, got, err)
		}
		page, err := s.ListSessions(ctx, store.ListQuery{Now: Now, Filter: filter, Limit: 5})
		if err != nil || len(page.Rows) != 1 || page.Rows[0].Session.Token != "unicode-user" {
			t.Errorf("list %q: %d rows %v", filter, len(page.Rows), err)
		}
	}
}

func testWrites(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	u := UserID(s, 1)
	Put(t, s, []resolver.StoredUser{{ID: u, Email: ptr("w@example.com")}}, []resolver.StoredSession{{Token: "t", UserID: u, Expires: Now}})
	later := Now.Add(30 * 24 * time.Hour).Add(7 * time.Millisecond)
	if err := s.UpdateExpiry(ctx, "t", later); err != nil {
		t.Fatal(err)
	}
	sess, user, err := s.SessionAndUser(ctx, "t")
	if err != nil || sess == nil || !sess.Expires.Equal(stored(later, h.Precision)) || user == nil || user.Name != nil {
		t.Fatalf("after update: %+v %+v %v", sess, user, err)
	}
	if err := s.UpdateExpiry(ctx, "missing", later); err != nil {
		t.Errorf("update of a missing session: %v", err)
	}
	if err := s.DeleteSession(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if sess, _, _ := s.SessionAndUser(ctx, "t"); sess != nil {
		t.Fatal("deleted session still there")
	}
	if err := s.DeleteSession(ctx, "t"); err != nil {
		t.Errorf("delete of a missing session: %v", err)
	}
	// The user is untouched by session deletion.
	Put(t, s, nil, []resolver.StoredSession{{Token: "t2", UserID: u, Expires: Now}})
	if _, user, _ := s.SessionAndUser(ctx, "t2"); user == nil {
		t.Error("user gone after deleting a session")
	}
}

// testSemantics runs Auth.js's rules through the resolver on the real store.
func testSemantics(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	maxAge, updateAge := resolver.DefaultMaxAge, resolver.DefaultUpdateAge
	u1, u2 := UserID(s, 1), UserID(s, 2)
	Put(t, s, []resolver.StoredUser{{ID: u1, Name: ptr("Grace"), Email: ptr("grace@example.org")}}, []resolver.StoredSession{
		{Token: "fresh", UserID: u1, Expires: Now.Add(maxAge)},
		{Token: "due", UserID: u1, Expires: Now.Add(maxAge - updateAge)},
		{Token: "expired", UserID: u1, Expires: Now.Add(-time.Millisecond)},
		{Token: "orphan", UserID: u2, Expires: Now.Add(-time.Hour)},
	})
	r, err := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase},
		resolver.WithStore(s), resolver.WithClock(func() time.Time { return Now }))
	if err != nil {
		t.Fatal(err)
	}
	resolve := func(tok string) resolver.Result {
		res, err := r.Resolve(ctx, resolver.FromPairs(resolver.DefaultCookieName, tok))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	expiry := func(tok string) *time.Time {
		sess, _, err := s.SessionAndUser(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if sess == nil {
			return nil
		}
		return &sess.Expires
	}
	if res := resolve("fresh"); !res.OK() || !expiry("fresh").Equal(Now.Add(maxAge)) {
		t.Errorf("fresh: %+v", res)
	}
	res := resolve("due")
	if !res.OK() || !res.Session.Expires.Equal(Now.Add(maxAge-updateAge)) {
		t.Errorf("due: body must carry the stored expiry: %+v", res)
	}
	if got := expiry("due"); got == nil || !got.Equal(Now.Add(maxAge)) {
		t.Errorf("due: stored expiry %v, want now+maxAge", got)
	}
	if res := resolve("due"); !res.Session.Expires.Equal(Now.Add(maxAge)) {
		t.Errorf("second hit sees the extended expiry: %+v", res)
	}
	if res := resolve("expired"); res.Reason != resolver.ReasonExpired || expiry("expired") != nil {
		t.Errorf("expired: %+v, still stored: %v", res, expiry("expired") != nil)
	}
	if h.SupabaseQuirks {
		// The adapter throws: Auth.js answers null and touches nothing.
		if res := resolve("orphan"); res.Reason != resolver.ReasonStoreError || len(res.SetCookies) != 0 {
			t.Errorf("orphan: %+v, want the adapter's error and no cookie", res)
		}
	} else if h.EmptyOrphanUser {
		// A valid session with an empty user: expired here, so pruned.
		if res := resolve("orphan"); res.Reason != resolver.ReasonExpired || expiry("orphan") != nil {
			t.Errorf("orphan: %+v, want pruned as expired", res)
		}
	} else if res := resolve("orphan"); res.Reason != resolver.ReasonUserMissing || expiry("orphan") == nil {
		t.Errorf("orphan: %+v; the row must stay", res)
	}
	if res := resolve("unknown"); res.Reason != resolver.ReasonUnknownSession {
		t.Errorf("unknown: %+v", res)
	}
	imageOK := res.Session.User.Image.IsNull()
	if h.SupabaseQuirks {
		imageOK = !res.Session.User.Image.IsSet() // format() deleted the NULL
	}
	if u, _ := res.Session.User.Email.Str(); u != "grace@example.org" || res.Session.User.ID != u1 || !imageOK {
		t.Errorf("body user: %+v", res.Session.User)
	}
}

func testReadOnly(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	u := UserID(s, 1)
	Put(t, s, []resolver.StoredUser{{ID: u, Name: ptr("Linus"), Email: ptr("linus@example.org")}}, []resolver.StoredSession{
		{Token: "expired", UserID: u, Expires: Now.Add(-time.Hour)},
		{Token: "due", UserID: u, Expires: Now.Add(time.Hour)},
	})
	ro := h.ReadOnly(t)
	for name, err := range map[string]error{
		"UpdateExpiry":  ro.UpdateExpiry(ctx, "due", Now),
		"DeleteSession": ro.DeleteSession(ctx, "due"),
		"RevokeSession": ro.RevokeSession(ctx, "due"),
		"RevokeUser":    second(ro.RevokeUser(ctx, u)),
		"InsertUsers":   second(ro.InsertUsers(ctx, []resolver.StoredUser{{ID: UserID(s, 9), Email: ptr("n@example.com")}})),
		"InsertSessions": second(ro.InsertSessions(ctx, []resolver.StoredSession{
			{Token: "new", UserID: u, Expires: Now}})),
	} {
		if !errors.Is(err, resolver.ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
	// The resolver in read-only mode neither prunes nor extends.
	r, err := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase, ReadOnly: true},
		resolver.WithStore(ro), resolver.WithClock(func() time.Time { return Now }))
	if err != nil {
		t.Fatal(err)
	}
	for tok, want := range map[string]resolver.Reason{"expired": resolver.ReasonExpired, "due": resolver.ReasonOK} {
		res, _ := r.Resolve(ctx, resolver.FromPairs(resolver.DefaultCookieName, tok))
		if res.Reason != want {
			t.Errorf("%s: %+v", tok, res)
		}
	}
	c, err := ro.Counts(ctx, store.CountQuery{Now: Now})
	if err != nil || c.Total != 2 {
		t.Errorf("read-only store changed: %+v %v", c, err)
	}
	if sess, _, _ := ro.SessionAndUser(ctx, "due"); sess == nil || !sess.Expires.Equal(Now.Add(time.Hour)) {
		t.Errorf("due session was written: %+v", sess)
	}
}

func second[T any](_ T, err error) error { return err }

// seeded fills s with a deterministic data set and returns it for reference.
func seeded(t *testing.T, s Full, users, sessions int) ([]resolver.SessionRow, store.SeedOptions) {
	t.Helper()
	opts := store.SeedOptions{Users: users, Sessions: sessions, Seed: 42, Now: Now, Batch: 64}.WithDefaults()
	rep, err := store.Seed(t.Context(), s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users != users || rep.Sessions != sessions {
		t.Fatalf("seed inserted %+v", rep)
	}
	again, err := store.Seed(t.Context(), s, opts)
	if err != nil || again.Users != 0 || again.Sessions != 0 || again.SkippedSessions != sessions {
		t.Fatalf("seeding twice must insert nothing: %+v %v", again, err)
	}
	byID := map[string]*resolver.StoredUser{}
	for i := range users {
		u := store.SeedUserFor(s, opts.Seed, i)
		byID[u.ID] = &u
	}
	rows := make([]resolver.SessionRow, sessions)
	for j := range sessions {
		ss := store.SeedSessionFor(s, opts, j)
		rows[j] = resolver.SessionRow{Session: ss, User: byID[ss.UserID]}
	}
	return rows, opts
}

func testBrowse(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	ref, _ := seeded(t, s, 23, 211)
	var cases []store.ListQuery
	for _, sort := range []store.SortKey{store.SortExpires, store.SortUser} {
		for _, desc := range []bool{false, true} {
			cases = append(cases, store.ListQuery{Sort: sort, Desc: desc, Limit: 17})
		}
	}
	cases = append(cases,
		store.ListQuery{Filter: "LOVE", Limit: 5},
		store.ListQuery{Filter: "example.org", Sort: store.SortUser, Limit: 9},
		store.ListQuery{Filter: UserID(s, 3)[:5], Limit: 50},
		store.ListQuery{Filter: "ada.", Limit: 2},
		store.ListQuery{State: store.StateExpired, Limit: 20},
		store.ListQuery{State: store.StateDue, Limit: 20, Desc: true},
		store.ListQuery{State: store.StateActive, Filter: "a", Limit: 1000},
	)
	for _, q := range cases {
		q.Now = Now
		nq, _ := keyset.Normalize(q)
		var want []resolver.SessionRow
		lo, hi := keyset.Window(nq.State, Now, nq.MaxAge, nq.UpdateAge)
		for _, r := range ref {
			e := r.Session.Expires
			if (!lo.IsZero() && e.Before(lo)) || (!hi.IsZero() && !e.Before(hi)) || !keyset.Matches(q.Filter, r.User) {
				continue
			}
			want = append(want, r)
		}
		slices.SortFunc(want, func(a, b resolver.SessionRow) int {
			if keyset.Less(nq.Sort, a, b) != q.Desc {
				return -1
			}
			return 1
		})
		// Integer ids order numerically in SQL and as text here: the seed's
		// are all ten digits, so both orders agree.
		var got []resolver.SessionRow
		pages := 0
		for after := ""; ; pages++ {
			q.After = after
			p, err := s.ListSessions(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			if len(p.Rows) > nq.Limit || (p.Next != "" && len(p.Rows) != nq.Limit) {
				t.Fatalf("page of %d rows (limit %d), next %v", len(p.Rows), nq.Limit, p.Next != "")
			}
			got = append(got, p.Rows...)
			if p.Next == "" || pages > 1000 {
				break
			}
			after = p.Next
		}
		if diff := cmp.Diff(tokens(want), tokens(got)); diff != "" {
			t.Errorf("query %+v: order (-want +got):\n%s", q, diff)
		}
		if len(got) > 0 && len(want) > 0 {
			if diff := cmp.Diff(want[0].User, got[0].User); diff != "" {
				t.Errorf("joined user (-want +got):\n%s", diff)
			}
		}
	}
	if _, err := s.ListSessions(ctx, store.ListQuery{After: "garbage"}); err == nil {
		t.Error("a bad cursor must be an error")
	}
	p, _ := s.ListSessions(ctx, store.ListQuery{Sort: store.SortUser, Limit: 3})
	if _, err := s.ListSessions(ctx, store.ListQuery{After: p.Next}); err == nil {
		t.Error("a cursor from another sort order must be an error")
	}
	checkCounts(t, s, ref)
}

func tokens(rows []resolver.SessionRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Session.Token
	}
	return out
}

func testRevoke(t *testing.T, h Harness) {
	s := h.Store
	ctx := t.Context()
	ref, _ := seeded(t, s, 5, 40)
	victim := ref[0].Session.UserID
	want := 0
	for _, r := range ref {
		if r.Session.UserID == victim {
			want++
		}
	}
	tok := ref[1].Session.Token
	if ref[1].Session.UserID == victim {
		want--
	}
	if err := s.RevokeSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSession(ctx, tok); !errors.Is(err, resolver.ErrNotFound) {
		t.Errorf("second revoke: %v, want ErrNotFound", err)
	}
	n, err := s.RevokeUser(ctx, victim)
	if err != nil || n != want {
		t.Fatalf("revoke user: %d %v, want %d", n, err, want)
	}
	p, err := s.ListSessions(ctx, store.ListQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rows {
		if r.Session.UserID == victim || r.Session.Token == tok {
			t.Fatalf("revoked session still listed")
		}
	}
	if len(p.Rows) != 40-want-1 {
		t.Errorf("%d sessions left, want %d", len(p.Rows), 40-want-1)
	}
	if n, err := s.RevokeUser(ctx, "no-such-user"); err != nil || n != 0 {
		t.Errorf("revoke unknown user: %d %v", n, err)
	}
}

func testDeadline(t *testing.T, h Harness) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if _, _, err := h.Store.SessionAndUser(ctx, "x"); err == nil {
		t.Error("lookup with a canceled context must fail")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// checkCounts compares the store's counts by state with the reference
// rows, for no filter, a name and a case-folded e-mail domain.
func checkCounts(t *testing.T, s Full, ref []resolver.SessionRow) {
	t.Helper()
	ctx := t.Context()
	for _, filter := range []string{"", "turing", "EXAMPLE.COM"} {
		var want store.Counts
		for _, r := range ref {
			if !keyset.Matches(filter, r.User) {
				continue
			}
			want.Total++
			e := r.Session.Expires
			if e.Before(Now) {
				want.Expired++
				continue
			}
			want.Active++
			if !e.After(store.DueBy(Now, resolver.DefaultMaxAge, resolver.DefaultUpdateAge)) {
				want.Due++
			}
		}
		got, err := s.Counts(ctx, store.CountQuery{Now: Now, Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("counts %q: got %+v want %+v", filter, got, want)
		}
		if filter == "" && (want.Expired == 0 || want.Due == 0 || want.Active == want.Due) {
			t.Errorf("the seed's mix lacks a state: %+v", want)
		}
	}
}
