package resolver

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRecordedAuthJSRandom replays randomized cases recorded from the real
// Auth.js (testdata/authjs_random.mjs): Cookie headers through parse +
// SessionStore, and mutated real tokens through decode. Go must read the
// same token and chunk names, and accept exactly the tokens Auth.js
// accepts, with the same claims.
func TestRecordedAuthJSRandom(t *testing.T) {
	raw, err := os.ReadFile("testdata/authjs_random.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		NowMS      int64  `json:"now_ms"`
		Secret     string `json:"secret"`
		CookieName string `json:"cookie_name"`
		Cookies    []struct {
			Header string   `json:"header"`
			Token  string   `json:"token"`
			Names  []string `json:"names"`
		} `json:"cookies"`
		Tokens []struct {
			Token   string          `json:"token"`
			Payload json.RawMessage `json:"payload"`
			Error   *string         `json:"error"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Cookies) < 100 || len(rec.Tokens) < 100 {
		t.Fatalf("recording too small: %d cookies, %d tokens", len(rec.Cookies), len(rec.Tokens))
	}
	for i, c := range rec.Cookies {
		tok, names := ReadSessionToken(FromCookieHeader(c.Header), rec.CookieName)
		if len(names) == 0 {
			names = []string{}
		}
		if tok != c.Token || !cmp.Equal(names, c.Names) {
			t.Errorf("cookie case %d %q:\n go  %q %q\n js  %q %q", i, c.Header, tok, names, c.Token, c.Names)
		}
	}
	codec := newTestCodec(t, Config{Secrets: []string{rec.Secret}, CookieName: rec.CookieName})
	now := time.UnixMilli(rec.NowMS)
	accepted := 0
	for i, c := range rec.Tokens {
		got, reason, err := codec.Decode(c.Token, now)
		if c.Error != nil {
			if err == nil {
				t.Errorf("token case %d: Go accepts, Auth.js: %s\n%q", i, *c.Error, c.Token)
			}
			continue
		}
		accepted++
		if err != nil {
			t.Errorf("token case %d: Go rejects (%s: %v), Auth.js accepts\n%q", i, reason, err, c.Token)
			continue
		}
		var want map[string]any
		dec := json.NewDecoder(bytes.NewReader(c.Payload))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, map[string]any(got)); d != "" {
			t.Errorf("token case %d claims (-js +go):\n%s", i, d)
		}
	}
	if accepted == 0 {
		t.Error("no accepted token in the recording")
	}
}
