package mysqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// column is what information_schema says about one column.
type column struct {
	dataType string // datetime, timestamp, varchar, int, …
	notNull  bool
	hasDef   bool // a default, or auto_increment
}

type table struct {
	name string // quoted
	cols map[string]column
}

// errNoTable marks a missing table (detection moves on to the next preset).
var errNoTable = errors.New("does not exist")

// readTable reads a table's columns. information_schema compares names
// case-insensitively: BINARY keeps "User" and "user" apart.
func (s *Store) readTable(ctx context.Context, name string) (table, error) {
	t := table{name: ident(name), cols: map[string]column{}}
	rows, err := s.db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable = 'NO', column_default IS NOT NULL OR extra LIKE '%auto_increment%' OR extra LIKE '%DEFAULT_GENERATED%'
FROM information_schema.columns WHERE table_schema = DATABASE() AND BINARY table_name = ?`, name)
	if err != nil {
		return t, fmt.Errorf("mysql: inspect %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var c column
		if err := rows.Scan(&n, &c.dataType, &c.notNull, &c.hasDef); err != nil {
			return t, fmt.Errorf("mysql: inspect %s: %w", t.name, err)
		}
		c.dataType = strings.ToLower(c.dataType)
		t.cols[n] = c
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("mysql: inspect %s: %w", t.name, err)
	}
	if len(t.cols) == 0 {
		return t, fmt.Errorf("mysql: layout %s: table %s %w", s.l.Name, t.name, errNoTable)
	}
	return t, nil
}

// inspect reads both tables and checks the layout's columns and types.
func (s *Store) inspect(ctx context.Context) error {
	var err error
	if s.users, err = s.readTable(ctx, s.l.Users); err != nil {
		return err
	}
	if s.sessions, err = s.readTable(ctx, s.l.Sessions); err != nil {
		return err
	}
	l := s.l
	for _, c := range []struct {
		t    table
		cols []string
	}{{s.users, []string{l.UserID, l.UserName, l.UserEmail, l.UserImage, l.UserEmailVerified}}, {s.sessions, []string{l.SessionToken, l.SessionUserID, l.SessionExpires}}} {
		for _, col := range c.cols {
			if _, ok := c.t.cols[col]; !ok {
				return mismatchError{fmt.Sprintf("mysql: layout %s: table %s has no column %s", l.Name, c.t.name, ident(col))}
			}
		}
	}
	for _, c := range []struct {
		t   table
		col string
	}{{s.sessions, l.SessionExpires}, {s.users, l.UserEmailVerified}} {
		if dt := c.t.cols[c.col].dataType; dt != "datetime" && dt != "timestamp" {
			return mismatchError{fmt.Sprintf("mysql: layout %s: column %s.%s is %s, want DATETIME or TIMESTAMP", l.Name, c.t.name, ident(c.col), dt)}
		}
	}
	if _, ok := s.sessions.cols[l.SessionUpdatedAt]; !ok {
		s.l.SessionUpdatedAt = "" // optional: older Prisma schemas lack it
	}
	return nil
}

// mismatchError is a table that is there but not as the layout has it.
type mismatchError struct{ msg string }

func (e mismatchError) Error() string { return e.msg }

// detect is --schema auto: the one preset whose tables and columns are
// there. Prisma and Kysely share names; Kysely's migration has TIMESTAMP
// expiries and no updatedAt, Prisma's DATETIME(3).
func (s *Store) detect(ctx context.Context) (Layout, error) {
	var found, near []string
	for _, name := range PresetNames() {
		l, _ := Preset(name)
		probe := &Store{db: s.db, l: l}
		err := probe.inspect(ctx)
		var mismatch mismatchError
		switch {
		case errors.Is(err, errNoTable):
			continue
		case errors.As(err, &mismatch):
			near = append(near, strings.TrimPrefix(mismatch.msg, "mysql: "))
			continue
		case err != nil:
			return Layout{}, err
		}
		kyselyLike := probe.sessions.cols[l.SessionExpires].dataType == "timestamp" && probe.l.SessionUpdatedAt == ""
		if (name == "kysely") == kyselyLike || (name != "kysely" && name != "prisma") {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 1:
		return Preset(found[0])
	case 0:
		tables, err := s.tableNames(ctx)
		if err != nil {
			return Layout{}, err
		}
		msg := fmt.Sprintf("mysql: no Auth.js session table in the database: found %s; looked for sessions/session/Session (%s layouts)", tables, strings.Join(PresetNames(), ", "))
		if len(near) > 0 {
			msg += "; " + strings.Join(near, "; ")
		}
		return Layout{}, noLayoutError{msg}
	}
	return Layout{}, fmt.Errorf("mysql: the database holds the tables of several Auth.js layouts (%s): pick one with --schema", strings.Join(found, ", "))
}

// ErrNoTable is wrapped by Open's error when the database has no Auth.js
// tables: reachable, but the adapter's schema is not there.
var ErrNoTable = errNoTable

type noLayoutError struct{ msg string }

func (e noLayoutError) Error() string      { return e.msg }
func (noLayoutError) Is(target error) bool { return target == errNoTable }

func (s *Store) tableNames(ctx context.Context) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY BINARY table_name LIMIT 50`)
	if err != nil {
		return "", fmt.Errorf("mysql: inspect schema: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("mysql: inspect schema: %w", err)
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "no tables", rows.Err()
	}
	return "tables " + strings.Join(names, ", "), rows.Err()
}
