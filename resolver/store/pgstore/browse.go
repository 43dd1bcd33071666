package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
)

// args collects positional parameters.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// maxFilterUsers is how many matching users a filter resolves to an
// explicit id list; above it, the filter stays a semi-join subquery. See
// filterUsers for why 5000 (5% of BenchmarkListPage's 100,000 users).
var maxFilterUsers = 5000

// userFilter is the condition on the users table for a filter.
func (s *Store) userFilter(a *args, alias, filter string) string {
	p := a.add(keyset.LikePattern(filter))
	return fmt.Sprintf("(lower(%[1]s.%[2]s) LIKE %[5]s OR lower(%[1]s.%[3]s) LIKE %[5]s OR lower(%[1]s.%[4]s::text) LIKE %[5]s)",
		alias, ident(s.l.UserName), ident(s.l.UserEmail), ident(s.l.UserID), p)
}

// customPlan prepends to a filtered query's arguments the exec mode that
// plans it for these very values: an unnamed statement, described then
// executed, so PostgreSQL makes a custom plan every time. With the pool's
// cached prepared statements the server switches to a generic plan after
// five runs, and a generic plan does not know how many ids the array holds
// or how selective the LIKE pattern is: one planned for a handful of users
// (fetch their sessions, sort) then sorts 30,000 rows for a 3% filter
// (EXPLAIN ANALYZE: 260 ms instead of 5 ms). The price is one more round
// trip (~0.1 ms locally), paid only by filtered lists and counts.
func customPlan(filter string, a args) []any {
	if filter == "" {
		return a
	}
	return append([]any{pgx.QueryExecModeDescribeExec}, a...)
}

