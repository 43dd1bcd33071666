package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/authscope/authscope/resolver/betterauth"
)

// Layout names Better Auth's tables and columns in one database: the
// modelName and fields options. Empty names are detected.
type Layout struct {
	// SessionTable and UserTable are session.modelName and user.modelName;
	// empty: the first of "session", "Session", "sessions" (and "user",
	// "User", "users") whose columns are Better Auth's.
	SessionTable, UserTable string
	// SessionColumns and UserColumns map a field to its column
	// (session.fields, user.fields); a field not listed is found as
	// itself (camelCase) or in snake_case.
	SessionColumns, UserColumns map[string]string
	// SessionExtra and UserExtra are the additionalFields, in config order.
	SessionExtra, UserExtra []betterauth.AdditionalField
}

// column is one field's column.
type column struct {
	name string
	kind kind
}

// table is one model's table as found in the catalog.
type table struct {
	name   string
	fields []string          // in select order
	cols   map[string]column // by field
}

// catalog is table → column → data type.
type catalog map[string]map[string]string

func readCatalog(ctx context.Context, db *sql.DB, d Dialect) (catalog, error) {
	rows, err := db.QueryContext(ctx, d.Catalog)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := catalog{}
	for rows.Next() {
		var t, col, typ string
		if err := rows.Scan(&t, &col, &typ); err != nil {
			return nil, err
		}
		if c[t] == nil {
			c[t] = map[string]string{}
		}
		c[t][col] = typ
	}
	return c, rows.Err()
}

// Candidate table names per model, in the order detection tries them.
var (
	sessionTables = []string{"session", "Session", "sessions"}
	userTables    = []string{"user", "User", "users"}
)

// resolve finds the model's table and every field's column.
func (c catalog) resolve(d Dialect, model, explicit string, candidates, core []string, mapping map[string]string, extra []betterauth.AdditionalField) (table, error) {
	names := candidates
	if explicit != "" {
		names = []string{explicit}
	}
	fields := append([]string{"id"}, core...)
	for _, f := range extra {
		fields = append(fields, f.Name)
	}
	var firstErr error
	for _, n := range names {
		cols, ok := c[n]
		if !ok {
			continue
		}
		t, err := match(d, n, cols, fields, mapping)
		if err == nil {
			return t, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return table{}, firstErr
	}
	return table{}, fmt.Errorf("no %s table: looked for %s (run Better Auth's migrations, or name the table)", model, strings.Join(quoteAll(names), ", "))
}

// match maps every field to a column of the table, or names the first
// one missing.
func match(d Dialect, name string, cols map[string]string, fields []string, mapping map[string]string) (table, error) {
	t := table{name: name, cols: map[string]column{}}
	for _, f := range fields {
		tries := []string{f, snake(f)}
		if c, ok := mapping[f]; ok && c != "" {
			tries = []string{c}
		}
		found := false
		for _, c := range tries {
			if typ, ok := cols[c]; ok {
				t.cols[f] = column{name: c, kind: kindOf(d, typ)}
				t.fields = append(t.fields, f)
				found = true
				break
			}
		}
		if !found {
			return table{}, fmt.Errorf("table %q has no column for field %s (looked for %s)", name, f, strings.Join(quoteAll(tries), " or "))
		}
	}
	return t, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// snake is Drizzle's casing of a field: expiresAt → expires_at.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// describe names a resolved layout for messages and LayoutName.
func describe(s, u table) string {
	casing := "camelCase"
	if s.cols["expiresAt"].name == "expires_at" {
		casing = "snake_case"
	}
	return fmt.Sprintf("%q/%q, %s columns", s.name, u.name, casing)
}

// tables lists a catalog's table names, sorted (for errors).
func (c catalog) tables() []string {
	var out []string
	for t := range c {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
