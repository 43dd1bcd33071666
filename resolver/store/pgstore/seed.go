package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/authscope/authscope/resolver"
)

// Seeding streams each batch with COPY into a temporary table, then moves
// the new rows over with one INSERT … SELECT that skips existing ids and
// tokens (the pg-adapter has no unique constraint on "sessionToken", so
// that is an anti-join, not ON CONFLICT). Columns the layout does not map
// but the table requires (Prisma's "updatedAt", an old schema's text
// "id") are filled in: timestamps with now(), text with an id derived
// from the row's key, so reruns stay idempotent.

// IntegerUserIDs implements store.Seeder.
func (s *Store) IntegerUserIDs() bool {
	switch s.users.cols[s.l.UserID].base {
	case "int2", "int4", "int8":
		return true
	}
	return false
}

// InsertUsers implements store.Seeder.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	rows := make([][]any, len(users))
	for i, u := range users {
		rows[i] = []any{u.ID, u.Name, u.Email, u.Image, u.EmailVerified}
	}
	l := s.l
	mapped := map[string]string{
		l.UserID:            "t.id::" + s.users.cols[l.UserID].typ,
		l.UserName:          "t.name",
		l.UserEmail:         "t.email",
		l.UserImage:         "t.image",
		l.UserEmailVerified: writeTime(s.users.cols[l.UserEmailVerified], "t.verified"),
	}
	return s.copyInsert(ctx, "authscope_seed_users",
		"id text, name text, email text, image text, verified timestamptz",
		[]string{"id", "name", "email", "image", "verified"}, rows,
		s.users, mapped, "t.id",
		fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s x WHERE x.%s::text = t.id)", s.users.name, ident(l.UserID)))
}

// InsertSessions implements store.Seeder.
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	rows := make([][]any, len(sessions))
	for i, ss := range sessions {
		rows[i] = []any{ss.Token, ss.UserID, ss.Expires.UTC()}
	}
	l := s.l
	mapped := map[string]string{
		l.SessionToken:   "t.token",
		l.SessionUserID:  "t.uid::" + s.sessions.cols[l.SessionUserID].typ,
		l.SessionExpires: writeTime(s.sessions.cols[l.SessionExpires], "t.expires"),
	}
	return s.copyInsert(ctx, "authscope_seed_sessions",
		"token text, uid text, expires timestamptz",
		[]string{"token", "uid", "expires"}, rows,
		s.sessions, mapped, "t.token",
		fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s x WHERE x.%s = t.token)", s.sessions.name, ident(l.SessionToken)))
}

func (s *Store) copyInsert(ctx context.Context, tmp, tmpCols string, copyCols []string, rows [][]any,
	dst tableInfo, mapped map[string]string, key, notExists string) (int, error) {
	var cols, vals []string
	for c, expr := range mapped {
		cols = append(cols, ident(c))
		vals = append(vals, expr)
	}
	for name, c := range dst.cols {
		if _, ok := mapped[name]; ok || !c.notNull || c.hasDef {
			continue
		}
		switch c.base {
		case "timestamp", "timestamptz":
			vals = append(vals, writeTime(c, "now()"))
		case "text", "varchar", "bpchar":
			vals = append(vals, "'c' || left(md5("+key+"), 24)")
		default:
			return 0, fmt.Errorf("pgstore: seed: required column %s (%s) has no default and no mapping", ident(name), c.typ)
		}
		cols = append(cols, ident(name))
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("pgstore: seed: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DROP", tmp, tmpCols)); err != nil {
		return 0, fmt.Errorf("pgstore: seed: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{tmp}, copyCols, pgx.CopyFromRows(rows)); err != nil {
		return 0, fmt.Errorf("pgstore: seed copy: %w", err)
	}
	// DISTINCT ON guards against duplicates within one batch.
	ins := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM (SELECT DISTINCT ON (%s) * FROM %s t) t WHERE %s ON CONFLICT DO NOTHING",
		dst.name, strings.Join(cols, ", "), strings.Join(vals, ", "), key, tmp, notExists)
	tag, err := tx.Exec(ctx, ins)
	if err != nil {
		return 0, fmt.Errorf("pgstore: seed insert: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("pgstore: seed: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