// conds builds the filter and state window. The window compares the
// column itself (through writeTime) so the expires index applies.
func (s *Store) conds(ctx context.Context, a *args, filter string, state store.SessionState, q store.ListQuery) ([]string, error) {
	var where []string
	if filter != "" {
		ids, many, err := s.filterUsers(ctx, filter)
		if err != nil {
			return nil, err
		}
		uid := "s." + ident(s.l.SessionUserID)
		if !many {
			// Not $n::text[]::int4[]: that array coercion is not folded
			// into a constant, so it is redone for every row walked and
			// the hashed lookup does not apply (1.8 s for 3,380 ids).
			where = append(where, fmt.Sprintf("%s = ANY(%s::%s[])", uid, a.add(ids), s.sessions.cols[s.l.SessionUserID].base))
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

// ListSessions implements store.Browser with keyset pagination: a row
// comparison on (expires, token) or (userId, token), which the indexes of
// `authscope db migrate` serve directly; there is no OFFSET.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	q, cur, err := keyset.Parse(q)
	if err != nil {
		return store.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	var a args
	where, err := s.conds(ctx, &a, q.Filter, q.State, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	tok := "s." + ident(s.l.SessionToken)
	key := s.q.expires
	if q.Sort == store.SortUser {
		key = "s." + ident(s.l.SessionUserID)
	}
	op, dir := keyset.Order(q.Desc)
	if cur != nil {
		var k string
		if q.Sort == store.SortUser {
			k = a.add(cur.UserID) + "::text::" + s.sessions.cols[s.l.SessionUserID].typ
		} else {
			k = writeTime(s.sessions.cols[s.l.SessionExpires], a.add(cur.Expires))
		}
		where = append(where, fmt.Sprintf("(%s, %s) %s (%s, %s::text::%s)", key, tok, op, k, a.add(cur.Token), s.sessions.cols[s.l.SessionToken].typ))
	}
	// The page is cut from sessions alone, then joined with its users: the
	// join runs for Limit+1 rows whatever the planner thinks of the
	// filter, instead of being planned as a hash join over every user
	// ahead of the sort (seen without parallel workers for a filter on
	// 111 users: 23 ms instead of 2).
	order := fmt.Sprintf(" ORDER BY %s %s, %s %s", key, dir, tok, dir)
	query := "SELECT " + s.q.selectCols + " FROM (SELECT s.* FROM " + s.sessions.name + " s" + keyset.Where(where) +
		order + " LIMIT " + a.add(q.Limit+1) + ") s" +
		fmt.Sprintf(" LEFT JOIN %s u ON u.%s = s.%s", s.users.name, ident(s.l.UserID), ident(s.l.SessionUserID)) + order
	rows, err := s.pool.Query(ctx, query, customPlan(q.Filter, a)...)
	if err != nil {
		return store.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	defer rows.Close()
	var page store.Page
	for rows.Next() {
		sess, user, err := scanRow(rows)
		if err != nil {
			return store.Page{}, fmt.Errorf("pgstore: list: %w", err)
		}
		page.Rows = append(page.Rows, resolver.SessionRow{Session: *sess, User: user})
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("pgstore: list: %w", err)
	}
	return keyset.PageOf(q, page.Rows), nil
}

// Counts implements store.Browser: one scan with FILTER aggregates.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	q = keyset.NormalizeCounts(q)
	var a args
	exp := s.sessions.cols[s.l.SessionExpires]
	now, dueHi := keyset.CountBounds(q)
	pNow, pDue := writeTime(exp, a.add(now)), writeTime(exp, a.add(dueHi))
	where, err := s.conds(ctx, &a, q.Filter, store.StateAll, store.ListQuery{})
	if err != nil {
		return store.Counts{}, fmt.Errorf("pgstore: counts: %w", err)
	}
	from := " FROM " + s.sessions.name + " s"
	e := s.q.expires
	query := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE %[1]s >= %[2]s), count(*) FILTER (WHERE %[1]s < %[2]s),
count(*) FILTER (WHERE %[1]s >= %[2]s AND %[1]s < %[3]s)`, e, pNow, pDue) + from + keyset.Where(where)
	var c store.Counts
	if err := s.pool.QueryRow(ctx, query, customPlan(q.Filter, a)...).Scan(&c.Total, &c.Active, &c.Expired, &c.Due); err != nil {
		return c, fmt.Errorf("pgstore: counts: %w", err)
	}
	return c, nil
}

// RevokeSession implements store.Browser.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	return keyset.Revoked(s.deleteSession(ctx, token))
}

// RevokeUser implements store.Browser.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	tag, err := s.pool.Exec(ctx, s.q.revokeUser, userID)
	if err != nil {
		return 0, fmt.Errorf("pgstore: revoke user: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// filterUsers resolves a filter users-first: the ids of the users it
// matches, or many when they are more than maxFilterUsers.
//
// A filtered page costs about min(Limit/share, share×sessions) rows
// visited, share being the fraction of users the filter matches: the sort
// index walked until Limit sessions of matching users have passed, or
// every session of the matching users fetched and sorted. Neither plan
// wins for every filter, and the worst case, ~1% of users, visits ~10,000
// rows either way, so the cost per row visited is what matters:
//
//   - Up to maxFilterUsers users, the ids are read (served by the trigram
//     indexes of `db migrate --search` when present) and the sessions
//     selected by "userId" = ANY($ids), the array typed as the column so
//     a custom plan sees a constant: the planner estimates the rows from
//     the column's statistics and picks the (userId, token) index plus a
//     sort for few users, or the sort index walked with the ids as a
//     hashed filter for many (~2 µs per row walked).
//   - Beyond it (over 5% of BenchmarkListPage's 100,000 users) the walk
//     stops within Limit/5% = 2,000 rows, so the filter stays a semi-join
//     on users (a memoized primary-key probe and LIKE recheck per row
//     walked, ~6 µs) rather than reading and sending back tens of
//     thousands of ids. Left to itself the planner keeps this probe even
//     for a 3% filter (~19 ms, ~3,000 rows walked) rather than hash the
//     matching users once: it costs the LIKE recheck as nearly free.
//
// Reading the ids of a broad filter is itself a scan of cap/share users,
// so the planner's estimate of the matching users is asked first (one
// EXPLAIN, ~1 ms) and the read skipped when it is over twice the cap. With
// the statistics `db migrate --search` gathers on its expression indexes
// the estimate is close for broad filters (44,455 for 50,000 users, 5,577
// for 3,380) though blind below ~1% (29 for 1,111), which the read then
// settles. A wrong estimate costs time, never rows.
func (s *Store) filterUsers(ctx context.Context, filter string) (ids []string, many bool, err error) {
	var ua args
	cond := s.userFilter(&ua, "u", filter)
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := s.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT 1 FROM "+s.users.name+" u WHERE "+cond,
		customPlan(filter, ua)...).Scan(&plan); err != nil {
		return nil, false, fmt.Errorf("filter: estimate: %w", err)
	}
	if len(plan) == 1 && plan[0].Plan.Rows > 2*float64(maxFilterUsers) {
		return nil, true, nil
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf("SELECT %s::text FROM %s u WHERE %s LIMIT %d",
		ident(s.l.UserID), s.users.name, cond, maxFilterUsers+1), customPlan(filter, ua)...)
	if err != nil {
		return nil, false, fmt.Errorf("filter: %w", err)
	}
	ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, false, fmt.Errorf("filter: %w", err)
	}
	return ids, len(ids) > maxFilterUsers, nil
}
