package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
	"github.com/jackc/pgx/v5"
)

// args collects positional parameters.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// maxFilterUsers is how many matching users the filter resolves to an
// explicit id list; above it, the filter stays a subquery.
var maxFilterUsers = 1000

// userFilter is the condition on the users table for a filter.
func (s *Store) userFilter(a *args, alias, filter string) string {
	p := a.add(keyset.LikePattern(filter))
	return fmt.Sprintf("(lower(%[1]s.%[2]s) LIKE %[5]s OR lower(%[1]s.%[3]s) LIKE %[5]s OR lower(%[1]s.%[4]s::text) LIKE %[5]s)",
		alias, ident(s.l.UserName), ident(s.l.UserEmail), ident(s.l.UserID), p)
}

// conds builds the filter and state window. The window compares the
// column itself (through writeTime) so the expires index applies.
//
// The filter is resolved users-first, adaptively: the matching user ids
// are read (one query, served by the trigram indexes of `db migrate
// --search` when present); if there are few, sessions are selected by
// "userId" = ANY(ids), which the (userId, token) index answers at once;
// if there are many, the condition stays a semi-join, so the page walks
// the sort index and stops after Limit rows. One plan for both would pick
// a full scan for one case or the other.
func (s *Store) conds(ctx context.Context, a *args, filter string, state resolver.SessionState, q resolver.ListQuery) ([]string, error) {
	var where []string
	if filter != "" {
		var ua args
		rows, err := s.pool.Query(ctx, fmt.Sprintf("SELECT %s::text FROM %s u WHERE %s LIMIT %d",
			ident(s.l.UserID), s.users.name, s.userFilter(&ua, "u", filter), maxFilterUsers+1), ua...)
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		uid := "s." + ident(s.l.SessionUserID)
		if len(ids) <= maxFilterUsers {
			where = append(where, fmt.Sprintf("%s = ANY(%s::text[]::%s[])", uid, a.add(ids), s.sessions.cols[s.l.SessionUserID].base))
		} else {
			where = append(where, fmt.Sprintf("%s IN (SELECT x.%s FROM %s x WHERE %s)", uid, ident(s.l.UserID), s.users.name, s.userFilter(a, "x", filter)))
		}
	}
	exp := s.sessions.cols[s.l.SessionExpires]
	lo, hi := keyset.Window(state, q.Now, q.MaxAge, q.UpdateAge)
	if !lo.IsZero() {
		where = append(where, s.q.expires+" >= "+writeTime(exp, a.add(lo)))
	}
	if !hi.IsZero() {
		where = append(where, s.q.expires+" < "+writeTime(exp, a.add(hi)))
	}
	return where, nil
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// ListSessions implements resolver.Browser with keyset pagination: a row
// comparison on (expires, token) or (userId, token), which the indexes of
// `authscope db migrate` serve directly; there is no OFFSET.
func (s *Store) ListSessions(ctx context.Context, q resolver.ListQuery) (resolver.Page, error) {
	q, err := keyset.Normalize(q)
	if err != nil {
		return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	cur, err := keyset.Decode(q.Sort, q.After)
	if err != nil {
		return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	var a args
	where, err := s.conds(ctx, &a, q.Filter, q.State, q)
	if err != nil {
		return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	tok := "s." + ident(s.l.SessionToken)
	key := s.q.expires
	if q.Sort == resolver.SortUser {
		key = "s." + ident(s.l.SessionUserID)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if cur != nil {
		var k string
		if q.Sort == resolver.SortUser {
			k = a.add(cur.UserID) + "::text::" + s.sessions.cols[s.l.SessionUserID].typ
		} else {
			k = writeTime(s.sessions.cols[s.l.SessionExpires], a.add(cur.Expires))
		}
		where = append(where, fmt.Sprintf("(%s, %s) %s (%s, %s::text::%s)", key, tok, op, k, a.add(cur.Token), s.sessions.cols[s.l.SessionToken].typ))
	}
	query := "SELECT " + s.q.selectCols + s.q.from + whereClause(where) +
		fmt.Sprintf(" ORDER BY %s %s, %s %s LIMIT %s", key, dir, tok, dir, a.add(q.Limit+1))
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	defer rows.Close()
	var page resolver.Page
	for rows.Next() {
		sess, user, err := scanRow(rows)
		if err != nil {
			return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
		}
		page.Rows = append(page.Rows, resolver.SessionRow{Session: *sess, User: user})
	}
	if err := rows.Err(); err != nil {
		return resolver.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	if len(page.Rows) > q.Limit {
		page.Rows = page.Rows[:q.Limit]
		page.Next = keyset.Encode(q.Sort, page.Rows[q.Limit-1])
	}
	return page, nil
}

// Counts implements resolver.Browser: one scan with FILTER aggregates.
func (s *Store) Counts(ctx context.Context, q resolver.CountQuery) (resolver.Counts, error) {
	q = keyset.NormalizeCounts(q)
	var a args
	exp := s.sessions.cols[s.l.SessionExpires]
	now, _ := keyset.Window(resolver.StateActive, q.Now, q.MaxAge, q.UpdateAge)
	_, dueHi := keyset.Window(resolver.StateDue, q.Now, q.MaxAge, q.UpdateAge)
	pNow, pDue := writeTime(exp, a.add(now)), writeTime(exp, a.add(dueHi))
	where, err := s.conds(ctx, &a, q.Filter, resolver.StateAll, resolver.ListQuery{})
	if err != nil {
		return resolver.Counts{}, fmt.Errorf("pgstore: counts: %w", err)
	}
	from := " FROM " + s.sessions.name + " s"
	e := s.q.expires
	query := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE %[1]s >= %[2]s), count(*) FILTER (WHERE %[1]s < %[2]s),
count(*) FILTER (WHERE %[1]s >= %[2]s AND %[1]s < %[3]s)`, e, pNow, pDue) + from + whereClause(where)
	var c resolver.Counts
	if err := s.pool.QueryRow(ctx, query, a...).Scan(&c.Total, &c.Active, &c.Expired, &c.Due); err != nil {
		return c, fmt.Errorf("pgstore: counts: %w", err)
	}
	return c, nil
}

// RevokeSession implements resolver.Browser.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	n, err := s.deleteSession(ctx, token)
	if err != nil {
		return err
	}
	if n == 0 {
		return resolver.ErrNotFound
	}
	return nil
}

// RevokeUser implements resolver.Browser.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	if s.readOnly {
		return 0, resolver.ErrReadOnly
	}
	tag, err := s.pool.Exec(ctx, s.q.revokeUser, userID)
	if err != nil {
		return 0, fmt.Errorf("pgstore: revoke user: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
