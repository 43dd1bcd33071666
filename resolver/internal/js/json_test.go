package js

import (
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"
)

// Expected outputs below were produced by Node 20.20.2:
// JSON.stringify(JSON.parse(lit)) and Date.prototype.toISOString.

func TestJSNumberFormatting(t *testing.T) {
	tests := [][2]string{
		{"0", "0"}, {"-0", "0"}, {"1", "1"}, {"1.0", "1"}, {"1.5", "1.5"}, {"-1.5", "-1.5"},
		{"1e21", "1e+21"}, {"1e20", "100000000000000000000"},
		{"123456789012345678901", "123456789012345680000"}, {"1e-7", "1e-7"}, {"1e-6", "0.000001"},
		{"0.000001", "0.000001"}, {"0.0000001234", "1.234e-7"}, {"1.23e-18", "1.23e-18"},
		{"5e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
		{"1e400", "null"}, {"-1e400", "null"}, {"9007199254740993", "9007199254740992"},
		{"0.1", "0.1"}, {"100", "100"}, {"1E2", "100"}, {"2.5e+3", "2500"},
		{"12345678901234567890", "12345678901234567000"}, {"-0.0", "0"}, {"0e10", "0"},
		{"123.456e-2", "1.23456"}, {"4.35", "4.35"}, {"1e+21", "1e+21"},
	}
	for _, tt := range tests {
		if got := string(AppendValue(nil, json.Number(tt[0]), nil)); got != tt[1] {
			t.Errorf("%s → %s, want %s", tt[0], got, tt[1])
		}
	}
	a, b := 0.1, 0.2
	floats := map[float64]string{math.NaN(): "null", math.Inf(-1): "null", math.Copysign(0, -1): "0", 1e21: "1e+21", a + b: "0.30000000000000004"}
	for f, want := range floats {
		if got := string(AppendValue(nil, f, nil)); got != want {
			t.Errorf("%v → %s, want %s", f, got, want)
		}
	}
	if got := string(AppendValue(nil, int64(1<<53+1), nil)); got != "9007199254740992" {
		t.Errorf("int64 → %s", got)
	}
}

func TestJSStringEscaping(t *testing.T) {
	// The input holds a lone surrogate pair half in WTF-8, as the decoder
	// keeps "\ud800" and "\udfff".
	v, err := ParseOrdered(`"a\"b\\c\b\f\n\r\t\u0001\u001f\u007f\u2028\u2029<>&\u00e9\ud83d\ude00\ud800x\udfff"`)
	if err != nil {
		t.Fatal(err)
	}
	got := string(AppendValue(nil, v, nil))
	want := "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u007f\u2028\u2029<>&é😀\\ud800x\\udfff\""
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(AppendString(nil, "a\xffb")); got != "\"a\uFFFDb\"" {
		t.Errorf("stray byte: %s", got)
	}
}

func TestISOTime(t *testing.T) {
	tests := map[string]time.Time{
		"2025-12-27T08:00:00.123Z":    time.UnixMilli(1766822400123),
		"-000001-01-01T00:00:00.000Z": time.UnixMilli(-62198755200000),
		"+010000-01-01T00:00:00.000Z": time.UnixMilli(253402300800000),
		"1969-12-31T23:59:59.999Z":    time.UnixMilli(-1),
	}
	for want, tm := range tests {
		if got := string(AppendISOTime(nil, tm.In(time.FixedZone("X", 3600)))); got != want {
			t.Errorf("%v → %s, want %s", tm, got, want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	valid := []string{`{}`, ` {"a" : [1, -0.5e+3, "x", true, false, null, {}] } `, `{"a":1,"a":2}`, `{"\u0000":"\ud800"}`}
	for _, s := range valid {
		if _, err := ParseObjectText(s); err != nil {
			t.Errorf("parse(%q): %v", s, err)
		}
	}
	invalid := []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`, `{"a":"\x"}`,
		"{\"a\":\"\t\"}", `{"a":tru}`, `{"a":1} x`, `{'a':1}`, `{"a":NaN}`, `{"a":"\u12"}`, "\v{}", `{"a":-}`, `{"a":1e}`}
	for _, s := range invalid {
		if _, err := ParseObjectText(s); err == nil {
			t.Errorf("parse(%q) accepted", s)
		}
	}
	m, _ := ParseObjectText(`{"a":1,"a":"last","s":"\ud83d\ude00"}`)
	if m["a"] != "last" || m["s"] != "😀" {
		t.Errorf("parsed %v", m)
	}
}

func TestDecodeUTF8Lenient(t *testing.T) {
	// Recorded from Node 20: new TextDecoder().decode(bytes).
	in := string([]byte{0xe2, 0x82, 0x41, 0xff, 0xf0, 0x9f, 0x98, 0xed, 0xa0, 0x80, 0xc0, 0xaf})
	want := "\uFFFDA\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"
	if got := DecodeUTF8Lenient(in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := DecodeUTF8Lenient("ok é"); got != "ok é" {
		t.Errorf("valid input changed: %q", got)
	}
}

// TestRecordedJSONStringify replays JSON.stringify(JSON.parse(text)) as
// recorded from V8 (testdata/jsjson_random.mjs): the ordered decoder and the
// JS-style encoder together must reproduce it byte for byte, and reject
// exactly the texts JSON.parse rejects.
func TestRecordedJSONStringify(t *testing.T) {
	raw, err := os.ReadFile("testdata/jsjson_random.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Cases []struct {
			Text string  `json:"text"`
			Out  *string `json:"out"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for i, c := range rec.Cases {
		v, err := ParseOrdered(c.Text)
		switch {
		case c.Out == nil && err == nil:
			t.Errorf("case %d: accepted %q, V8 throws", i, c.Text)
		case c.Out != nil && err != nil:
			t.Errorf("case %d: rejected %q (%v)", i, c.Text, err)
		case c.Out != nil:
			if got := string(AppendValue(nil, v, nil)); got != *c.Out {
				t.Errorf("case %d: %q\n go %s\n js %s", i, c.Text, got, *c.Out)
			}
		}
	}
}
