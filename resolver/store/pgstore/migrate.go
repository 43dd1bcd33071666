package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// Migration is one index the adapters' schemas lack.
type Migration = store.Migration

// Migrations returns the indexes that browsing, revocation and lookups
// need and the database does not have yet (a valid index whose first
// column is the one in question counts): a unique index on the token (the
// pg-adapter has none, so every lookup is a sequential scan), and
// (expires, token) and (userId, token) for keyset pages and revocation.
// They are built CONCURRENTLY, so the tables stay writable. An INVALID
// index of ours, left by a failed concurrent build, is dropped first:
// CREATE … IF NOT EXISTS would otherwise keep it, and the planner never
// uses an invalid index.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.attname, i.indisvalid, format('%I.%I', n.nspname, c.relname), c.relname
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = to_regclass($1)`, s.sessions.name)
	if err != nil {
		return nil, fmt.Errorf("pgstore: read indexes: %w", err)
	}
	defer rows.Close()
	lead := map[string]bool{}
	invalid := map[string]string{} // index name → schema-qualified, quoted
	for rows.Next() {
		var col, qualified, name string
		var valid bool
		if err := rows.Scan(&col, &valid, &qualified, &name); err != nil {
			return nil, fmt.Errorf("pgstore: read indexes: %w", err)
		}
		if valid {
			lead[col] = true
		} else {
			invalid[name] = qualified
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: read indexes: %w", err)
	}
	return indexMigrations(s.l, s.sessions.name, lead, invalid), nil
}

// indexMigrations is Migrations' plan for a layout whose sessions table
// (quoted name) already has valid indexes led by the columns in lead, and
// the INVALID indexes in invalid (by name).
func indexMigrations(l store.Layout, sessions string, lead map[string]bool, invalid map[string]string) []Migration {
	base := strings.ReplaceAll(strings.ToLower(l.Sessions), ".", "_")
	tok := ident(l.SessionToken)
	var out []Migration
	add := func(col, why, unique, name, cols string) {
		if lead[col] {
			return
		}
		idx := base + "_" + name + "_authscope"
		if q, ok := invalid[idx]; ok {
			out = append(out, Migration{Why: "drop the INVALID index a failed concurrent build left behind", SQL: "DROP INDEX CONCURRENTLY IF EXISTS " + q})
		}
		out = append(out, Migration{Why: why, SQL: fmt.Sprintf("CREATE %sINDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s)",
			unique, ident(idx), sessions, cols)})
	}
	add(l.SessionToken, "lookups by token (Auth.js getSessionAndUser, updateSession, deleteSession)", "UNIQUE ", "token", tok)
	add(l.SessionExpires, "session list sorted by expiry, counts by state", "", "expires", ident(l.SessionExpires)+", "+tok)
	add(l.SessionUserID, "session list sorted by user, revoking a user's sessions", "", "user", ident(l.SessionUserID)+", "+tok)
	if len(out) > 0 {
		out = append(out, Migration{Why: "fresh statistics, so the planner uses the new indexes", SQL: "ANALYZE " + sessions})
	}
	return out
}

// Migrate runs the migrations (see Migrations). A failed CONCURRENTLY
// build leaves an INVALID index behind; the error says so.
func (s *Store) Migrate(ctx context.Context, ms []Migration) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	for _, m := range ms {
		if _, err := s.pool.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("pgstore: migrate: %s: %w (a failed concurrent build leaves an INVALID index, which the next run drops and rebuilds; a unique index fails when two sessions share a token)", m.SQL, err)
		}
	}
	return nil
}

// SearchMigrations returns the optional indexes for filtered browsing:
// pg_trgm GIN indexes on the users' lower-cased name, email and id, so a
// substring filter does not scan every user. They need the pg_trgm
// extension (trusted since PostgreSQL 13: a database owner may create it).
func (s *Store) SearchMigrations(ctx context.Context) ([]Migration, error) {
	return searchMigrations(s.l, s.users.name, func(qualified string) (indexState, error) {
		var present, valid bool
		err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL, coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)), false)", table(qualified)).Scan(&present, &valid)
		switch {
		case err != nil:
			return 0, fmt.Errorf("pgstore: read indexes: %w", err)
		case !present:
			return indexAbsent, nil
		case !valid:
			return indexInvalid, nil
		}
		return indexValid, nil
	})
}

// indexState is what the catalog says of an index we create by name.
type indexState int

const (
	indexAbsent indexState = iota
	indexValid
	indexInvalid // a failed CONCURRENTLY build: present, never used
)

// searchMigrations is SearchMigrations' plan; state reports an index
// (named schema-qualified like the users table).
func searchMigrations(l store.Layout, users string, state func(qualified string) (indexState, error)) ([]Migration, error) {
	base := strings.ReplaceAll(strings.ToLower(l.Users), ".", "_")
	var out []Migration
	for _, c := range []struct{ name, expr string }{
		{"name", "lower(" + ident(l.UserName) + ")"},
		{"email", "lower(" + ident(l.UserEmail) + ")"},
		{"id", "lower(" + ident(l.UserID) + "::text)"},
	} {
		idx := base + "_" + c.name + "_trgm_authscope"
		qualified := idx
		if i := strings.LastIndex(l.Users, "."); i >= 0 {
			qualified = l.Users[:i] + "." + idx
		}
		st, err := state(qualified)
		if err != nil {
			return nil, err
		}
		switch st {
		case indexValid:
			continue
		case indexInvalid:
			out = append(out, Migration{Why: "drop the INVALID index a failed concurrent build left behind", SQL: "DROP INDEX CONCURRENTLY IF EXISTS " + table(qualified)})
		}
		out = append(out, Migration{Why: "substring filter on the users' " + c.name + " (pg_trgm)",
			SQL: fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s USING gin ((%s) gin_trgm_ops)", ident(idx), users, c.expr)})
	}
	if len(out) > 0 {
		out = append([]Migration{{Why: "trigram operator classes for the indexes below", SQL: "CREATE EXTENSION IF NOT EXISTS pg_trgm"}}, out...)
		// Expression indexes get their statistics only from ANALYZE; without
		// them the planner guesses a filter matches a handful of users.
		out = append(out, Migration{Why: "statistics for the expression indexes", SQL: "ANALYZE " + users})
	}
	return out, nil
}

// freshLeads are the first columns of the indexes each preset's own DDL
// puts on the sessions table (primary keys, unique constraints), so a plan
// for an empty database skips what the schema already brings.
// TestFreshMigrations checks them against the catalog.
var freshLeads = map[string][]string{
	"pg-adapter":   {"id"},
	"prisma":       {"sessionToken"},
	"prisma-snake": {"id", "session_token"},
	"drizzle":      {"sessionToken"},
	"kysely":       {"id", "sessionToken"},
	"supabase":     {"id", "sessionToken"},
}

// FreshMigrations is the plan for a database that does not have a preset's
// tables yet: the adapter's schema, then the indexes Migrations would add
// once it exists (and SearchMigrations' too when search is set). It needs
// no connection, so a DBA can review the whole DDL before provisioning.
func FreshMigrations(preset string, search bool) ([]Migration, error) {
	l, err := store.Preset(preset)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, stmt := range strings.Split(schemas[preset], ";\n") {
		out = append(out, Migration{Why: preset + " adapter schema", SQL: strings.TrimSuffix(strings.TrimSpace(stmt), ";")})
	}
	lead := map[string]bool{}
	for _, c := range freshLeads[preset] {
		lead[c] = true
	}
	out = append(out, indexMigrations(l, table(l.Sessions), lead, nil)...)
	if search {
		more, _ := searchMigrations(l, table(l.Users), func(string) (indexState, error) { return indexAbsent, nil })
		out = append(out, more...)
	}
	return out, nil
}
