package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// Browsing: store.Browser over Better Auth's tables, so the TUI lists,
// counts and revokes Better Auth sessions as it does Auth.js's. Expiry
// columns are ISO 8601 text, which sorts as time does, so ordering and
// state filters compare text. "Due" is Better Auth's rule with
// ListQuery.MaxAge as expiresIn and UpdateAge as updateAge.

var _ store.Browser = (*Store)(nil)

const isoLayout = "2006-01-02T15:04:05.000Z"

func iso(t time.Time) string { return t.UTC().Format(isoLayout) }

// ListSessions implements store.Browser.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	sc, uc := s.opts.SessionColumns, s.opts.UserColumns
	key := `s.` + quote(col(sc, "expiresAt"))
	if q.Sort == store.SortUser {
		key = `s.` + quote(col(sc, "userId"))
	}
	tok := `s.` + quote(col(sc, "token"))
	where, args := s.filter(store.CountQuery{Now: q.Now, MaxAge: q.MaxAge, UpdateAge: q.UpdateAge, Filter: q.Filter}, q.State)
	if q.After != "" {
		k, t, err := decodeCursor(q.After)
		if err != nil {
			return store.Page{}, err
		}
		op := ">"
		if q.Desc {
			op = "<"
		}
		where = append(where, fmt.Sprintf("(%s %s ? OR (%s = ? AND %s %s ?))", key, op, key, tok, op))
		args = append(args, k, k, t)
	}
	dir := "ASC"
	if q.Desc {
		dir = "DESC"
	}
	query := `SELECT ` + tok + `, s.` + quote(col(sc, "userId")) + `, CAST(s.` + quote(col(sc, "expiresAt")) + ` AS TEXT), CAST(` + key + ` AS TEXT), u.` +
		quote(col(uc, "id")) + `, u.` + quote(col(uc, "name")) + `, u.` + quote(col(uc, "email")) + `, u.` + quote(col(uc, "image")) +
		s.from() + whereSQL(where) + ` ORDER BY ` + key + ` ` + dir + `, ` + tok + ` ` + dir + fmt.Sprintf(` LIMIT %d`, limit+1)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return store.Page{}, wrap("list sessions", err)
	}
	defer rows.Close()
	var page store.Page
	var keys []string
	for rows.Next() {
		var r resolver.SessionRow
		var exp, k string
		var uid, name, email, image sql.NullString
		if err := rows.Scan(&r.Session.Token, &r.Session.UserID, &exp, &k, &uid, &name, &email, &image); err != nil {
			return store.Page{}, wrap("list sessions", err)
		}
		r.Session.Expires, _ = time.Parse(time.RFC3339Nano, exp)
		if uid.Valid {
			r.User = &resolver.StoredUser{ID: uid.String, Name: ptr(name), Email: ptr(email), Image: ptr(image)}
		}
		page.Rows = append(page.Rows, r)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, wrap("list sessions", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		page.Next = encodeCursor(keys[limit-1], page.Rows[limit-1].Session.Token)
	}
	return page, nil
}

func ptr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

func (s *Store) from() string {
	return ` FROM ` + quote(s.opts.SessionTable) + ` s LEFT JOIN ` + quote(s.opts.UserTable) + ` u ON u.` +
		quote(col(s.opts.UserColumns, "id")) + ` = s.` + quote(col(s.opts.SessionColumns, "userId"))
}

func whereSQL(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w, ` AND `)
}

// filter is the WHERE of a listing: the user filter and the state.
func (s *Store) filter(q store.CountQuery, state store.SessionState) ([]string, []any) {
	var w []string
	var args []any
	if q.Filter != "" {
		uc := s.opts.UserColumns
		like := "%" + strings.ToLower(q.Filter) + "%"
		w = append(w, `(lower(u.`+quote(col(uc, "name"))+`) LIKE ? OR lower(u.`+quote(col(uc, "email"))+`) LIKE ? OR lower(u.`+quote(col(uc, "id"))+`) LIKE ?)`)
		args = append(args, like, like, like)
	}
	exp := `s.` + quote(col(s.opts.SessionColumns, "expiresAt"))
	switch state {
	case store.StateActive:
		w = append(w, exp+` >= ?`)
		args = append(args, iso(q.Now))
	case store.StateExpired:
		w = append(w, exp+` < ?`)
		args = append(args, iso(q.Now))
	case store.StateDue:
		w = append(w, exp+` >= ?`, exp+` <= ?`)
		args = append(args, iso(q.Now), iso(dueBy(q)))
	}
	return w, args
}

// dueBy: Better Auth extends once expiresAt − expiresIn + updateAge ≤ now.
func dueBy(q store.CountQuery) time.Time { return store.DueBy(q.Now, q.MaxAge, q.UpdateAge) }

// Counts implements store.Browser.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	where, args := s.filter(q, store.StateAll)
	exp := `s.` + quote(col(s.opts.SessionColumns, "expiresAt"))
	query := `SELECT count(*), coalesce(sum(` + exp + ` >= ?), 0), coalesce(sum(` + exp + ` < ?), 0), coalesce(sum(` + exp + ` >= ? AND ` + exp + ` <= ?), 0)` + s.from() + whereSQL(where)
	now := iso(q.Now)
	var c store.Counts
	err := s.db.QueryRowContext(ctx, query, append([]any{now, now, now, iso(dueBy(q))}, args...)...).Scan(&c.Total, &c.Active, &c.Expired, &c.Due)
	return c, wrap("count sessions", err)
}

// RevokeSession implements store.Browser: Better Auth's signOut deletes the
// session row.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	if s.opts.ReadOnly {
		return resolver.ErrReadOnly
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+quote(s.opts.SessionTable)+` WHERE `+quote(col(s.opts.SessionColumns, "token"))+` = ?`, token)
	if err != nil {
		return wrap("revoke session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return resolver.ErrNotFound
	}
	return nil
}

// RevokeUser implements store.Browser (revokeSessions: every session of
// the user).
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	if s.opts.ReadOnly {
		return 0, resolver.ErrReadOnly
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+quote(s.opts.SessionTable)+` WHERE `+quote(col(s.opts.SessionColumns, "userId"))+` = ?`, userID)
	if err != nil {
		return 0, wrap("revoke user", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func encodeCursor(key, token string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\n" + token))
}

func decodeCursor(c string) (key, token string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		var ok bool
		if key, token, ok = strings.Cut(string(b), "\n"); ok {
			return key, token, nil
		}
	}
	return "", "", errors.New("betterauth sqlite: malformed page cursor")
}
