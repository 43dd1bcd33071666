package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver/store"
)

// detect is --schema auto: the one preset whose tables and columns are all
// in the catalog (through the connection's search_path; Supabase's are in
// next_auth). Prisma and Kysely share table and column names; Kysely's
// migration is told apart by its timestamptz expiry without "updatedAt".
// No match, or several, is an error saying what was found.
func (s *Store) detect(ctx context.Context) (store.Layout, error) {
	var found []string
	var near []string
	for _, name := range store.PresetNames() {
		l, _ := store.Preset(name)
		probe := &Store{pool: s.pool, l: l}
		err := probe.inspect(ctx)
		if errors.Is(err, ErrNoTable) {
			continue
		}
		var mismatch mismatchError
		if errors.As(err, &mismatch) {
			near = append(near, strings.TrimPrefix(mismatch.msg, "pgstore: "))
			continue
		}
		if err != nil {
			return store.Layout{}, err // the catalog query itself failed
		}
		if probe.fits(name) {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 1:
		return store.Preset(found[0])
	case 0:
		tables, err := s.tables(ctx)
		if err != nil {
			return store.Layout{}, err
		}
		msg := fmt.Sprintf("pgstore: no Auth.js session table in the database: found %s; looked for sessions/session/Session/next_auth.sessions (%s layouts)",
			tables, strings.Join(store.PresetNames(), ", "))
		if len(near) > 0 {
			msg += "; " + strings.Join(near, "; ")
		}
		return store.Layout{}, noLayoutError{msg}
	}
	return store.Layout{}, fmt.Errorf("pgstore: the database holds the tables of several Auth.js layouts (%s): pick one with --schema", strings.Join(found, ", "))
}

// noLayoutError is detect's "nothing matched"; errors.Is(err, ErrNoTable),
// so that db migrate --dry-run still prints a fresh install's plan.
type noLayoutError struct{ msg string }

func (e noLayoutError) Error() string      { return e.msg }
func (noLayoutError) Is(target error) bool { return target == ErrNoTable }

// mismatchError is inspect's "the table is there but not as the layout
// has it" (a missing column, a wrong type).
type mismatchError struct{ msg string }

func (e mismatchError) Error() string { return e.msg }

// fits tells the presets that share names apart by their types.
func (s *Store) fits(name string) bool {
	exp := s.sessions.cols[s.l.SessionExpires].base
	_, updatedAt := s.sessions.cols["updatedAt"]
	kyselyLike := exp == "timestamptz" && !updatedAt
	switch name {
	case "kysely":
		return kyselyLike
	case "prisma":
		return !kyselyLike
	}
	return true
}

// tables lists the tables the connection sees (search_path and next_auth),
// for the no-layout error.
func (s *Store) tables(ctx context.Context) (string, error) {
	rows, err := s.pool.Query(ctx, `SELECT CASE WHEN n.nspname = ANY (current_schemas(false)) THEN c.relname ELSE n.nspname || '.' || c.relname END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v') AND (n.nspname = ANY (current_schemas(false)) OR n.nspname = 'next_auth')
ORDER BY 1 LIMIT 50`)
	if err != nil {
		return "", fmt.Errorf("pgstore: inspect schema: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("pgstore: inspect schema: %w", err)
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "no tables", rows.Err()
	}
	return "tables " + strings.Join(names, ", "), rows.Err()
}
