package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	bamysql "github.com/authscope/authscope/resolver/betterauth/mysqlstore"
	bapg "github.com/authscope/authscope/resolver/betterauth/pgstore"
	baredis "github.com/authscope/authscope/resolver/betterauth/redisstore"
	basqlite "github.com/authscope/authscope/resolver/betterauth/sqlitestore"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
)

// `seed --engine better-auth`: users and sessions in Better Auth's layout
// of the chosen store, and a few of their cookies signed with the secret
// from the environment (redacted unless --reveal), so a deployment's
// copy or a load run has sessions to resolve.

// baSeed is what the Better Auth seed needs from the flags.
type baSeed struct {
	dsn                string
	users, sessions    int
	seed               int64
	now                time.Time
	create, reveal     bool
	cookies            int
	expiresIn, updateA time.Duration
}

// baSeeder is a Better Auth store that takes seeded rows.
type baSeeder interface {
	betterauth.Store
	InsertAll(ctx context.Context, users, sessions []betterauth.Object) error
	Close() error
}

func openBetterAuthSeeder(ctx context.Context, env *cliEnv, dsn string, create bool, now time.Time) (baSeeder, error) {
	kind, err := store.KindOf(dsn)
	if err != nil {
		return nil, usageError{err}
	}
	var st baSeeder
	switch kind {
	case store.KindSQLite:
		_, path, _ := strings.Cut(dsn, ":")
		if fi, statErr := os.Stat(path); create || statErr != nil || fi.Size() == 0 {
			st, err = basqlite.Create(ctx, path)
		} else {
			st, err = basqlite.Open(ctx, path, basqlite.Options{})
		}
	case store.KindPostgres:
		st, err = bapg.Open(ctx, dsn, bapg.Options{CreateSchema: create})
	case store.KindMySQL:
		st, err = bamysql.Open(ctx, dsn, bamysql.Options{CreateSchema: create})
	case store.KindRedis:
		st, err = baredis.Open(ctx, dsn, baredis.Options{Prefix: env.getenv("BETTER_AUTH_REDIS_PREFIX"), Clock: func() time.Time { return now }})
	default:
		return nil, usagef("seed --engine better-auth writes SQLite, PostgreSQL, MySQL/MariaDB or Redis, not %s", kind)
	}
	if err != nil {
		return nil, storeOpenError(fmt.Errorf("opening %s: %w", store.Redact(dsn), err))
	}
	return st, nil
}

func seedToken(seed int64, i int) string { return benchtarget.BetterAuthSeedToken(seed, i) }

// baSeedRows builds the users and the sessions: 70% fresh, 20% due for an
// updateAge extension, 10% expired, round-robin over the users.
func baSeedRows(o baSeed) (users, sessions []betterauth.Object, counts [3]int) {
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	created := iso(o.now.Add(-time.Hour))
	for i := range o.users {
		users = append(users, betterauth.Object{{Name: "id", Value: fmt.Sprintf("seed-%d-user-%d", o.seed, i)}, {Name: "name", Value: fmt.Sprintf("Seed User %d", i)},
			{Name: "email", Value: fmt.Sprintf("seed%d-user%d@example.test", o.seed, i)}, {Name: "emailVerified", Value: float64(i % 2)}, {Name: "image", Value: nil},
			{Name: "createdAt", Value: created}, {Name: "updatedAt", Value: created}})
	}
	for i := range o.sessions {
		kind := 0
		exp := o.now.Add(o.expiresIn - time.Minute)
		switch {
		case i%10 == 9:
			kind, exp = 2, o.now.Add(-time.Hour)
		case i%10 >= 7:
			kind, exp = 1, o.now.Add(o.expiresIn-o.updateA-time.Hour)
		}
		counts[kind]++
		sessions = append(sessions, betterauth.Object{{Name: "id", Value: fmt.Sprintf("seed-%d-session-%d", o.seed, i)}, {Name: "expiresAt", Value: iso(exp)},
			{Name: "token", Value: seedToken(o.seed, i)}, {Name: "createdAt", Value: created}, {Name: "updatedAt", Value: created},
			{Name: "ipAddress", Value: "203.0.113.10"}, {Name: "userAgent", Value: "authscope-seed"}, {Name: "userId", Value: fmt.Sprintf("seed-%d-user-%d", o.seed, i%o.users)}})
	}
	return users, sessions, counts
}

// seedBetterAuth runs the Better Auth seed.
func seedBetterAuth(ctx context.Context, env *cliEnv, sf *storeFlagSet, o baSeed) error {
	dsn, err := sf.dsn(env)
	if err != nil {
		return err
	}
	o.dsn, o.expiresIn, o.updateA = dsn, betterauth.DefaultExpiresIn, betterauth.DefaultUpdateAge
	cfg, err := engine.BetterAuthConfig(resolver.Config{}, env.getenv)
	if err != nil {
		return usageError{err}
	}
	if cfg.Secrets.Current == "" {
		return usagef("seed --engine better-auth signs its cookies with BETTER_AUTH_SECRET (or AUTH_SECRET): set one")
	}
	st, err := openBetterAuthSeeder(ctx, env, o.dsn, o.create, o.now)
	if err != nil {
		return err
	}
	defer st.Close()
	users, sessions, counts := baSeedRows(o)
	start := time.Now()
	already := false
	if len(sessions) > 0 {
		tok, _ := sessions[0].String("token")
		rec, err := st.FindSession(ctx, tok)
		if err != nil {
			return err
		}
		already = rec != nil
	}
	if !already {
		if err := st.InsertAll(ctx, users, sessions); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "seeded %s (seed %d, Better Auth) in %s: %d users, %d sessions (%d fresh, %d due for update, %d expired)\n",
			store.Redact(o.dsn), o.seed, time.Since(start).Round(time.Millisecond), len(users), len(sessions), counts[0], counts[1], counts[2])
	} else {
		fmt.Fprintf(env.stdout, "%s already holds seed %d: nothing inserted\n", store.Redact(o.dsn), o.seed)
	}
	red := resolver.NewRedactor(resolver.RedactOptions{})
	name := cfg.Names().SessionToken
	for i := 0; i < o.cookies && i < len(sessions); i++ {
		if i%10 >= 7 {
			continue // only fresh sessions' cookies
		}
		signed := betterauth.SignCookieValue(seedToken(o.seed, i), cfg.Secrets.Current)
		if !o.reveal {
			signed = "<" + red.Fingerprint(signed) + ">"
		}
		fmt.Fprintf(env.stdout, "%s=%s\n", name, signed)
	}
	return nil
}

// orNow is the flag's time, or the current time when unset.
func (f instantFlag) orNow() time.Time {
	if f.set {
		return f.t
	}
	return time.Now()
}
