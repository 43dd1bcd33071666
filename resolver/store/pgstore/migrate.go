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
