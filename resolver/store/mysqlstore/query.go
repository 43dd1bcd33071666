package mysqlstore

import (
	"fmt"
	"strings"
)

// queries are the statements built once from the layout.
type queries struct {
	selectFrom string
	lookup     string
	update     string // args: expires[, updatedAt], token
	del        string
	revokeUser string
}

func (s *Store) build() queries {
	l := s.l
	sc := func(c string) string { return "s." + ident(c) }
	uc := func(c string) string { return "u." + ident(c) }
	var q queries
	q.selectFrom = fmt.Sprintf("SELECT %s, %s, %s, %s, %s, %s, %s, %s FROM %s s LEFT JOIN %s u ON %s = %s",
		sc(l.SessionToken), sc(l.SessionUserID), sc(l.SessionExpires),
		uc(l.UserID), uc(l.UserName), uc(l.UserEmail), uc(l.UserImage), uc(l.UserEmailVerified),
		s.sessions.name, s.users.name, uc(l.UserID), sc(l.SessionUserID))
	q.lookup = q.selectFrom + " WHERE " + sc(l.SessionToken) + " = ? LIMIT 1"
	set := ident(l.SessionExpires) + " = ?"
	if l.SessionUpdatedAt != "" {
		set += ", " + ident(l.SessionUpdatedAt) + " = ?"
	}
	q.update = fmt.Sprintf("UPDATE %s SET %s WHERE %s = ?", s.sessions.name, set, ident(l.SessionToken))
	q.del = fmt.Sprintf("DELETE FROM %s WHERE %s = ?", s.sessions.name, ident(l.SessionToken))
	q.revokeUser = fmt.Sprintf("DELETE FROM %s WHERE %s = ?", s.sessions.name, ident(l.SessionUserID))
	return q
}

func insertPrefix(table string, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident(c)
	}
	return fmt.Sprintf("INSERT IGNORE INTO %s (%s) VALUES ", table, strings.Join(quoted, ", "))
}
