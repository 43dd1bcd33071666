package js

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// OrderedKeys lists m's keys as V8 enumerates an object built from them:
// array-index keys ascending, then the rest, ordered by rank first when
// rank is not nil, ties sorted.
func OrderedKeys(m map[string]any, rank func(string) int) []string {
	return AppendOrderedKeys(make([]string, 0, len(m)), m, rank)
}

// AppendOrderedKeys is OrderedKeys appending to keys (for a caller that
// reuses the slice: a refresh orders the claims on every request). Each
// key's array index and rank are worked out once, not at every comparison
// of the sort.
func AppendOrderedKeys(keys []string, m map[string]any, rank func(string) int) []string {
	var scratch [16]rankedKey
	rk := scratch[:0]
	for k := range m {
		idx, isIdx := ArrayIndex(k)
		r := 0
		if rank != nil && !isIdx {
			r = rank(k)
		}
		rk = append(rk, rankedKey{key: k, idx: idx, isIdx: isIdx, rank: r})
	}
	slices.SortFunc(rk, compareRanked)
	for i := range rk {
		keys = append(keys, rk[i].key)
	}
	return keys
}

// rankedKey is a key with what V8's enumeration order needs of it.
type rankedKey struct {
	key   string
	idx   uint32
	isIdx bool
	rank  int
}

// compareRanked orders array indices first, ascending, then the other
// keys by rank, ties by their text.
func compareRanked(a, b rankedKey) int {
	switch {
	case a.isIdx && b.isIdx:
		if a.idx < b.idx {
			return -1
		}
		return 1
	case a.isIdx:
		return -1
	case b.isIdx:
		return 1
	}
	if a.rank != b.rank {
		return a.rank - b.rank
	}
	if a.key < b.key {
		return -1
	}
	if a.key > b.key {
		return 1
	}
	return 0
}

// AppendMembers appends m as a JSON object with its members in keys' order,
// skipping members JSON.stringify would not write.
func AppendMembers(b []byte, m map[string]any, keys []string, ext Ext) []byte {
	b = append(b, '{')
	first := true
	for _, k := range keys {
		v := m[k]
		if !Jsonable(v) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendValue(b, v, ext)
	}
	return append(b, '}')
}

// Jsonable reports whether JSON.stringify would write the member: Go has
// no undefined, so only a nil func (the analogue of a JS function) is
// dropped; nil is null.
func Jsonable(v any) bool {
	if v == nil {
		return true
	}
	return reflect.TypeOf(v).Kind() != reflect.Func
}

// Ext lets the caller encode its own types: it appends v and reports true,
// or reports false to leave v to AppendValue. It is consulted for values
// AppendValue has no rule for, before the encoding/json fallback.
type Ext func(b []byte, v any) ([]byte, bool)

