package sqlstore

import (
	"strconv"
	"strings"
	"time"
)

// Dialect is what differs between the SQL databases Better Auth runs on.
type Dialect struct {
	// Name is the database's name in messages ("postgres", "mysql", "sqlite").
	Name string
	// Numbered placeholders ($1, $2) instead of ?.
	Numbered bool
	// TextDates: dates are ISO 8601 text (Kysely on SQLite), compared and
	// written as text.
	TextDates bool
	// Catalog lists (table, column, data type) of the current schema.
	Catalog string
	// QuoteChar quotes identifiers (" or `).
	QuoteChar byte
}

// The dialects of Better Auth's SQL databases.
var (
	Postgres = Dialect{Name: "postgres", Numbered: true, QuoteChar: '"',
		Catalog: `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`}
	MySQL = Dialect{Name: "mysql", QuoteChar: '`',
		Catalog: `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = DATABASE()`}
	SQLite = Dialect{Name: "sqlite", TextDates: true, QuoteChar: '"',
		Catalog: `SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`}
)

// quote quotes an identifier.
func (d Dialect) quote(id string) string {
	q := string(d.QuoteChar)
	return q + strings.ReplaceAll(id, q, q+q) + q
}

// bind turns ? placeholders into the dialect's (the queries here hold no
// literal question marks).
func (d Dialect) bind(q string) string {
	if !d.Numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

const isoLayout = "2006-01-02T15:04:05.000Z"

// timeArg is a time as a query argument: a JavaScript Date's
// milliseconds, as text where dates are text.
func (d Dialect) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Millisecond)
	if d.TextDates {
		return t.Format(isoLayout)
	}
	return t
}

// kind is what the catalog says a column holds, as far as conversions go.
type kind int

const (
	kindOther kind = iota
	kindTime
	kindBool
)

func kindOf(d Dialect, dataType string) kind {
	t := strings.ToLower(dataType)
	switch {
	case d.TextDates:
		return kindOther // SQLite: Kysely stores dates as text, booleans as 0/1
	case strings.Contains(t, "timestamp"), strings.Contains(t, "datetime"), t == "date":
		return kindTime
	case t == "boolean", t == "bool", t == "tinyint", t == "bit":
		return kindBool
	}
	return kindOther
}
