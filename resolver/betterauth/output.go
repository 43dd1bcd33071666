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
func AdapterOutput(row Object, core []string, extra []AdditionalField) Object {
	out := make(Object, 0, len(core)+len(extra)+1)
	add := func(name, typ string) {
		v, ok := row.Get(name)
		if !ok {
			return
		}
		out = append(out, Field{name, convertOut(name, typ, v)})
	}
	for _, f := range core {
		add(f, coreTypes[f])
	}
	for _, f := range extra {
		add(f.Name, f.Type)
	}
	add("id", "id")
	return out
}

// coreTypes are the core fields' types (get-tables.mjs).
var coreTypes = map[string]string{"expiresAt": "date", "createdAt": "date", "updatedAt": "date", "emailVerified": "boolean", "userId": "id"}

func convertOut(name, typ string, v any) any {
	switch {
	case typ == "id":
		switch x := v.(type) {
		case float64:
			return string(appendJSNumber(nil, x))
		case int64:
			return string(appendJSNumber(nil, float64(x)))
		}
	case typ == "date":
		switch x := v.(type) {
		case string:
			return parseJSDate(x)
		case time.Time:
			return x.UTC().Truncate(time.Millisecond)
		}
	case typ == "boolean":
		switch x := v.(type) {
		case float64:
			return x == 1
		case int64:
			return x == 1
		}
	}
	return v
}

// AdditionalField is one entry of user.additionalFields or
// session.additionalFields.
type AdditionalField struct {
	Name string
	// Type is Better Auth's field type: "string", "number", "boolean",
	// "date" (others are passed through as stored).
	Type string
	// Hidden is `returned: false`: stored, never in a body or cache.
	Hidden bool
}

// filterOutput is filterOutputFields: o without the hidden fields.
func filterOutput(o Object, extra []AdditionalField) Object {
	hidden := false
	for _, f := range extra {
		hidden = hidden || f.Hidden
	}
	if !hidden {
		return o
	}
	out := make(Object, 0, len(o))
	for _, m := range o {
		if !isHidden(m.Name, extra) {
			out = append(out, m)
		}
	}
	return out
}

func isHidden(name string, extra []AdditionalField) bool {
	for _, f := range extra {
		if f.Name == name && f.Hidden {
			return true
		}
	}
	return false
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
