package js

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodeURIComponent implements ECMA-262's decodeURIComponent: every %XX
// is decoded (reserved characters too); a '%' not followed by two hex
// digits, a byte that does not start a UTF-8 sequence, a bad continuation
// or an invalid code point (overlong, surrogate, > U+10FFFF) is a URIError,
// reported as ok == false.
func DecodeURIComponent(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		first, ok := pctByte(s, i)
		if !ok {
			return "", false
		}
		i += 3
		if first < 0x80 {
			b.WriteByte(first)
			continue
		}
		var n int
		switch {
		case first&0xE0 == 0xC0:
			n = 2
		case first&0xF0 == 0xE0:
			n = 3
		case first&0xF8 == 0xF0:
			n = 4
		default:
			return "", false
		}
		var seq [4]byte
		seq[0] = first
		for j := 1; j < n; j++ {
			if i >= len(s) || s[i] != '%' {
				return "", false
			}
			cb, ok := pctByte(s, i)
			if !ok || cb&0xC0 != 0x80 {
				return "", false
			}
			seq[j] = cb
			i += 3
		}
		r, size := utf8.DecodeRune(seq[:n])
		if r == utf8.RuneError && size <= 1 || size != n {
			return "", false // overlong, surrogate or out of range
		}
		b.Write(seq[:n])
	}
	return b.String(), true
}

func pctByte(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	h, l := HexVal(s[i+1]), HexVal(s[i+2])
	if h < 0 || l < 0 {
		return 0, false
	}
	return byte(h<<4 | l), true
}

// ParseInt is parseInt(s) with no radix, over a Latin-1 byte string:
// leading whitespace skipped, optional sign, "0x"/"0X" selects hex, the
// longest digit prefix is converted; no digits gives NaN.
func ParseInt(s string) float64 {
	i := 0
	for i < len(s) && jsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	radix := 10
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		radix = 16
		i += 2
	}
	j := i
	for j < len(s) && digitIn(s[j], radix) {
		j++
	}
	if j == i {
		return math.NaN()
	}
	var v float64
	if radix == 10 {
		v, _ = strconv.ParseFloat(s[i:j], 64) // ±Inf on overflow, like JS
	} else {
		bi, _ := new(big.Int).SetString(s[i:j], 16)
		v, _ = new(big.Float).SetInt(bi).Float64()
	}
	if neg {
		v = -v
	}
	return v
}

// jsSpace is JS WhiteSpace or LineTerminator within Latin-1.
func jsSpace(c byte) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0:
		return true
	}
	return false
}

func digitIn(c byte, radix int) bool {
	if radix == 10 {
		return c >= '0' && c <= '9'
	}
	return HexVal(c) >= 0
}

// HexVal is the value of a hex digit, or -1.
func HexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
