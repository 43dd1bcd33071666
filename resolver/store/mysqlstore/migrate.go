package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// Migration is one DDL statement and why (the PostgreSQL store's type, so
// `authscope db migrate` prints every dialect alike).
type Migration = store.Migration

// Migrations lists the indexes lookups, browsing and revocation need that
// the sessions table lacks: an index led by the token (every adapter's
// MySQL schema has one, a custom table may not), then (expires, token) and
// (userId, token). An index led by the same column counts. InnoDB builds
// them online (ALGORITHM=INPLACE, LOCK=NONE): the table stays writable.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	l := s.l
	var out []Migration
	for _, ix := range []struct {
		why    string
		unique bool
		cols   []string
	}{
		{"session lookups by token", true, []string{l.SessionToken}},
		{"lists sorted by expiry, counts by state", false, []string{l.SessionExpires, l.SessionToken}},
		{"lists sorted by user, revoking a user's sessions", false, []string{l.SessionUserID, l.SessionToken}},
	} {
		led, err := s.indexLedBy(ctx, ix.cols[0])
		if err != nil {
			return nil, err
		}
		if led {
			continue
		}
		quoted := make([]string, len(ix.cols))
		for i, c := range ix.cols {
			quoted[i] = ident(c)
		}
		kind := "INDEX"
		if ix.unique {
			kind = "UNIQUE INDEX"
		}
		name := ident(truncate(l.Sessions+"_"+strings.Join(ix.cols, "_")+"_idx", 64))
		out = append(out, Migration{Why: ix.why, SQL: fmt.Sprintf("CREATE %s %s ON %s (%s) ALGORITHM=INPLACE LOCK=NONE", kind, name, s.sessions.name, strings.Join(quoted, ", "))})
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Store) indexLedBy(ctx context.Context, col string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND BINARY table_name = ? AND seq_in_index = 1 AND BINARY column_name = ? LIMIT 1`,
		s.l.Sessions, col).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mysql: inspect indexes: %w", err)
	}
	return true, nil
}

// Migrate runs the statements, in order.
func (s *Store) Migrate(ctx context.Context, ms []Migration) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	for _, m := range ms {
		if _, err := s.db.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("mysql: %s: %w", m.SQL, err)
		}
	}
	return nil
}

// CreateSchema runs a preset's DDL when its sessions table is absent: for
// demo and load databases (`authscope seed --create-schema`).
func CreateSchema(ctx context.Context, dsn, preset string) error {
	ddl, err := SchemaSQL(preset)
	if err != nil {
		return err
	}
	cfg, err := Config(dsn)
	if err != nil {
		return err
	}
	connector, err := newConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	l, _ := Preset(preset)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND BINARY table_name = ?`, l.Sessions).Scan(&n); err != nil {
		return fmt.Errorf("mysql: %w", err)
	}
	if n > 0 {
		return nil
	}
	for _, stmt := range strings.Split(ddl, ";\n") {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("mysql: create %s schema: %w", preset, err)
		}
	}
	return nil
}
