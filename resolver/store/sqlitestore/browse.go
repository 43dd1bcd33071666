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
	where, args := s.filterWhere(q.Filter, q.State, q)
	tok := "s." + ident(s.l.SessionToken)
	key := "s." + ident(s.l.SessionExpires)
	if q.Sort == store.SortUser {
		key = "s." + ident(s.l.SessionUserID)
	}
	op, dir := keyset.Order(q.Desc)
	if cur != nil {
		where = append(where, fmt.Sprintf(`(%s, %s) %s (?, ?)`, key, tok, op))
		if q.Sort == store.SortUser {
			args = append(args, cur.UserID, cur.Token)
		} else {
			args = append(args, s.timeArg(cur.Expires), cur.Token)
		}
	}
	query := s.q.selectFrom + keyset.Where(where) +
		fmt.Sprintf(` ORDER BY %s %s, %s %s LIMIT ?`, key, dir, tok, dir)
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
func (s *Store) filterWhere(filter string, state store.SessionState, q store.ListQuery) ([]string, []any) {
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
		where = append(where, fmt.Sprintf(`(%[1]s(u.%[2]s) LIKE ? ESCAPE '\' OR %[1]s(u.%[3]s) LIKE ? ESCAPE '\' OR %[1]s(u.%[4]s) LIKE ? ESCAPE '\')`,
			lower, ident(s.l.UserName), ident(s.l.UserEmail), ident(s.l.UserID)))
		args = append(args, p, p, p)
	}
	exp := "s." + ident(s.l.SessionExpires)
	lo, hi := keyset.Window(state, q.Now, q.MaxAge, q.UpdateAge)
	if !lo.IsZero() {
		where = append(where, exp+" >= ?")
		args = append(args, s.timeArg(lo))
	}
	if !hi.IsZero() {
		where = append(where, exp+" < ?")
		args = append(args, s.timeArg(hi))
	}
	return where, args
}

// Counts implements store.Browser in one scan.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	q = keyset.NormalizeCounts(q)
	where, args := s.filterWhere(q.Filter, store.StateAll, store.ListQuery{})
	now, dueHi := keyset.CountBounds(q)
	join := ""
	if q.Filter != "" {
		join = fmt.Sprintf(" LEFT JOIN %s u ON u.%s = s.%s", ident(s.l.Users), ident(s.l.UserID), ident(s.l.SessionUserID))
	}
	query := fmt.Sprintf(`SELECT count(*), coalesce(sum(%[1]s >= ?), 0), coalesce(sum(%[1]s < ?), 0),
coalesce(sum(%[1]s >= ? AND %[1]s < ?), 0) FROM %[2]s s`, "s."+ident(s.l.SessionExpires), ident(s.l.Sessions)) + join + keyset.Where(where)
	args = append([]any{s.timeArg(now), s.timeArg(now), s.timeArg(now), s.timeArg(dueHi)}, args...)
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
	if s.readOnly {
		return 0, resolver.ErrReadOnly
	}
	res, err := s.db.ExecContext(ctx, s.q.revokeUser, userID)
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
