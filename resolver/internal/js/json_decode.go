package js

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// A JSON.parse-compatible decoder.
//
// Token headers and payloads must be read exactly as jose reads them:
// JSON.parse over the strictly UTF-8-decoded bytes (a leading BOM is eaten
// by TextDecoder). encoding/json differs in ways that matter here: it
// replaces lone surrogate escapes ("\ud800") with U+FFFD, and it costs a
// dozen allocations more than a session decode can afford. This decoder:
//
//   - accepts exactly RFC 8259 JSON (what JSON.parse accepts), any depth up
//     to maxJSONDepth;
//   - produces string, json.Number (the literal), bool, nil,
//     map[string]any and []any; a later duplicate member wins, as in JS;
//   - keeps lone surrogates as their 3-byte WTF-8 form (ED A0..BF xx), which
//     the JS-style encoder turns back into "\udXXX", so a string survives a
//     decode/encode round trip exactly as JSON.stringify(JSON.parse(x)) would;
//   - returns substrings of the input for strings without escapes, so the
//     only allocations are the containers and the interface boxes.

// maxJSONDepth bounds nesting. V8's JSON.parse is iterative and has no such
// bound; payloads nested deeper than this are rejected (documented divergence).
const maxJSONDepth = 10000

var errJSONSyntax = errors.New("invalid JSON")

// jsonWS reports JSON whitespace (JSON.parse: tab, LF, CR, space only).
func jsonWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func SkipWS(s string, i int) int {
	for i < len(s) && jsonWS(s[i]) {
		i++
	}
	return i
}

// ScanString validates the string starting at s[i] == '"' and returns the
// index after its closing quote and whether it holds escapes.
func ScanString(s string, i int) (int, bool, error) {
	i++ // opening quote
	esc := false
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			i++ // the common case, kept out of the switch
			continue
		}
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(s) {
				return 0, false, errJSONSyntax
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return 0, false, errJSONSyntax
				}
				i += 6
			default:
				return 0, false, errJSONSyntax
			}
		case c < 0x20:
			return 0, false, errJSONSyntax
		default:
			i++
		}
	}
	return 0, false, errJSONSyntax
}

func isHex4(h string) bool {
	for j := 0; j < 4; j++ {
		if HexVal(h[j]) < 0 {
			return false
		}
	}
	return true
}

func hex4(h string) rune {
	return rune(HexVal(h[0])<<12 | HexVal(h[1])<<8 | HexVal(h[2])<<4 | HexVal(h[3]))
}

// Unquote decodes a scanned JSON string body (without quotes) that contains
// escapes. Surrogate escape pairs combine; lone ones become WTF-8.
func Unquote(body string) string {
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch body[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(body[i+2 : i+6])
			i += 6
			if r >= 0xD800 && r < 0xDC00 && i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
				if r2 := hex4(body[i+2 : i+6]); r2 >= 0xDC00 && r2 < 0xE000 {
					b.WriteRune(0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00))
					i += 6
					continue
				}
			}
			writeWTF8(&b, r)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(body[i+1])
		}
		i += 2
	}
	return b.String()
}

// writeWTF8 writes r, encoding a surrogate code point as 3 bytes the way
// WTF-8 does (utf8.EncodeRune would write U+FFFD instead).
func writeWTF8(b *strings.Builder, r rune) {
	if r >= 0xD800 && r < 0xE000 {
		b.WriteByte(0xE0 | byte(r>>12))
		b.WriteByte(0x80 | byte(r>>6)&0x3F)
		b.WriteByte(0x80 | byte(r)&0x3F)
		return
	}
	b.WriteRune(r)
}

// scanNumber validates a JSON number at s[i] and returns its end.
func scanNumber(s string, i int) (int, error) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return 0, errJSONSyntax
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return 0, errJSONSyntax
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return 0, errJSONSyntax
		}
	}
	return i, nil
}

