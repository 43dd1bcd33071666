package mysqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
)

// IntegerUserIDs implements store.Seeder.
func (s *Store) IntegerUserIDs() bool {
	switch s.users.cols[s.l.UserID].dataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint":
		return true
	}
	return false
}

// extra lists the NOT NULL columns without a default that the layout does
// not map (Prisma's updatedAt, an id): seeding fills them, dates with now
// and ids with one derived from the row's key, so reruns stay idempotent.
func extra(t table, mapped ...string) []string {
	var out []string
	for name, c := range t.cols {
		if !c.notNull || c.hasDef || contains(mapped, name) {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func fill(args []any, t table, cols []string, id string, now time.Time) []any {
	for _, c := range cols {
		switch dt := t.cols[c].dataType; {
		case dt == "datetime" || dt == "timestamp":
			args = append(args, now)
		case c == "id":
			args = append(args, id)
		default:
			args = append(args, id+":"+c)
		}
	}
	return args
}

// InsertUsers implements store.Seeder.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	l := s.l
	cols := []string{l.UserID, l.UserName, l.UserEmail, l.UserEmailVerified, l.UserImage}
	more := extra(s.users, cols...)
	now := time.Now().UTC()
	return s.insert(ctx, insertPrefix(s.users.name, append(cols, more...)), len(cols)+len(more), len(users), func(i int, args []any) []any {
		u := users[i]
		var verified any
		if u.EmailVerified != nil {
			verified = u.EmailVerified.UTC()
		}
		args = append(args, u.ID, u.Name, u.Email, verified, u.Image)
		return fill(args, s.users, more, u.ID, now)
	})
}

// InsertSessions implements store.Seeder.
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	l := s.l
	cols := []string{l.SessionToken, l.SessionUserID, l.SessionExpires}
	more := extra(s.sessions, cols...)
	now := time.Now().UTC()
	return s.insert(ctx, insertPrefix(s.sessions.name, append(cols, more...)), len(cols)+len(more), len(sessions), func(i int, args []any) []any {
		ss := sessions[i]
		args = append(args, ss.Token, ss.UserID, ss.Expires.UTC())
		return fill(args, s.sessions, more, "s_"+ss.Token, now)
	})
}

// rowsPerInsert is how many rows one multi-row INSERT carries.
const rowsPerInsert = 500

// insert writes n rows in one transaction, rowsPerInsert per statement;
// INSERT IGNORE skips rows whose key exists.
func (s *Store) insert(ctx context.Context, prefix string, cols, n int, row func(int, []any) []any) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("mysql: begin: %w", err)
	}
	defer tx.Rollback()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	total := 0
	args := make([]any, 0, rowsPerInsert*cols)
	for start := 0; start < n; start += rowsPerInsert {
		k := min(rowsPerInsert, n-start)
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = row(i, args)
		}
		res, err := tx.ExecContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+", ", k), ", "), args...)
		if err != nil {
			return 0, fmt.Errorf("mysql: insert: %w", err)
		}
		m, _ := res.RowsAffected()
		total += int(m)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("mysql: commit: %w", err)
	}
	return total, nil
}
