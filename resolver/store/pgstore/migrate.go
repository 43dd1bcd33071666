package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// Migration is one index the adapters' schemas lack.
type Migration struct {
	Why string
	SQL string
}

// Migrations returns the indexes that browsing, revocation and lookups
// need and the database does not have yet (an index whose first column is
// the one in question counts): a unique index on the token (the
// pg-adapter has none, so every lookup is a sequential scan), and
// (expires, token) and (userId, token) for keyset pages and revocation.
// They are built CONCURRENTLY, so the tables stay writable.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = to_regclass($1)`, s.sessions.name)
	if err != nil {
		return nil, fmt.Errorf("pgstore: read indexes: %w", err)
	}
	defer rows.Close()
	lead := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("pgstore: read indexes: %w", err)
		}
		lead[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: read indexes: %w", err)
	}
	base := strings.ReplaceAll(strings.ToLower(s.l.Sessions), ".", "_")
	tok := ident(s.l.SessionToken)
	var out []Migration
	add := func(col, why, unique, name, cols string) {
		if lead[col] {
			return
		}
		out = append(out, Migration{Why: why, SQL: fmt.Sprintf("CREATE %sINDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s)",
			unique, ident(base+"_"+name+"_authscope"), s.sessions.name, cols)})
	}
	add(s.l.SessionToken, "lookups by token (Auth.js getSessionAndUser, updateSession, deleteSession)", "UNIQUE ", "token", tok)
	add(s.l.SessionExpires, "session list sorted by expiry, counts by state", "", "expires", ident(s.l.SessionExpires)+", "+tok)
	add(s.l.SessionUserID, "session list sorted by user, revoking a user's sessions", "", "user", ident(s.l.SessionUserID)+", "+tok)
	if len(out) > 0 {
		out = append(out, Migration{Why: "fresh statistics, so the planner uses the new indexes", SQL: "ANALYZE " + s.sessions.name})
	}
	return out, nil
}

// Migrate runs the migrations (see Migrations). A failed CONCURRENTLY
// build leaves an INVALID index behind; the error says so.
func (s *Store) Migrate(ctx context.Context, ms []Migration) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	for _, m := range ms {
		if _, err := s.pool.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("pgstore: migrate: %s: %w (a failed concurrent build leaves an INVALID index: drop it before retrying; a unique index fails when two sessions share a token)", m.SQL, err)
		}
	}
	return nil
}

// SearchMigrations returns the optional indexes for filtered browsing:
// pg_trgm GIN indexes on the users' lower-cased name, email and id, so a
// substring filter does not scan every user. They need the pg_trgm
// extension (trusted since PostgreSQL 13: a database owner may create it).
func (s *Store) SearchMigrations(ctx context.Context) ([]Migration, error) {
	base := strings.ReplaceAll(strings.ToLower(s.l.Users), ".", "_")
	var out []Migration
	for _, c := range []struct{ name, expr string }{
		{"name", "lower(" + ident(s.l.UserName) + ")"},
		{"email", "lower(" + ident(s.l.UserEmail) + ")"},
		{"id", "lower(" + ident(s.l.UserID) + "::text)"},
	} {
		idx := base + "_" + c.name + "_trgm_authscope"
		qualified := idx
		if i := strings.LastIndex(s.l.Users, "."); i >= 0 {
			qualified = s.l.Users[:i] + "." + idx
		}
		var exists bool
		if err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table(qualified)).Scan(&exists); err != nil {
			return nil, fmt.Errorf("pgstore: read indexes: %w", err)
		}
		if exists {
			continue
		}
		out = append(out, Migration{Why: "substring filter on the users' " + c.name + " (pg_trgm)",
			SQL: fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s USING gin ((%s) gin_trgm_ops)", ident(idx), s.users.name, c.expr)})
	}
	if len(out) > 0 {
		out = append([]Migration{{Why: "trigram operator classes for the indexes below", SQL: "CREATE EXTENSION IF NOT EXISTS pg_trgm"}}, out...)
		// Expression indexes get their statistics only from ANALYZE; without
		// them the planner guesses a filter matches a handful of users.
		out = append(out, Migration{Why: "statistics for the expression indexes", SQL: "ANALYZE " + s.users.name})
	}
	return out, nil
}
