package betterauth

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// JSON as JavaScript reads and writes it.
//
// Better Auth's bodies and its compact cookie-cache signature are
// JSON.stringify output of objects whose member order is insertion order,
// so Go must keep that order (Object). The built-ins themselves are
// package resolver/internal/js's, shared with the Auth.js engine:
// JSON.parse (V8's member order: integer-like keys first, then insertion
// order; lone surrogates kept), JSON.stringify's strings and
// Number.prototype.toString, and Date.prototype.toISOString. This file
// adds Better Auth's shapes over them: Object, and Dates as time.Time.

// Field is one member of an Object.
type Field struct {
	Name  string
	Value any
}

// Object is a JSON object in JavaScript insertion order. Values are nil
// (null), bool, float64, string, time.Time (a JS Date), Object or []any.
type Object []Field

// Get returns the value of member name.
func (o Object) Get(name string) (any, bool) {
	for _, f := range o {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// String returns member name when it is a string.
func (o Object) String(name string) (string, bool) {
	v, _ := o.Get(name)
	s, ok := v.(string)
	return s, ok
}

// Time returns member name when it is a Date.
func (o Object) Time(name string) (time.Time, bool) {
	v, _ := o.Get(name)
	t, ok := v.(time.Time)
	return t, ok
}

// Set assigns member name as JavaScript's obj[name] = v does: in place when
// present, appended otherwise.
func (o *Object) Set(name string, v any) {
	for i := range *o {
		if (*o)[i].Name == name {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, Field{name, v})
}

// Clone returns a copy whose nested Objects are copies too.
func (o Object) Clone() Object {
	c := make(Object, len(o))
	for i, f := range o {
		if n, ok := f.Value.(Object); ok {
			f.Value = n.Clone()
		}
		c[i] = f
	}
	return c
}

// MarshalJSON writes o as JSON.stringify does. json.Marshal re-escapes
// < > & and U+2028/2029 in the result; use AppendJS to keep the bytes.
func (o Object) MarshalJSON() ([]byte, error) { return AppendJS(nil, o), nil }

// AppendJS appends JSON.stringify(v) to b.
func AppendJS(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case float64:
		return appendJSNumber(b, v)
	case int64:
		return appendJSNumber(b, float64(v))
	case int:
		return appendJSNumber(b, float64(v))
	case string:
		return appendJSString(b, v)
	case time.Time:
		return appendJSString(b, isoString(v))
	case Object:
		b = append(b, '{')
		for i, f := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, f.Name)
			b = append(b, ':')
			b = AppendJS(b, f.Value)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJS(b, e)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// isoString is Date.prototype.toISOString.
func isoString(t time.Time) string {
	var buf [32]byte // one allocation, the string's
	return string(js.AppendISOTime(buf[:0], t))
}

func appendJSString(b []byte, s string) []byte { return js.AppendString(b, s) }

// appendJSNumber formats f like Number.prototype.toString.
func appendJSNumber(b []byte, f float64) []byte { return js.AppendFloat(b, f) }

// isoDate matches @better-auth/core's reviveDate pattern,
// ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$: strings it matches
// become Dates when Better Auth parses stored or cached JSON.
func isoDate(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		} else if s[i] != shape[i] {
			return false
		}
	}
	rest := s[len(shape) : len(s)-1]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) == 1 {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// reviveDate turns an ISO string into a time.Time as new Date(s) would,
// keeping s when it does not parse (new Date gives an invalid Date and
// reviveDate keeps the string).
func reviveDate(s string) any {
	if !isoDate(s) {
		return s
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	// A JS Date holds milliseconds; extra digits are truncated.
	return t.Truncate(time.Millisecond)
}

// reviveDates is @better-auth/core's reviveDates over an already parsed
// value (a JWT payload): ISO strings anywhere become Dates.
func reviveDates(v any) any {
	switch v := v.(type) {
	case string:
		return reviveDate(v)
	case Object:
		o := make(Object, len(v))
		for i, f := range v {
			o[i] = Field{f.Name, reviveDates(f.Value)}
		}
		return o
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = reviveDates(e)
		}
		return a
	}
	return v
}

// utf8Lossy is TextDecoder's decode: each maximal invalid subpart becomes
// U+FFFD.
func utf8Lossy(b []byte) []byte { return []byte(js.DecodeUTF8Lenient(string(b))) }

// fromJS turns js.ParseOrdered's values into this package's: objects as
// Object, numbers as float64 (JSON.parse's doubles), ISO date strings as
// time.Time when revive.
func fromJS(v any, revive bool) any {
	switch x := v.(type) {
	case *js.Object:
		o := make(Object, len(x.Keys))
		for i, k := range x.Keys {
			o[i] = Field{k, fromJS(x.Vals[i], revive)}
		}
		return o
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = fromJS(e, revive)
		}
		return a
	case json.Number:
		// Out of range: ParseFloat gives ±Inf or 0, which is JS's answer.
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case string:
		if revive {
			return reviveDate(x)
		}
		return x
	}
	return v
}