// AppendValue appends v as JSON.stringify would. ext (may be nil) encodes
// the caller's own types.
func AppendValue(b []byte, v any, ext Ext) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendString(b, x)
	case json.Number:
		return AppendNumberLiteral(b, string(x))
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case float64:
		return AppendFloat(b, x)
	case float32:
		return AppendFloat(b, float64(x))
	case int:
		return AppendFloat(b, float64(x))
	case int64:
		return AppendFloat(b, float64(x))
	case int32:
		return AppendFloat(b, float64(x))
	case uint64:
		return AppendFloat(b, float64(x))
	case uint32:
		return AppendFloat(b, float64(x))
	case map[string]any:
		return AppendMembers(b, x, OrderedKeys(x, nil), ext)
	case *Object:
		b = append(b, '{')
		first := true
		for i, k := range x.Keys {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = AppendString(b, k)
			b = append(b, ':')
			b = AppendValue(b, x.Vals[i], ext)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if !Jsonable(e) {
				b = append(b, "null"...) // JS writes undefined/functions in arrays as null
				continue
			}
			b = AppendValue(b, e, ext)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, e)
		}
		return append(b, ']')
	}
	if ext != nil {
		if out, ok := ext(b, v); ok {
			return out
		}
	}
	// Anything else (a hook's struct): let encoding/json describe it, then
	// rewrite that JSON the JS way (escaping, numbers).
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	parsed, err := ParseOrdered(string(raw))
	if err != nil {
		return append(b, "null"...)
	}
	return AppendValue(b, parsed, ext)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted the way JSON.stringify quotes strings.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plain8(s[i:i+8]) { // skip runs written as they are
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size != 1 {
			i += size
			continue
		}
		// Invalid UTF-8: a WTF-8 surrogate (lone surrogate from the
		// decoder) is written as its escape; any other stray byte cannot
		// come from a JS string and is written as U+FFFD.
		b = append(b, s[start:i]...)
		if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
			u := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			b = append(b, '\\', 'u', hexDigits[u>>12], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
			i += 3
		} else {
			b = append(b, "\uFFFD"...)
			i++
		}
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendNumberLiteral appends a JSON number literal as JS would print
// the number it denotes. Short plain integers (the common case: iat, exp)
// are already in JS form and are copied.
func AppendNumberLiteral(b []byte, lit string) []byte {
	if plainInt(lit) {
		return append(b, lit...)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !IsRangeErr(err) {
		return append(b, "null"...)
	}
	return AppendFloat(b, f)
}

func IsRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// plainInt reports a literal of at most 15 digits without fraction or
// exponent, not "-0": exactly representable and printed the same by JS.
func plainInt(lit string) bool {
	s := lit
	if s != "" && s[0] == '-' {
		s = s[1:]
		if s == "0" {
			return false
		}
	}
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AppendFloat appends f as Number.prototype.toString(f) (ECMA-262
// Number::toString), with JSON.stringify's null for non-finite values.
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, "null"...)
	case f == 0:
		return append(b, '0')
	case f < 0:
		b = append(b, '-')
		f = -f
	}
	// Shortest round-trip digits, as JS requires; 'e' gives d.ddde±x.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	var digits [20]byte
	k := 0
	j := 0
	for ; j < len(e) && e[j] != 'e'; j++ {
		if e[j] != '.' {
			digits[k] = e[j]
			k++
		}
	}
	exp, _ := strconv.Atoi(string(e[j+1:]))
	n := exp + 1 // value = 0.d1d2...dk × 10^n
	d := digits[:k]
	switch {
	case k <= n && n <= 21:
		b = append(b, d...)
		for i := 0; i < n-k; i++ {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, d[:n]...)
		b = append(b, '.')
		b = append(b, d[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for i := 0; i < -n; i++ {
			b = append(b, '0')
		}
		b = append(b, d...)
	default:
		b = append(b, d[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, d[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}

// plain8 reports whether none of the 8 bytes of s needs the attention of
// AppendString's loop: each is printable ASCII (0x20 to 0x7F) and neither
// '"' nor '\\'. Word-at-a-time tests (the "has a zero byte" and "has a
// byte less than n" bit tricks, exact as "any" tests for n at most 128);
// a false result only sends the bytes through the loop one by one.
func plain8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	control := (x - 0x20*ones) & ^x & highs
	return (x&highs)|control|zero(x^('"'*ones))|zero(x^('\\'*ones)) == 0
}

// AppendISOTime appends t as Date.prototype.toISOString: UTC, millisecond
// precision, six-digit signed years outside 0000–9999.
func AppendISOTime(b []byte, t time.Time) []byte {
	if ms := t.UnixMilli(); 0 <= ms && ms < maxFastISO {
		return appendISOMilli(b, ms)
	}
	return appendISOTimeSlow(b, t)
}

// maxFastISO is 10000-01-01T00:00:00Z in Unix milliseconds: appendISOMilli
// covers 1970 up to it, where every year has four digits.
const maxFastISO = 253402300800000

// appendISOMilli is AppendISOTime for ms (Unix milliseconds, in [0,
// maxFastISO)) from the day count (civilDate) rather than through
// time.Time's Date and Clock, which each redo the calendar arithmetic: a
// session body carries one such time, and serve writes tens of thousands
// of them a second.
func appendISOMilli(b []byte, ms int64) []byte {
	days, rem := ms/86_400_000, ms%86_400_000
	y, m, d := civilDate(days)
	var o [24]byte
	put2(o[0:], y/100)
	put2(o[2:], y%100)
	o[4], o[7], o[10], o[13], o[16], o[19], o[23] = '-', '-', 'T', ':', ':', '.', 'Z'
	put2(o[5:], m)
	put2(o[8:], d)
	put2(o[11:], rem/3_600_000)
	put2(o[14:], rem/60_000%60)
	put2(o[17:], rem/1000%60)
	milli := rem % 1000
	o[20] = byte('0' + milli/100)
	put2(o[21:], milli%100)
	return append(b, o[:]...)
}

// civilDate is the proleptic Gregorian date of days since 1970-01-01
// (days >= 0), by Howard Hinnant's civil_from_days.
func civilDate(days int64) (y, m, d int64) {
	z := days + 719_468 // days since 0000-03-01
	era := z / 146_097
	doe := z - era*146_097
	yoe := (doe - doe/1460 + doe/36_524 - doe/146_096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// utcStringLayout is Date.prototype.toUTCString's form (RFC 7231's
// IMF-fixdate, net/http's TimeFormat) as a Go layout.
const utcStringLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

// AppendUTCString appends t as Date.prototype.toUTCString does (the
// Expires of a Set-Cookie line) for years 0000-9999, to the second; other
// years in Go's rendering of the same layout. Times from 1970 on take the
// day count (civilDate), as AppendISOTime's: a refreshed cookie carries
// one on every request.
func AppendUTCString(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if sec < 0 || sec >= maxFastISO/1000 {
		return t.UTC().AppendFormat(b, utcStringLayout)
	}
	days, rem := sec/86_400, sec%86_400
	y, m, d := civilDate(days)
	const weekdays, months = "ThuFriSatSunMonTueWed", "JanFebMarAprMayJunJulAugSepOctNovDec"
	var o [29]byte
	wd := days % 7 * 3 // 1970-01-01 was a Thursday
	copy(o[0:3], weekdays[wd:wd+3])
	o[3], o[4], o[7], o[11], o[16], o[19], o[22], o[25] = ',', ' ', ' ', ' ', ' ', ':', ':', ' '
	put2(o[5:], d)
	copy(o[8:11], months[(m-1)*3:m*3])
	put2(o[12:], y/100)
	put2(o[14:], y%100)
	put2(o[17:], rem/3600)
	put2(o[20:], rem/60%60)
	put2(o[23:], rem%60)
	copy(o[26:], "GMT")
	return append(b, o[:]...)
}

// put2 writes v (0 to 99) as two digits.
func put2(o []byte, v int64) { o[0], o[1] = byte('0'+v/10), byte('0'+v%10) }

// appendISOTimeSlow is AppendISOTime for any year.
func appendISOTimeSlow(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	switch {
	case y < 0:
		b = append(b, '-')
		b = appendPad(b, -y, 6)
	case y > 9999:
		b = append(b, '+')
		b = appendPad(b, y, 6)
	default:
		b = appendPad(b, y, 4)
	}
	b = append(b, '-')
	b = appendPad(b, int(mo), 2)
	b = append(b, '-')
	b = appendPad(b, d, 2)
	b = append(b, 'T')
	b = appendPad(b, h, 2)
	b = append(b, ':')
	b = appendPad(b, mi, 2)
	b = append(b, ':')
	b = appendPad(b, sec, 2)
	b = append(b, '.')
	b = appendPad(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

func appendPad(b []byte, v, width int) []byte {
	var buf [12]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
