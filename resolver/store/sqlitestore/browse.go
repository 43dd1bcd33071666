package sqlitestore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
)

// ListSessions implements store.Browser with keyset pagination over the
// (expires, sessionToken) or (userId, sessionToken) indexes: no OFFSET.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	q, cur, err := keyset.Parse(q)
	if err != nil {
		return store.Page{}, fmt.Errorf("sqlite: list: %w", err)
	}
	where, args := filterWhere(q.Filter, q.State, q)
	key := `s."expires"`
	if q.Sort == store.SortUser {
		key = `s."userId"`
	}
	op, dir := keyset.Order(q.Desc)
	if cur != nil {
		where = append(where, fmt.Sprintf(`(%s, s."sessionToken") %s (?, ?)`, key, op))
		if q.Sort == store.SortUser {
			args = append(args, cur.UserID, cur.Token)
		} else {
			args = append(args, iso(cur.Expires), cur.Token)
		}
	}
	query := `SELECT s."sessionToken", s."userId", s."expires", u."id", u."name", u."email", u."image", u."emailVerified"
FROM "sessions" s LEFT JOIN "users" u ON u."id" = s."userId"` + keyset.Where(where) +
		fmt.Sprintf(` ORDER BY %s %s, s."sessionToken" %s LIMIT ?`, key, dir, dir)
	args = append(args, q.Limit+1)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("sqlite: list: %w", err)
	}
	defer rows.Close()
	var page store.Page
	for rows.Next() {
		sess, user, err := scanRow(rows.Scan)
		if err != nil {
			return store.Page{}, fmt.Errorf("sqlite: list: %w", err)
		}
		page.Rows = append(page.Rows, resolver.SessionRow{Session: *sess, User: user})
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("sqlite: list: %w", err)
	}
	return keyset.PageOf(q, page.Rows), nil
}

// filterWhere builds the substring filter and the state window.
func filterWhere(filter string, state store.SessionState, q store.ListQuery) ([]string, []any) {
	var where []string
	var args []any
	if filter != "" {
		p := keyset.LikePattern(filter)
		// SQLite's lower() folds ASCII only. For an ASCII filter that
		// matches exactly what a full fold would; otherwise the Go fold
		// (unicodeLower) runs, at the cost of a call per column and row.
		lower := "lower"
		if !isASCII(p) {
			lower = unicodeLower
		}
		where = append(where, fmt.Sprintf(`(%[1]s(u."name") LIKE ? ESCAPE '\' OR %[1]s(u."email") LIKE ? ESCAPE '\' OR %[1]s(u."id") LIKE ? ESCAPE '\')`, lower))
		args = append(args, p, p, p)
	}
	lo, hi := keyset.Window(state, q.Now, q.MaxAge, q.UpdateAge)
	if !lo.IsZero() {
		where = append(where, `s."expires" >= ?`)
		args = append(args, iso(lo))
	}
	if !hi.IsZero() {
		where = append(where, `s."expires" < ?`)
		args = append(args, iso(hi))
	}
	return where, args
}

// Counts implements store.Browser in one scan.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	q = keyset.NormalizeCounts(q)
	where, args := filterWhere(q.Filter, store.StateAll, store.ListQuery{})
	now, dueHi := keyset.CountBounds(q)
	join := ""
	if q.Filter != "" {
		join = ` LEFT JOIN "users" u ON u."id" = s."userId"`
	}
	query := `SELECT count(*), coalesce(sum(s."expires" >= ?), 0), coalesce(sum(s."expires" < ?), 0),
coalesce(sum(s."expires" >= ? AND s."expires" < ?), 0) FROM "sessions" s` + join + keyset.Where(where)
	args = append([]any{iso(now), iso(now), iso(now), iso(dueHi)}, args...)
	var c store.Counts
	if err := s.db.QueryRowContext(ctx, query, args...).Scan(&c.Total, &c.Active, &c.Expired, &c.Due); err != nil {
		return c, fmt.Errorf("sqlite: counts: %w", err)
	}
	return c, nil
}

// RevokeSession implements store.Browser.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	return keyset.Revoked(s.deleteSession(ctx, token))
}

// RevokeUser implements store.Browser.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM "sessions" WHERE "userId" = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke user: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// unicodeLower is a SQL function folding case as strings.ToLower does (the
// filter pattern's fold), registered with the driver for every connection.
const unicodeLower = "authscope_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(unicodeLower, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		case nil:
			return nil, nil
		default: // integer ids: lower() of their text, as SQLite's would
			return strings.ToLower(fmt.Sprint(v)), nil
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