// SkipValue validates the value at s[i] (after whitespace) and returns its end.
func SkipValue(s string, i, depth int) (int, error) {
	i = SkipWS(s, i)
	if i >= len(s) {
		return 0, errJSONSyntax
	}
	switch c := s[i]; {
	case c == '"':
		end, _, err := ScanString(s, i)
		return end, err
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return 0, errJSONSyntax
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = SkipWS(s, i+1)
		if i < len(s) && s[i] == closer {
			return i + 1, nil
		}
		for {
			var err error
			if c == '{' {
				if i >= len(s) || s[i] != '"' {
					return 0, errJSONSyntax
				}
				if i, _, err = ScanString(s, i); err != nil {
					return 0, err
				}
				i = SkipWS(s, i)
				if i >= len(s) || s[i] != ':' {
					return 0, errJSONSyntax
				}
				i++
			}
			if i, err = SkipValue(s, i, depth+1); err != nil {
				return 0, err
			}
			i = SkipWS(s, i)
			if i >= len(s) {
				return 0, errJSONSyntax
			}
			if s[i] == closer {
				return i + 1, nil
			}
			if s[i] != ',' {
				return 0, errJSONSyntax
			}
			i = SkipWS(s, i+1)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(s, i)
	case strings.HasPrefix(s[i:], "true"):
		return i + 4, nil
	case strings.HasPrefix(s[i:], "false"):
		return i + 5, nil
	case strings.HasPrefix(s[i:], "null"):
		return i + 4, nil
	}
	return 0, errJSONSyntax
}

// jsonDecoder builds Go values. ordered makes objects *Object (member
// order kept, for exact re-stringification) instead of map[string]any.
type jsonDecoder struct {
	s       string
	ordered bool
}

// Object is an object with JS member order: array-index keys ascending
// first, then the others in insertion order (a duplicate keeps the first
// position and takes the last value), exactly as V8 enumerates it.
type Object struct {
	Keys []string
	Vals []any
	pos  map[string]int // built once the object grows, to keep set O(1)
}

func (o *Object) set(k string, v any) {
	if o.pos == nil && len(o.Keys) > 16 {
		o.pos = make(map[string]int, 2*len(o.Keys))
		for i, have := range o.Keys {
			o.pos[have] = i
		}
	}
	if o.pos != nil {
		if i, ok := o.pos[k]; ok {
			o.Vals[i] = v
			return
		}
		o.pos[k] = len(o.Keys)
	} else {
		for i, have := range o.Keys {
			if have == k {
				o.Vals[i] = v
				return
			}
		}
	}
	o.Keys = append(o.Keys, k)
	o.Vals = append(o.Vals, v)
}

func (d *jsonDecoder) value(i, depth int) (any, int, error) {
	s := d.s
	i = SkipWS(s, i)
	if i >= len(s) {
		return nil, 0, errJSONSyntax
	}
	switch c := s[i]; {
	case c == '"':
		end, esc, err := ScanString(s, i)
		if err != nil {
			return nil, 0, err
		}
		if !esc {
			return s[i+1 : end-1], end, nil
		}
		return Unquote(s[i+1 : end-1]), end, nil
	case c == '{':
		return d.object(i, depth)
	case c == '[':
		if depth >= maxJSONDepth {
			return nil, 0, errJSONSyntax
		}
		arr := []any{}
		i = SkipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return arr, i + 1, nil
		}
		for {
			v, end, err := d.value(i, depth+1)
			if err != nil {
				return nil, 0, err
			}
			arr = append(arr, v)
			i = SkipWS(s, end)
			if i >= len(s) {
				return nil, 0, errJSONSyntax
			}
			if s[i] == ']' {
				return arr, i + 1, nil
			}
			if s[i] != ',' {
				return nil, 0, errJSONSyntax
			}
			i++
		}
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := scanNumber(s, i)
		if err != nil {
			return nil, 0, err
		}
		return json.Number(s[i:end]), end, nil
	case strings.HasPrefix(s[i:], "true"):
		return true, i + 4, nil
	case strings.HasPrefix(s[i:], "false"):
		return false, i + 5, nil
	case strings.HasPrefix(s[i:], "null"):
		return nil, i + 4, nil
	}
	return nil, 0, errJSONSyntax
}

func (d *jsonDecoder) object(i, depth int) (any, int, error) {
	s := d.s
	if depth >= maxJSONDepth {
		return nil, 0, errJSONSyntax
	}
	var (
		m   map[string]any
		obj *Object
	)
	if d.ordered {
		obj = &Object{}
	} else {
		m = make(map[string]any, 8)
	}
	result := func() any {
		if d.ordered {
			obj.hoistIndexKeys()
			return obj
		}
		return m
	}
	i = SkipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return result(), i + 1, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return nil, 0, errJSONSyntax
		}
		end, esc, err := ScanString(s, i)
		if err != nil {
			return nil, 0, err
		}
		key := s[i+1 : end-1]
		if esc {
			key = Unquote(key)
		}
		i = SkipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return nil, 0, errJSONSyntax
		}
		v, end, err := d.value(i+1, depth+1)
		if err != nil {
			return nil, 0, err
		}
		if d.ordered {
			obj.set(key, v)
		} else {
			m[key] = v
		}
		i = SkipWS(s, end)
		if i >= len(s) {
			return nil, 0, errJSONSyntax
		}
		if s[i] == '}' {
			return result(), i + 1, nil
		}
		if s[i] != ',' {
			return nil, 0, errJSONSyntax
		}
		i = SkipWS(s, i+1)
	}
}

