package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver/betterauth"
)

// Inserts for seeding and tests: rows are field → value as the Kysely
// SQLite layout stores them (dates as ISO text or time.Time, booleans as
// 0/1 or bool), converted to what each column holds.

// InsertAll writes users then sessions in one transaction.
func (s *Store) InsertAll(ctx context.Context, users, sessions []betterauth.Object) error {
	if s.readOnly {
		return errReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	for _, batch := range []struct {
		t    table
		rows []betterauth.Object
	}{{s.user, users}, {s.session, sessions}} {
		for _, row := range batch.rows {
			q, args := s.insertSQL(batch.t, row)
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return s.wrap("insert into "+batch.t.name, err)
			}
		}
	}
	return s.wrap("commit", tx.Commit())
}

func (s *Store) insertSQL(t table, row betterauth.Object) (string, []any) {
	names := make([]string, 0, len(row))
	args := make([]any, 0, len(row))
	for _, f := range row {
		c, ok := t.cols[f.Name]
		if !ok {
			c = column{name: f.Name}
		}
		names = append(names, s.q(c.name))
		args = append(args, s.arg(c.kind, f.Value))
	}
	return s.d.bind(`INSERT INTO ` + s.q(t.name) + ` (` + strings.Join(names, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + `)`), args
}

// arg converts a value for a column of kind k.
func (s *Store) arg(k kind, v any) any {
	switch k {
	case kindTime:
		switch x := v.(type) {
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return s.d.timeArg(t)
			}
		case time.Time:
			return s.d.timeArg(x)
		}
	case kindBool:
		switch x := v.(type) {
		case float64:
			return x != 0
		case int:
			return x != 0
		}
	}
	if t, ok := v.(time.Time); ok {
		return s.d.timeArg(t)
	}
	return v
}

// InsertUser writes one user row.
func (s *Store) InsertUser(ctx context.Context, row betterauth.Object) error {
	return s.insertOne(ctx, s.user, row)
}

// InsertSession writes one session row.
func (s *Store) InsertSession(ctx context.Context, row betterauth.Object) error {
	return s.insertOne(ctx, s.session, row)
}

func (s *Store) insertOne(ctx context.Context, t table, row betterauth.Object) error {
	if s.readOnly {
		return errReadOnly
	}
	q, args := s.insertSQL(t, row)
	_, err := s.db.ExecContext(ctx, q, args...)
	return s.wrap("insert into "+t.name, err)
}
