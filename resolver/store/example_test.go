package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	_ "github.com/authscope/authscope/resolver/store/all"
)

// Example opens the embedded store, seeds it and resolves one of its
// sessions the way Auth.js's GET /session would.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, "sqlite::memory:", store.Options{CreateIfEmpty: true})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	rep, err := store.Seed(ctx, st.(store.Seeder), store.SeedOptions{Users: 3, Sessions: 10, Seed: 1, Now: now})
	if err != nil {
		panic(err)
	}
	fmt.Println("seeded", rep.Users, "users,", rep.Sessions, "sessions")

	r, err := resolver.New(resolver.Config{Strategy: resolver.StrategyDatabase},
		resolver.WithStore(st), resolver.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	counts, _ := st.(store.Browser).Counts(ctx, store.CountQuery{Now: now})
	fmt.Printf("%d active (%d due for an update), %d expired\n", counts.Active, counts.Due, counts.Expired)

	page, _ := st.(store.Browser).ListSessions(ctx, store.ListQuery{State: store.StateActive, Now: now, Limit: 1})
	res, _ := r.Resolve(ctx, resolver.FromPairs("authjs.session-token", page.Rows[0].Session.Token))
	body, _ := res.Session.MarshalJSON()
	fmt.Println(string(body))
	// Output:
	// seeded 3 users, 10 sessions
	// 9 active (2 due for an update), 1 expired
	// {"user":{"name":"Tim Matsumoto","email":"tim.matsumoto.1.1@example.org","image":null},"expires":"2026-05-02T23:25:57.655Z"}
}