// hoistIndexKeys moves array-index keys ("0".."4294967294", canonical
// form) to the front in ascending numeric order, as V8 enumerates them.
func (o *Object) hoistIndexKeys() {
	n := 0
	for _, k := range o.Keys {
		if _, ok := ArrayIndex(k); ok {
			n++
		}
	}
	if n == 0 {
		return
	}
	type kv struct {
		idx uint32
		k   string
		v   any
	}
	idx := make([]kv, 0, n)
	keys := make([]string, 0, len(o.Keys))
	vals := make([]any, 0, len(o.Keys))
	for j, k := range o.Keys {
		if x, ok := ArrayIndex(k); ok {
			idx = append(idx, kv{x, k, o.Vals[j]})
		}
	}
	slices.SortFunc(idx, func(a, b kv) int { return cmp.Compare(a.idx, b.idx) }) // keys are unique
	for _, e := range idx {
		keys = append(keys, e.k)
		vals = append(vals, e.v)
	}
	for j, k := range o.Keys {
		if _, ok := ArrayIndex(k); !ok {
			keys = append(keys, k)
			vals = append(vals, o.Vals[j])
		}
	}
	o.Keys, o.Vals, o.pos = keys, vals, nil
}

// ArrayIndex reports whether k is a canonical array index (an integer-like
// property key V8 orders first): "0" or no leading zero, value < 2^32-1.
func ArrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (k[0] == '0' && len(k) > 1) {
		return 0, false
	}
	var v uint64
	for j := 0; j < len(k); j++ {
		c := k[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v >= 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}

// DecodeUTF8Lenient is a non-fatal TextDecoder's decode (the WHATWG UTF-8
// decoder with replacement, which jose 4 — next-auth v4 — uses): each
// maximal invalid subpart becomes one U+FFFD. Valid input is returned as
// is. The BOM is not handled here (see StripBOM).
func DecodeUTF8Lenient(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size > 1 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		// Invalid: consume the lead byte and every continuation byte that
		// is still acceptable for it (WHATWG's bounds), then emit U+FFFD.
		c := s[i]
		need, lo, hi := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c >= 0xE0 && c <= 0xEF:
			need = 2
			if c == 0xE0 {
				lo = 0xA0
			} else if c == 0xED {
				hi = 0x9F
			}
		case c >= 0xF0 && c <= 0xF4:
			need = 3
			if c == 0xF0 {
				lo = 0x90
			} else if c == 0xF4 {
				hi = 0x8F
			}
		}
		i++
		for ; need > 0 && i < len(s) && s[i] >= lo && s[i] <= hi; need-- {
			i++
			lo, hi = 0x80, 0xBF
		}
		b.WriteString("\uFFFD")
	}
	return b.String()
}

// StripBOM drops one leading UTF-8 BOM, as TextDecoder (ignoreBOM: false) does.
func StripBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// ParseObjectText is JSON.parse(strictDecoder.decode(b)) followed by
// jose's isObject: b must be valid UTF-8 holding exactly one JSON object.
// The returned map's strings alias text.
func ParseObjectText(text string) (map[string]any, error) {
	if !utf8.ValidString(text) {
		return nil, errors.New("not UTF-8")
	}
	d := jsonDecoder{s: text}
	i := SkipWS(text, 0)
	if i >= len(text) || text[i] != '{' {
		if _, end, err := d.value(i, 0); err != nil || SkipWS(text, end) != len(text) {
			return nil, errJSONSyntax
		}
		return nil, errors.New("not a JSON object")
	}
	v, end, err := d.object(i, 0)
	if err != nil {
		return nil, err
	}
	if SkipWS(text, end) != len(text) {
		return nil, errJSONSyntax
	}
	return v.(map[string]any), nil
}

// ParseOrdered parses a whole JSON text keeping JS member order.
func ParseOrdered(text string) (any, error) {
	d := jsonDecoder{s: text, ordered: true}
	v, end, err := d.value(0, 0)
	if err != nil {
		return nil, err
	}
	if SkipWS(text, end) != len(text) {
		return nil, errJSONSyntax
	}
	return v, nil
}
