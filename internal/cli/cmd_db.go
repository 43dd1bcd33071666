package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	_ "github.com/authscope/authscope/resolver/store/all" // every driver: the CLI opens any DSN
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/pgstore"
	"github.com/authscope/authscope/resolver/store/redisstore"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// storeFlagSet is the store selection shared by seed and db: a DSN from
// --db or from the variable --db-env names, the PostgreSQL layout and the
// Redis key prefix. The DSN is never printed as given (store.Redact).
type storeFlagSet struct {
	db, dbEnv, schema, prefix string
	maxConns                  int
}

func (f *storeFlagSet) register(fs *flag.FlagSet) {
	fs.StringVar(&f.db, "db", "", "session store `DSN`: sqlite:PATH, postgres://..., mysql://user@host:3306/db, mongodb://..., redis://...")
	fs.StringVar(&f.dbEnv, "db-env", "", "read the store DSN from this environment `variable` (keeps passwords out of argv)")
	fs.StringVar(&f.schema, "schema", "", "adapter layout: auto (default: found in the catalog), or PostgreSQL "+strings.Join(store.PresetNames(), ", ")+"; MySQL "+strings.Join(mysqlstore.PresetNames(), ", ")+"; SQLite "+strings.Join(sqlitestore.PresetNames(), ", ")+"; Redis "+strings.Join(redisstore.PresetNames(), ", ")+" (the key prefix as given, none included)")
	fs.StringVar(&f.prefix, "prefix", "", "Redis key prefix (the adapter's baseKeyPrefix; unset: found from the session keys present)")
	fs.IntVar(&f.maxConns, "max-conns", 0, "connection pool bound (store default when 0)")
}

// dsn returns the DSN the flags name.
func (f *storeFlagSet) dsn(env *cliEnv) (string, error) {
	switch {
	case f.db != "" && f.dbEnv != "":
		return "", usagef("--db and --db-env are exclusive")
	case f.db != "":
		return f.db, nil
	case f.dbEnv != "":
		v := env.getenv(f.dbEnv)
		if v == "" {
			return "", usagef("environment variable %s is not set", f.dbEnv)
		}
		return v, nil
	}
	return "", usagef("name the store with --db DSN or --db-env VARIABLE")
}

// options are the store.Options the flags give. A SQLite file must exist:
// only seed creates one (it clears MustExist), so that a mistyped path is
// an error rather than a new, empty store answering "no session".
func (f *storeFlagSet) options(readOnly bool) store.Options {
	return store.Options{ReadOnly: readOnly, Schema: f.schema, Prefix: f.prefix, MaxConns: f.maxConns, MustExist: true}
}

// storeOpenError classifies a store.Open failure for the exit code: a
// malformed DSN (store.ErrBadDSN) is a usage error, exit 2; a store that is
// down or refuses us stays a failure, exit 1.
func storeOpenError(err error) error {
	if errors.Is(err, store.ErrBadDSN) && !errors.As(err, new(usageError)) {
		return usageError{err}
	}
	return err
}

// runDB is `authscope db`: database maintenance (migrate).
func runDB(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printCommandHelp(env.stderr, "db migrate", dbMigrateSynopsis)
		fmt.Fprint(env.stderr, "\nRun \"authscope db migrate --help\" for its flags.\n")
		if len(args) == 0 {
			return usagef("db needs a subcommand: migrate")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "migrate":
		return runDBMigrate(ctx, env, args[1:])
	}
	return usagef("unknown db subcommand %q (want migrate)", args[0])
}

// dbMigrateSynopsis is db migrate's usage line, shown by db --help too.
const dbMigrateSynopsis = "db migrate --db DSN [--schema S] [--search] [--dry-run]"

func runDBMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "db migrate", dbMigrateSynopsis)
	var sf storeFlagSet
	sf.register(fs)
	dryRun := fs.Bool("dry-run", false, "print the SQL without running it")
	search := fs.Bool("search", false, "PostgreSQL: also add pg_trgm indexes for substring filters on users (creates the pg_trgm extension)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dryRun && sf.db == "" && sf.dbEnv == "" {
		// No database named: the plan for an empty one, for review before
		// provisioning.
		return printFreshPlan(env.stdout, sf.schema, *search, "-- no --db: an empty PostgreSQL database")
	}
	dsn, err := sf.dsn(env)
	if err != nil {
		return err
	}
	kind, err := store.KindOf(dsn)
	if err != nil {
		return usageError{err}
	}
	if kind == store.KindRedis {
		fmt.Fprintln(env.stdout, "redis: the adapters' key layout has no indexes to add; nothing to do")
		return nil
	}
	// A dry run only reads the catalog: open read-only.
	st, err := store.Open(ctx, dsn, sf.options(*dryRun))
	if errors.Is(err, pgstore.ErrNoTable) || errors.Is(err, mysqlstore.ErrNoTable) {
		if *dryRun && kind == store.KindPostgres {
			return printFreshPlan(env.stdout, sf.schema, *search, "-- "+store.Redact(dsn)+": the adapter's tables are not there yet")
		}
		return fmt.Errorf("%w; migrate adds indexes to the adapter's tables: create them first (--dry-run prints the adapter schema with the indexes)", err)
	}
	if err != nil {
		return storeOpenError(err)
	}
	defer st.Close()
	fmt.Fprintf(env.stdout, "-- %s\n", store.Redact(dsn))
	done, err := migrate(ctx, env.stdout, store.Unwrap(st), *dryRun, *search)
	if err != nil || !done {
		return err
	}
	fmt.Fprintln(env.stdout, "-- done")
	return nil
}

// printFreshPlan prints the whole DDL of a fresh install: the preset's
// adapter schema, then the indexes. A custom mapping has no schema of ours
// to print: its tables come from the application's own migrations.
func printFreshPlan(w io.Writer, preset string, search bool, header string) error {
	if preset == "" || preset == store.SchemaAuto {
		preset = store.DefaultPreset
	}
	if preset == "custom" {
		return usagef("--dry-run without the tables needs a --schema preset (%s): a custom mapping's tables come from your own migrations", strings.Join(store.PresetNames(), ", "))
	}
	ms, err := pgstore.FreshMigrations(preset, search)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintln(w, header)
	fmt.Fprintf(w, "-- a fresh install with the %s schema runs the adapter's DDL, then the indexes\n", preset)
	printMigrations(w, ms, true)
	return nil
}

func printMigrations(w io.Writer, ms []pgstore.Migration, dryRun bool) {
	if len(ms) == 0 {
		fmt.Fprintln(w, "-- every index is in place; nothing to do")
		return
	}
	if dryRun {
		fmt.Fprintln(w, "-- dry run: these statements would run")
	}
	why := ""
	for _, m := range ms {
		if m.Why != why { // a run of statements with one reason gets one comment
			fmt.Fprintf(w, "-- %s\n", m.Why)
			why = m.Why
		}
		fmt.Fprintf(w, "%s;\n", m.SQL)
	}
}

// migrator is a store whose index advice is a list of statements it can
// also run: PostgreSQL, MySQL/MariaDB and MongoDB.
type migrator interface {
	Migrations(ctx context.Context) ([]store.Migration, error)
	Migrate(ctx context.Context, ms []store.Migration) error
}

// migrate prints the store's missing indexes and, unless dryRun, adds
// them; done reports whether anything was run (so "-- done" is printed).
func migrate(ctx context.Context, w io.Writer, st resolver.Store, dryRun, search bool) (done bool, err error) {
	if s, ok := st.(*sqlitestore.Store); ok {
		return migrateSQLite(ctx, w, s, dryRun)
	}
	m, ok := st.(migrator)
	if !ok {
		return false, errors.New("this store has no migrations")
	}
	ms, err := m.Migrations(ctx)
	if err != nil {
		return false, err
	}
	if pg, ok := st.(*pgstore.Store); ok && search {
		more, err := pg.SearchMigrations(ctx)
		if err != nil {
			return false, err
		}
		ms = append(ms, more...)
	}
	printMigrations(w, ms, dryRun)
	if dryRun || len(ms) == 0 {
		return false, nil
	}
	return true, m.Migrate(ctx, ms)
}

// migrateSQLite prints and runs SQLite's browsing indexes, which the store
// creates IF NOT EXISTS rather than diffing the catalog.
func migrateSQLite(ctx context.Context, w io.Writer, s *sqlitestore.Store, dryRun bool) (bool, error) {
	stmts, err := s.Migrate(ctx, true)
	if err != nil {
		return false, err
	}
	var ms []store.Migration
	for _, st := range stmts {
		ms = append(ms, store.Migration{Why: "browsing index (IF NOT EXISTS)", SQL: strings.TrimSuffix(st, ";")})
	}
	printMigrations(w, ms, dryRun)
	if dryRun {
		return false, nil
	}
	_, err = s.Migrate(ctx, false)
	return err == nil, err
}
