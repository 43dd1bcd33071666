package betterauth

import (
	"time"
)

// AdapterOutput turns a stored row into the record Better Auth's adapter
// outputs (@better-auth/core/dist/db/adapter/factory.mjs transformOutput):
// the model's fields in schema order (core fields, then extra, the
// configured additional fields), id last; columns outside the schema are
// dropped. SQL layouts without native dates or booleans (SQLite) store
// dates as ISO strings and booleans as 0/1; both are converted back, and
// ids are strings. A missing field is omitted, as JSON.stringify omits
// undefined.
func AdapterOutput(row Object, core, extra []string) Object {
	out := make(Object, 0, len(core)+len(extra)+1)
	add := func(name string) {
		v, ok := row.Get(name)
		if !ok {
			return
		}
		out = append(out, Field{name, convertOut(name, v)})
	}
	for _, f := range core {
		add(f)
	}
	for _, f := range extra {
		add(f)
	}
	add("id")
	return out
}

func convertOut(name string, v any) any {
	switch {
	case name == "id" || name == "userId":
		switch x := v.(type) {
		case float64:
			return string(appendJSNumber(nil, x))
		case int64:
			return string(appendJSNumber(nil, float64(x)))
		}
	case DateFields[name]:
		switch x := v.(type) {
		case string:
			return parseJSDate(x)
		case time.Time:
			return x.UTC().Truncate(time.Millisecond)
		}
	case BoolFields[name]:
		switch x := v.(type) {
		case float64:
			return x == 1
		case int64:
			return x == 1
		}
	}
	return v
}

// parseJSDate is new Date(s) for the formats SQL stores hand back: ISO
// 8601 with or without milliseconds and zone (a missing zone is local time
// in JS for date-times; the stores here write UTC with Z). An unparseable
// string is kept, as Better Auth would report an Invalid Date as null.
func parseJSDate(s string) any {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond)
		}
	}
	return nil
}
