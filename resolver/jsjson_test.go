package resolver

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMarshalSession(t *testing.T) {
	exp := time.UnixMilli(1766822400123)
	tests := []struct {
		name string
		s    *Session
		want string
	}{
		{"nil", nil, `null`},
		{"only sub", &Session{Expires: exp, User: User{ID: "x"}}, `{"user":{},"expires":"2025-12-27T08:00:00.123Z"}`},
		{"full", &Session{Expires: exp, User: User{Name: String("Ada <&>"), Email: String("a@x"), Image: String("https://i/\u2028")}},
			`{"user":{"name":"Ada <&>","email":"a@x","image":"https://i/` + "\u2028" + `"},"expires":"2025-12-27T08:00:00.123Z"}`},
		{"nulls kept", &Session{Expires: exp, User: User{Name: Null(), Image: Null()}}, `{"user":{"name":null,"image":null},"expires":"2025-12-27T08:00:00.123Z"}`},
		{"non-string claims", &Session{Expires: exp, User: User{Name: Of(json.Number("1.0")), Email: Of(map[string]any{"b": 1.0, "a": []any{true}, "10": nil, "9": "x"})}},
			`{"user":{"name":1,"email":{"9":"x","10":null,"a":[true],"b":1}},"expires":"2025-12-27T08:00:00.123Z"}`},
		{"hook extras in order", &Session{Expires: exp, User: User{Name: String("n"), Extra: []Member{{"role", String("admin")}, {"absent", Value{}}}},
			Extra: []Member{{"z", Of(true)}, {"a", Of(json.Number("2"))}}},
			`{"user":{"name":"n","role":"admin"},"expires":"2025-12-27T08:00:00.123Z","z":true,"a":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(MarshalSessionBody(tt.s)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.s != nil {
				// (json.Marshal would re-escape <>& and U+2028 in this output:
				// callers use MarshalSessionBody or SetEscapeHTML(false).)
				b, err := tt.s.MarshalJSON()
				if err != nil || string(b) != tt.want {
					t.Errorf("MarshalJSON = %s, %v", b, err)
				}
			}
		})
	}
}

func TestMarshalClaimsOrder(t *testing.T) {
	c := Claims{"jti": "j", "exp": json.Number("2"), "iat": json.Number("1"), "zeta": 1.0, "alpha": false, "sub": "s", "picture": "p", "email": "e", "name": "n", "7": "i"}
	got, err := MarshalClaims(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"7":"i","name":"n","email":"e","picture":"p","sub":"s","alpha":false,"zeta":1,"iat":1,"exp":2,"jti":"j"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if b, _ := MarshalClaims(nil); string(b) != "null" {
		t.Errorf("nil claims = %s", b)
	}
}

func TestAppendJSValueGoTypes(t *testing.T) {
	type hookStruct struct {
		A int    `json:"a"`
		B string `json:"b"`
		C float64
	}
	tests := []struct {
		v    any
		want string
	}{
		{int(5), "5"}, {int32(-3), "-3"}, {uint32(7), "7"}, {uint64(1 << 60), "1152921504606847000"}, {float32(1.5), "1.5"},
		{[]string{"a", "<"}, `["a","<"]`}, {Value{}, "null"}, {String("x"), `"x"`}, {(*Session)(nil), "null"},
		{hookStruct{A: 1, B: "<&>", C: 1e21}, `{"a":1,"b":"<&>","C":1e+21}`},
		{map[string]any{"f": func() {}, "k": 1.0}, `{"k":1}`},
		{[]any{func() {}, nil}, `[null,null]`},
		{Claims{"sub": "1"}, `{"sub":"1"}`},
		{make(chan int), "null"}, // json.Marshal fails: JS has no such value
	}
	for _, tt := range tests {
		if got := string(appendJSValue(nil, tt.v)); got != tt.want {
			t.Errorf("%T → %s, want %s", tt.v, got, tt.want)
		}
	}
}
