package resolver

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// appendRefreshedClaims is Encode's payload: the claims' head and the
// refreshed tail (token.go).
func appendRefreshedClaims(b []byte, claims Claims, keys []string, now time.Time, maxAge time.Duration, jti []byte) []byte {
	return appendRefreshTail(appendClaimsHead(b, claims, keys), now, maxAge, jti)
}

// TestAppendRefreshedClaims: Encode's payload, written without a map copy,
// is byte for byte what appendClaims gives for the copied map with iat,
// exp and jti overwritten (the way Encode built it before).
func TestAppendRefreshedClaims(t *testing.T) {
	now := time.Unix(1764230400, 987e6)
	rnd := []byte("0123456789abcdef")
	for _, c := range []Claims{
		{},
		{"name": "Ada", "email": "a@example.com", "picture": "p", "sub": "u1"},
		{"sub": "u1", "iat": json.Number("1"), "exp": json.Number("2"), "jti": "old", "name": "Ada"},
		{"2": "two", "10": true, "role": "admin", "z": nil, "a": json.Number("1.50"), "nested": Claims{"b": 1, "a": "x"}},
		{"iat": json.Number("5")},
	} {
		for _, maxAge := range []time.Duration{DefaultMaxAge, 90 * time.Second, 1500 * time.Millisecond} {
			payload := make(Claims, len(c)+3)
			for k, v := range c {
				payload[k] = v
			}
			payload["iat"] = json.Number(strconv.FormatInt(floorUnix(now), 10))
			payload["exp"] = json.Number(js.AppendFloat(nil, float64(int32(uint32(now.UnixMilli()/1000)))+maxAge.Seconds()))
			payload["jti"] = uuidV4(rnd)
			want := string(appendClaims(nil, payload))
			if got := string(appendRefreshedClaims(nil, c, js.OrderedKeys(c, claimRank), now, maxAge, rnd)); got != want {
				t.Errorf("claims %v, maxAge %v:\n got %s\nwant %s", c, maxAge, got, want)
			}
		}
	}
}
