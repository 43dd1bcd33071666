package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

// Browsing: store.Browser over Better Auth's tables, so the TUI lists,
// counts and revokes Better Auth sessions as it does Auth.js's. "Due" is
// Better Auth's rule with ListQuery.MaxAge as expiresIn and UpdateAge as
// updateAge.

// ListSessions implements store.Browser.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	st, ut := s.session, s.user
	keyField := "expiresAt"
	if q.Sort == store.SortUser {
		keyField = "userId"
	}
	key, tok := `s.`+s.col(st, keyField), `s.`+s.col(st, "token")
	where, args := s.filter(store.CountQuery{Now: q.Now, MaxAge: q.MaxAge, UpdateAge: q.UpdateAge, Filter: q.Filter}, q.State)
	if q.After != "" {
		k, t, err := s.decodeCursor(q.After, keyField)
		if err != nil {
			return store.Page{}, err
		}
		op := map[bool]string{false: ">", true: "<"}[q.Desc]
		where = append(where, fmt.Sprintf("(%s %s ? OR (%s = ? AND %s %s ?))", key, op, key, tok, op))
		args = append(args, k, k, t)
	}
	dir := map[bool]string{false: "ASC", true: "DESC"}[q.Desc]
	query := `SELECT ` + tok + `, s.` + s.col(st, "userId") + `, s.` + s.col(st, "expiresAt") + `, u.` + s.col(ut, "id") + `, u.` + s.col(ut, "name") +
		`, u.` + s.col(ut, "email") + `, u.` + s.col(ut, "image") + s.from() + whereSQL(where) +
		` ORDER BY ` + key + ` ` + dir + `, ` + tok + ` ` + dir + fmt.Sprintf(` LIMIT %d`, limit+1)
	rows, err := s.db.QueryContext(ctx, s.d.bind(query), args...)
	if err != nil {
		return store.Page{}, s.wrap("list sessions", err)
	}
	defer rows.Close()
	var page store.Page
	for rows.Next() {
		var r resolver.SessionRow
		var uidS, exp, uid any
		var name, email, image sql.NullString
		if err := rows.Scan(&r.Session.Token, &uidS, &exp, &uid, &name, &email, &image); err != nil {
			return store.Page{}, s.wrap("list sessions", err)
		}
		r.Session.UserID = idString(uidS)
		r.Session.Expires = toTime(value(exp))
		if uid != nil {
			r.User = &resolver.StoredUser{ID: idString(uid), Name: ptr(name), Email: ptr(email), Image: ptr(image)}
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, s.wrap("list sessions", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1].Session
		k := last.Expires.UTC().Format(time.RFC3339Nano)
		if keyField == "userId" {
			k = last.UserID
		}
		page.Next = encodeCursor(k, last.Token)
	}
	return page, nil
}

func idString(v any) string {
	switch v := value(v).(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return fmt.Sprint(int64(v))
	default:
		return fmt.Sprint(v)
	}
}

// toTime reads a scanned date: a time, or ISO text where dates are text.
func toTime(v any) time.Time {
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case string:
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t
	}
	return time.Time{}
}

func ptr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

func (s *Store) from() string {
	return ` FROM ` + s.q(s.session.name) + ` s LEFT JOIN ` + s.q(s.user.name) + ` u ON u.` + s.col(s.user, "id") + ` = s.` + s.col(s.session, "userId")
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
		like := "%" + strings.ToLower(q.Filter) + "%"
		w = append(w, `(lower(u.`+s.col(s.user, "name")+`) LIKE ? OR lower(u.`+s.col(s.user, "email")+`) LIKE ? OR lower(`+s.text(`u.`+s.col(s.user, "id"))+`) LIKE ?)`)
		args = append(args, like, like, like)
	}
	exp := `s.` + s.col(s.session, "expiresAt")
	now := s.d.timeArg(q.Now)
	switch state {
	case store.StateActive:
		w = append(w, exp+` >= ?`)
		args = append(args, now)
	case store.StateExpired:
		w = append(w, exp+` < ?`)
		args = append(args, now)
	case store.StateDue:
		w = append(w, exp+` >= ?`, exp+` <= ?`)
		args = append(args, now, s.d.timeArg(store.DueBy(q.Now, q.MaxAge, q.UpdateAge)))
	}
	return w, args
}

// text casts an expression to text (ids may be integers or uuids).
func (s *Store) text(expr string) string {
	if s.d.Name == MySQL.Name {
		return `CAST(` + expr + ` AS CHAR)`
	}
	return `CAST(` + expr + ` AS TEXT)`
}

// Counts implements store.Browser.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	where, args := s.filter(q, store.StateAll)
	exp := `s.` + s.col(s.session, "expiresAt")
	when := func(cond string) string { return `coalesce(sum(CASE WHEN ` + cond + ` THEN 1 ELSE 0 END), 0)` }
	query := `SELECT count(*), ` + when(exp+` >= ?`) + `, ` + when(exp+` < ?`) + `, ` + when(exp+` >= ? AND `+exp+` <= ?`) + s.from() + whereSQL(where)
	now := s.d.timeArg(q.Now)
	var c store.Counts
	err := s.db.QueryRowContext(ctx, s.d.bind(query), append([]any{now, now, now, s.d.timeArg(store.DueBy(q.Now, q.MaxAge, q.UpdateAge))}, args...)...).
		Scan(&c.Total, &c.Active, &c.Expired, &c.Due)
	return c, s.wrap("count sessions", err)
}

// RevokeSession implements store.Browser: Better Auth's signOut deletes the
// session row.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	if s.readOnly {
		return errReadOnly
	}
	res, err := s.db.ExecContext(ctx, s.del, token)
	if err != nil {
		return s.wrap("revoke session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return resolver.ErrNotFound
	}
	return nil
}

// RevokeUser implements store.Browser (revokeSessions: every session of
// the user).
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	if s.readOnly {
		return 0, errReadOnly
	}
	q := s.d.bind(`DELETE FROM ` + s.q(s.session.name) + ` WHERE ` + s.text(s.col(s.session, "userId")) + ` = ?`)
	res, err := s.db.ExecContext(ctx, q, userID)
	if err != nil {
		return 0, s.wrap("revoke user", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func encodeCursor(key, token string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\n" + token))
}

// decodeCursor returns the cursor's key as the column compares it.
func (s *Store) decodeCursor(c, keyField string) (key any, token string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if k, t, ok := strings.Cut(string(b), "\n"); ok {
			if keyField != "expiresAt" {
				return k, t, nil
			}
			if tm, err := time.Parse(time.RFC3339Nano, k); err == nil {
				return s.d.timeArg(tm), t, nil
			}
		}
	}
	return nil, "", fmt.Errorf("betterauth %s: malformed page cursor", s.d.Name)
}
