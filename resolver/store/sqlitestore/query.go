package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// queries are the statements built once from the layout.
type queries struct {
	selectFrom string // the joined columns scanRow reads, FROM sessions s LEFT JOIN users u
	lookup     string
	update     string // args: expires ms, expires iso, now ms, now iso, token
	del        string
	revokeUser string
}

// ident quotes a table or column name.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func buildQueries(l Layout) queries {
	sc := func(c string) string { return "s." + ident(c) }
	uc := func(c string) string { return "u." + ident(c) }
	var q queries
	q.selectFrom = fmt.Sprintf("SELECT %s, %s, %s, %s, %s, %s, %s, %s FROM %s s LEFT JOIN %s u ON %s = %s",
		sc(l.SessionToken), sc(l.SessionUserID), sc(l.SessionExpires),
		uc(l.UserID), uc(l.UserName), uc(l.UserEmail), uc(l.UserImage), uc(l.UserEmailVerified),
		ident(l.Sessions), ident(l.Users), uc(l.UserID), sc(l.SessionUserID))
	q.lookup = q.selectFrom + " WHERE " + sc(l.SessionToken) + " = ?1 LIMIT 1"
	// A row keeps the date format it has (?1/?3 milliseconds, ?2/?4 ISO).
	set := fmt.Sprintf("%[1]s = CASE typeof(%[1]s) WHEN 'integer' THEN ?1 ELSE ?2 END", ident(l.SessionExpires))
	if l.SessionUpdatedAt != "" {
		set += fmt.Sprintf(", %[1]s = CASE typeof(%[1]s) WHEN 'integer' THEN ?3 ELSE ?4 END", ident(l.SessionUpdatedAt))
	}
	q.update = fmt.Sprintf("UPDATE %s SET %s WHERE %s = ?5", ident(l.Sessions), set, ident(l.SessionToken))
	q.del = fmt.Sprintf("DELETE FROM %s WHERE %s = ?", ident(l.Sessions), ident(l.SessionToken))
	q.revokeUser = fmt.Sprintf("DELETE FROM %s WHERE %s = ?", ident(l.Sessions), ident(l.SessionUserID))
	return q
}

func insertPrefix(table string, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident(c)
	}
	return fmt.Sprintf("INSERT OR IGNORE INTO %s (%s) VALUES ", ident(table), strings.Join(quoted, ", "))
}

// extraCols are the NOT NULL columns without a default that a layout's
// tables add to the adapter's fields (a row id, Prisma's updatedAt):
// seeding must give them a value.
type extraCols struct {
	users, sessions []string
}

func readExtraCols(ctx context.Context, db *sql.DB, l Layout) (extraCols, error) {
	var e extraCols
	var err error
	if e.users, err = requiredCols(ctx, db, l.Users, l.userCols()); err != nil {
		return e, err
	}
	e.sessions, err = requiredCols(ctx, db, l.Sessions, l.sessionCols())
	return e, err
}

func requiredCols(ctx context.Context, db *sql.DB, table string, known []string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) WHERE "notnull" AND dflt_value IS NULL`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if !slices.Contains(known, n) {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

func hasColumn(ctx context.Context, db *sql.DB, table, col string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, col).Scan(&n)
	return n > 0, err
}

// fill appends a value for each extra column: a date-like name (createdAt,
// updated_at) gets now, an id the row's derived id, anything else that id
// suffixed with the column (unique per row).
func (extraCols) fill(args []any, cols []string, id string, now any) []any {
	for _, c := range cols {
		switch {
		case strings.HasSuffix(c, "At") || strings.HasSuffix(strings.ToLower(c), "_at"):
			args = append(args, now)
		case c == "id":
			args = append(args, id)
		default:
			args = append(args, id+":"+c)
		}
	}
	return args
}

// index is a browsing index the adapters' schemas lack.
type index struct {
	name string
	cols []string
}

// indexes are the browsing indexes for the layout: d1 keeps the names
// authscope has always given them.
func (s *Store) indexes() []index {
	l := s.l
	return []index{
		{s.l.Sessions + "_expires_idx", []string{l.SessionExpires, l.SessionToken}},
		{s.l.Sessions + "_" + l.SessionUserID + "_idx", []string{l.SessionUserID, l.SessionToken}},
	}
}

func (ix index) sql(table string) string {
	cols := make([]string, len(ix.cols))
	for i, c := range ix.cols {
		cols[i] = ident(c)
	}
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s);", ident(ix.name), ident(table), strings.Join(cols, ", "))
}

// indexLedBy reports whether some index on the sessions table starts with
// col (the primary key of a WITHOUT ROWID table counts, as its own index).
func (s *Store) indexLedBy(ctx context.Context, col string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_index_list(?1) il, pragma_index_info(il.name) ii WHERE ii.seqno = 0 AND ii.name = ?2`,
		s.l.Sessions, col).Scan(&n)
	return n > 0, err
}
