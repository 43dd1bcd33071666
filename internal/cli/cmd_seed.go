package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/pgstore"
)

// runSeed is `authscope seed`: fill a store with demo or load data.
func runSeed(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "seed", "seed --db DSN [--engine authjs|better-auth] [--users N] [--sessions M] [--seed S] [--create-schema]")
	var sf storeFlagSet
	sf.register(fs)
	users := fs.Int("users", 100, "number of users")
	sessions := fs.Int("sessions", 1000, "number of sessions (a mix of fresh, due-for-update and expired)")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same users and tokens, so reruns insert nothing")
	batch := fs.Int("batch", 0, "rows per insert batch (default 10000; PostgreSQL uses COPY)")
	create := fs.Bool("create-schema", false, "create the --schema preset's tables when absent (a new or empty SQLite database gets them without it)")
	var now instantFlag
	fs.Var(&now, "now", "the `time` the expiries are relative to: Unix seconds or RFC 3339 (default: now)")
	maxAge, updateAge := ageFlag{resolver.DefaultMaxAge}, ageFlag{resolver.DefaultUpdateAge}
	fs.Var(&maxAge, "max-age", "session.maxAge the mix is built for: `seconds` or a Go duration")
	fs.Var(&updateAge, "update-age", "session.updateAge the mix is built for: `seconds` or a Go duration")
	engineFlag := fs.String("engine", "", "whose layout to write: authjs (default) or better-auth (its tables or secondaryStorage keys; prints a few signed cookies)")
	reveal := fs.Bool("reveal", false, "better-auth: print the sample cookies in full (default: fingerprints)")
	cookies := fs.Int("cookies", 3, "better-auth: how many of the first sessions' cookies to print")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *users <= 0 || *sessions < 0 {
		return usagef("--users must be positive and --sessions not negative")
	}
	name, err := engine.Parse(*engineFlag)
	if err != nil || name == engine.Auto {
		return usagef("--engine: want authjs or better-auth")
	}
	if name == engine.BetterAuth {
		return seedBetterAuth(ctx, env, &sf, baSeed{users: *users, sessions: *sessions, seed: *seed, now: now.orNow(), create: *create, reveal: *reveal, cookies: *cookies})
	}
	opts := store.SeedOptions{Users: *users, Sessions: *sessions, Seed: *seed, Batch: *batch, MaxAge: maxAge.d, UpdateAge: updateAge.d}
	if now.set {
		opts.Now = now.t
	}
	dsn, err := sf.dsn(env)
	if err != nil {
		return err
	}
	kind, err := store.KindOf(dsn)
	if err != nil {
		return usageError{err}
	}
	if *create && kind == store.KindMySQL {
		preset := sf.schema
		if preset == "" || preset == store.SchemaAuto {
			return usagef("--create-schema on MySQL needs --schema %s", strings.Join(mysqlstore.PresetNames(), "|"))
		}
		if err := mysqlstore.CreateSchema(ctx, dsn, preset); err != nil {
			return err
		}
	}
	if *create && kind == store.KindPostgres {
		preset := sf.schema
		if preset == "" || preset == store.SchemaAuto {
			preset = store.DefaultPreset
		}
		if err := pgstore.CreateSchema(ctx, dsn, preset); err != nil {
			return err
		}
	}
	if *create && kind == store.KindRedis {
		return usagef("--create-schema is for PostgreSQL, MySQL and SQLite; %s has no schema", kind)
	}
	so := sf.options(false)
	// seed is how a SQLite store comes to exist: it may create the file and
	// its tables in an empty database, and beside other tables only when
	// --create-schema asks.
	so.MustExist = false
	so.CreateIfEmpty = true
	so.CreateIfAbsent = *create
	st, err := store.Open(ctx, dsn, so)
	if err != nil {
		return storeOpenError(err)
	}
	defer st.Close()
	seeder, ok := st.(store.Seeder)
	if !ok {
		return fmt.Errorf("%s cannot be seeded", kind)
	}
	start := time.Now()
	last := start
	opts.Progress = func(r store.SeedReport) {
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			fmt.Fprintf(env.stderr, "seed: %d users, %d sessions so far (%s)\n",
				r.Users+r.SkippedUsers, r.Sessions+r.SkippedSessions, time.Since(start).Round(time.Second))
		}
	}
	rep, err := store.Seed(ctx, seeder, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "seeded %s (seed %d) in %s: %d users added, %d already there; %d sessions added, %d already there\n",
		store.Redact(dsn), *seed, time.Since(start).Round(time.Millisecond), rep.Users, rep.SkippedUsers, rep.Sessions, rep.SkippedSessions)
	return nil
}
