package resolver

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver/internal/jwe"
)

// Test-only secrets; they protect nothing.
const (
	testSecret1 = "test-only-secret-current-0123456789"
	testSecret2 = "test-only-secret-previous-abcdefghij"
)

var testNow = time.Unix(1764230400, 123e6) // 2025-11-27T08:00:00.123Z

func newTestCodec(t testing.TB, cfg Config) *Codec {
	t.Helper()
	if cfg.Secrets == nil {
		cfg.Secrets = []string{testSecret1}
	}
	c, err := NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var b64 = base64.RawURLEncoding

// craft builds a compact JWE with an arbitrary protected header and
// payload bytes, sealed with key (CBC-HS or GCM by the key's enc).
func craft(t testing.TB, key *jwe.Key, header string, payload []byte, deflate bool) string {
	t.Helper()
	if deflate {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(payload)
		w.Close()
		payload = buf.Bytes()
	}
	h := b64.EncodeToString([]byte(header))
	iv := make([]byte, key.Enc().IVLen())
	rand.Read(iv)
	ct, tag := key.Seal(payload, iv, h)
	return h + ".." + b64.EncodeToString(iv) + "." + b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

func v5Header(c *Codec, extra string) string {
	return `{"alg":"dir","enc":"A256CBC-HS512","kid":"` + c.encKey.Kid() + `"` + extra + `}`
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			c := newTestCodec(t, Config{LegacyV4: legacy})
			in := Claims{"name": "Zoë \u2028 <b>&", "email": "z@example.com", "sub": "42", "custom": []any{json.Number("1.5"), true, nil}}
			tok, err := c.Encode(in, testNow, DefaultMaxAge)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			if len(parts) != 5 || parts[1] != "" {
				t.Fatalf("not a dir compact JWE: %d parts", len(parts))
			}
			hdr, _ := b64.DecodeString(parts[0])
			wantHdr := v5Header(c, "")
			if legacy {
				wantHdr = `{"alg":"dir","enc":"A256GCM"}`
			}
			if string(hdr) != wantHdr {
				t.Errorf("header = %s, want %s", hdr, wantHdr)
			}
			got, reason, err := c.Decode(tok, testNow)
			if err != nil {
				t.Fatalf("Decode: %s %v", reason, err)
			}
			if got["iat"] != json.Number("1764230400") || got["exp"] != json.Number("1766822400") {
				t.Errorf("iat/exp = %v/%v", got["iat"], got["exp"])
			}
			if jti, _ := got["jti"].(string); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(jti) {
				t.Errorf("jti %q is not a UUID v4", jti)
			}
			for _, k := range []string{"iat", "exp", "jti"} {
				delete(got, k)
			}
			if d := cmp.Diff(in, got); d != "" {
				t.Errorf("claims (-in +out):\n%s", d)
			}
		})
	}
}

func TestEncodeOverwritesRegisteredClaims(t *testing.T) {
	c := newTestCodec(t, Config{})
	tok, err := c.Encode(Claims{"iat": json.Number("1"), "exp": json.Number("2"), "jti": "old"}, testNow, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Decode(tok, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got["iat"] != json.Number("1764230400") || got["exp"] != json.Number("1764234000") || got["jti"] == "old" {
		t.Errorf("claims = %v", got)
	}
}

func TestDecodeRotationAndKid(t *testing.T) {
	oldC := newTestCodec(t, Config{Secrets: []string{testSecret2}})
	rotated := newTestCodec(t, Config{Secrets: []string{testSecret1, testSecret2}})
	other := newTestCodec(t, Config{Secrets: []string{"test-only-unrelated-secret"}})
	payload := []byte(`{"sub":"1"}`)

	oldTok, _ := oldC.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	newTok, _ := rotated.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	k1 := rotated.ring.Keys(jwe.A256CBCHS512)[0]
	k2 := rotated.ring.Keys(jwe.A256CBCHS512)[1]
	tests := []struct {
		name  string
		codec *Codec
		tok   string
		want  Reason
	}{
		{"current secret", rotated, newTok, ReasonOK},
		{"previous secret by kid", rotated, oldTok, ReasonOK},
		{"token of a removed secret", newTestCodec(t, Config{Secrets: []string{testSecret1}}), oldTok, ReasonWrongKey},
		{"unrelated secret", other, newTok, ReasonWrongKey},
		{"kid-less with first secret", rotated, craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512"}`, payload, false), ReasonOK},
		{"kid-less with second secret is tried with the first only", rotated, craft(t, k2, `{"alg":"dir","enc":"A256CBC-HS512"}`, payload, false), ReasonDecrypt},
		{"unknown kid with the right key", rotated, craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512","kid":"nope"}`, payload, false), ReasonWrongKey},
		{"non-string kid", rotated, craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512","kid":1}`, payload, false), ReasonWrongKey},
		{"null kid is a kid", rotated, craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512","kid":null}`, payload, false), ReasonWrongKey},
		{"kid of secret 2 on key of secret 1", rotated, craft(t, k1, `{"alg":"dir","enc":"A256CBC-HS512","kid":"`+k2.Kid()+`"}`, payload, false), ReasonDecrypt},
		{"escaped kid still matches", rotated, craft(t, k2, `{"alg":"dir","enc":"A256CBC-HS512","kid":"`+jsonEscapeAll(k2.Kid())+`"}`, payload, false), ReasonOK},
		{"A256GCM with the v5 derivation", rotated, craft(t, rotated.ring.Keys(jwe.A256GCM)[1], `{"alg":"dir","enc":"A256GCM","kid":"`+rotated.ring.Keys(jwe.A256GCM)[1].Kid()+`"}`, payload, false), ReasonOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, err := tt.codec.Decode(tt.tok, testNow)
			if reason != tt.want {
				t.Errorf("reason = %s (%v), want %s", reason, err, tt.want)
			}
		})
	}
}

// jsonEscapeAll writes every character of s as a \u escape.
func jsonEscapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

func TestDecodeCookieNameIsTheSalt(t *testing.T) {
	a := newTestCodec(t, Config{})
	b := newTestCodec(t, Config{BaseURL: "https://app.example.com"})
	if b.CookieName() != SecureCookiePrefix+DefaultCookieName {
		t.Fatalf("cookie name = %s", b.CookieName())
	}
	tok, _ := a.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	if _, reason, _ := b.Decode(tok, testNow); reason != ReasonWrongKey {
		t.Errorf("reason = %s, want wrong_key (kid differs with the salt)", reason)
	}
}

func TestDecodeClaims(t *testing.T) {
	c := newTestCodec(t, Config{})
	k := c.encKey
	now := floorUnix(testNow)
	h := v5Header(c, "")
	tests := []struct {
		name    string
		header  string
		payload string
		want    Reason
	}{
		{"exp = now-15 rejected", h, fmt.Sprintf(`{"exp":%d}`, now-15), ReasonExpired},
		{"exp = now-14 accepted", h, fmt.Sprintf(`{"exp":%d}`, now-14), ReasonOK},
		{"fractional exp just past the boundary accepted", h, fmt.Sprintf(`{"exp":%d.5}`, now-15), ReasonOK},
		{"no exp never expires", h, `{"sub":"1"}`, ReasonOK},
		{"exp as string", h, `{"exp":"1"}`, ReasonClaims},
		{"exp null", h, `{"exp":null}`, ReasonClaims},
		{"huge exp is Infinity, not expired", h, `{"exp":1e400}`, ReasonOK},
		{"nbf = now+15 accepted", h, fmt.Sprintf(`{"nbf":%d}`, now+15), ReasonOK},
		{"nbf = now+16 rejected", h, fmt.Sprintf(`{"nbf":%d}`, now+16), ReasonNotYet},
		{"nbf wrong type", h, `{"nbf":true}`, ReasonClaims},
		{"future iat accepted", h, fmt.Sprintf(`{"iat":%d}`, now+9999), ReasonOK},
		{"iat type checked first", h, fmt.Sprintf(`{"iat":"x","exp":%d}`, now-100), ReasonClaims},
		{"nbf checked before exp", h, fmt.Sprintf(`{"nbf":%d,"exp":%d}`, now+100, now-100), ReasonNotYet},
		{"payload array", h, `[1]`, ReasonClaims},
		{"payload string", h, `"x"`, ReasonClaims},
		{"payload garbage", h, `{"a":}`, ReasonClaims},
		{"payload trailing data", h, `{} {}`, ReasonClaims},
		{"payload empty", h, ``, ReasonClaims},
		{"payload with BOM accepted", h, "\uFEFF{}", ReasonOK},
		{"payload invalid UTF-8", h, "{\"a\":\"\xff\"}", ReasonClaims},
		{"duplicate claims: last wins", h, fmt.Sprintf(`{"exp":%d,"exp":%d}`, now-100, now+100), ReasonOK},
		{"header sub equals payload sub", v5Header(c, `,"sub":"u1"`), `{"sub":"u1"}`, ReasonOK},
		{"header sub differs", v5Header(c, `,"sub":"u1"`), `{"sub":"u2"}`, ReasonClaims},
		{"header sub but none in payload", v5Header(c, `,"sub":"u1"`), `{}`, ReasonClaims},
		{"header iss number equal", v5Header(c, `,"iss":1.0`), `{"iss":1}`, ReasonOK},
		{"header iss null vs absent", v5Header(c, `,"iss":null`), `{}`, ReasonClaims},
		{"header iss object never equal", v5Header(c, `,"iss":{}`), `{"iss":{}}`, ReasonClaims},
		{"header aud array compared by JSON", v5Header(c, `,"aud":["a","b"]`), `{"aud":["a","b"]}`, ReasonOK},
		{"header aud array order matters", v5Header(c, `,"aud":["a","b"]`), `{"aud":["b","a"]}`, ReasonClaims},
		{"header aud object member order matters", v5Header(c, `,"aud":{"a":1,"b":2}`), `{"aud":{"b":2,"a":1}}`, ReasonClaims},
		{"typ and cty ignored", v5Header(c, `,"typ":"JWT","cty":"x"`), `{}`, ReasonOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, err := c.Decode(craft(t, k, tt.header, []byte(tt.payload), false), testNow)
			if reason != tt.want {
				t.Errorf("reason = %s (%v), want %s", reason, err, tt.want)
			}
			if tt.want == ReasonOK && err != nil {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// joseMaxInflated is jose's default maxDecompressedLength: a "zip":"DEF"
// plaintext may inflate to this many bytes and no more.
const joseMaxInflated = 250_000

func TestDecodeHeaderAndAlgorithms(t *testing.T) {
	c := newTestCodec(t, Config{})
	k := c.encKey
	kid := `"kid":"` + k.Kid() + `"`
	p := []byte(`{"sub":"1"}`)
	big := []byte(`{"pad":"` + strings.Repeat("a", joseMaxInflated-10) + `"}`) // exactly the bound
	if len(big) != joseMaxInflated {
		t.Fatalf("fixture is %d bytes", len(big))
	}
	bomb := []byte(`{"pad":"` + strings.Repeat("a", joseMaxInflated-9) + `"}`)
	tests := []struct {
		name    string
		header  string
		payload []byte
		zip     bool
		want    Reason
	}{
		{"alg RSA-OAEP", `{"alg":"RSA-OAEP","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonAlgorithm},
		{"alg none", `{"alg":"none","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonAlgorithm},
		{"alg missing", `{"enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonMalformed},
		{"alg empty", `{"alg":"","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonMalformed},
		{"alg not a string", `{"alg":1,"enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonMalformed},
		{"enc A128GCM", `{"alg":"dir","enc":"A128GCM",` + kid + `}`, p, false, ReasonAlgorithm},
		{"enc A128CBC-HS256 (v5 allow-list)", `{"alg":"dir","enc":"A128CBC-HS256",` + kid + `}`, p, false, ReasonAlgorithm},
		{"enc missing", `{"alg":"dir",` + kid + `}`, p, false, ReasonMalformed},
		{"crit empty", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"crit":[]}`, p, false, ReasonAlgorithm},
		{"crit exp", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"crit":["exp"],"exp":1}`, p, false, ReasonAlgorithm},
		{"zip DEF", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":"DEF"}`, p, true, ReasonOK},
		{"zip DEF at the bound", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":"DEF"}`, big, true, ReasonOK},
		{"zip bomb one byte over", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":"DEF"}`, bomb, true, ReasonMalformed},
		{"zip DEF over raw JSON", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":"DEF"}`, p, false, ReasonMalformed},
		{"zip GZIP", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":"GZIP"}`, p, false, ReasonAlgorithm},
		{"zip null", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"zip":null}`, p, false, ReasonAlgorithm},
		{"header array", `[]`, p, false, ReasonMalformed},
		{"header not JSON", `{alg:dir}`, p, false, ReasonMalformed},
		{"header invalid UTF-8", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"x":"` + "\xff" + `"}`, p, false, ReasonMalformed},
		{"header with BOM", "\uFEFF" + `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonOK},
		{"duplicate alg: last wins", `{"alg":"RSA-OAEP","alg":"dir","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonOK},
		{"escaped member name", `{"\u0061lg":"dir","enc":"A256CBC-HS512",` + kid + `}`, p, false, ReasonOK},
		{"unicode in header", `{"alg":"dir","enc":"A256CBC-HS512",` + kid + `,"x":"é😀\ud800"}`, p, false, ReasonOK},
		{"unicode payload", v5Header(c, ""), []byte(`{"name":"Zoë 😀 \ud83d\ude00 \udc00 \u2028"}`), false, ReasonOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, err := c.Decode(craft(t, k, tt.header, tt.payload, tt.zip), testNow)
			if reason != tt.want {
				t.Errorf("reason = %s (%v), want %s", reason, err, tt.want)
			}
		})
	}
}

func TestDecodeTamperingAndGarbage(t *testing.T) {
	c := newTestCodec(t, Config{})
	tok, _ := c.Encode(Claims{"sub": "1", "name": "n"}, testNow, time.Hour)
	seg := strings.Split(tok, ".")
	join := func(s ...string) string { return strings.Join(s, ".") }
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name string
		tok  string
		want Reason
	}{
		{"valid", tok, ReasonOK},
		{"header byte flipped (AAD changes)", join(flip(seg[0], 5), seg[1], seg[2], seg[3], seg[4]), ReasonMalformed},
		{"header re-encoded with padding fails the tag", join(seg[0]+strings.Repeat("=", (4-len(seg[0])%4)%4), seg[1], seg[2], seg[3], seg[4]), wantIf(len(seg[0])%4 == 0, ReasonOK, ReasonDecrypt)},
		{"encrypted key present", join(seg[0], "AAAA", seg[2], seg[3], seg[4]), ReasonMalformed},
		{"encrypted key not base64", join(seg[0], "!!", seg[2], seg[3], seg[4]), ReasonMalformed},
		{"iv flipped", join(seg[0], "", flip(seg[2], 0), seg[3], seg[4]), ReasonDecrypt},
		{"iv missing", join(seg[0], "", "", seg[3], seg[4]), ReasonMalformed},
		{"iv short", join(seg[0], "", seg[2][:10], seg[3], seg[4]), ReasonMalformed},
		{"ciphertext flipped", join(seg[0], "", seg[2], flip(seg[3], 3), seg[4]), ReasonDecrypt},
		{"ciphertext empty", join(seg[0], "", seg[2], "", seg[4]), ReasonDecrypt},
		{"tag flipped", join(seg[0], "", seg[2], seg[3], flip(seg[4], 0)), ReasonDecrypt},
		{"tag truncated", join(seg[0], "", seg[2], seg[3], seg[4][:20]), ReasonDecrypt},
		{"tag missing", join(seg[0], "", seg[2], seg[3], ""), ReasonMalformed},
		{"tag with + rejected", join(seg[0], "", seg[2], seg[3], "+"+seg[4][1:]), ReasonMalformed},
		{"iv with whitespace accepted (atob)", join(seg[0], "", seg[2][:4]+" \t"+seg[2][4:], seg[3], seg[4]), ReasonOK},
		{"tag with = padding accepted (atob)", join(seg[0], "", seg[2], seg[3], seg[4]+"="), ReasonOK},
		{"tag with two = rejected", join(seg[0], "", seg[2], seg[3], seg[4]+"=="), ReasonMalformed},
		{"iv with = padding accepted", join(seg[0], "", seg[2]+"==", seg[3], seg[4]), ReasonOK},
		{"non-canonical last tag char accepted (bits discarded)", join(seg[0], "", seg[2], seg[3], bumpLast(seg[4])), ReasonOK},
		{"six segments", tok + ".", ReasonMalformed},
		{"four segments", join(seg[0], seg[2], seg[3], seg[4]), ReasonMalformed},
		{"JWS", "eyJhbGciOiJIUzI1NiJ9.e30.sig", ReasonMalformed},
		{"garbage", "not a token", ReasonMalformed},
		{"dots only", "....", ReasonMalformed},
		{"header not base64", join("***", "", seg[2], seg[3], seg[4]), ReasonMalformed},
		{"empty header segment", join("", "", seg[2], seg[3], seg[4]), ReasonMalformed},
		{"length 1 mod 4 segment", join(seg[0], "", seg[2], seg[3]+strings.Repeat("A", (5-len(seg[3])%4)%4), seg[4]), ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, err := c.Decode(tt.tok, testNow)
			if reason != tt.want {
				t.Errorf("reason = %s (%v), want %s", reason, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tt.tok) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
	if _, reason, err := c.Decode("", testNow); reason != ReasonNoCookie || err == nil {
		t.Errorf("empty token: %s %v", reason, err)
	}
}

func wantIf(cond bool, a, b Reason) Reason {
	if cond {
		return a
	}
	return b
}

// bumpLast flips the lowest bit of the last character of an unpadded
// base64url segment whose length is 2 or 3 mod 4: that bit is discarded by
// the decoder, so the bytes do not change.
func bumpLast(seg string) string {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 < 2 {
		panic("bumpLast: no discarded bits")
	}
	i := strings.IndexByte(alpha, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alpha[i^1])
}

func TestDecodeLegacyV4(t *testing.T) {
	v4 := newTestCodec(t, Config{LegacyV4: true})
	v5 := newTestCodec(t, Config{})
	v4tok, _ := v4.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	v5tok, _ := v5.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	if v4.CookieName() != LegacyCookieName {
		t.Errorf("v4 cookie name = %s", v4.CookieName())
	}
	if _, r, err := v4.Decode(v4tok, testNow); r != ReasonOK {
		t.Errorf("v4 token: %s %v", r, err)
	}
	if _, r, _ := v4.Decode(v5tok, testNow); r == ReasonOK {
		t.Error("v5 token accepted by the v4 codec")
	}
	if _, r, _ := v5.Decode(v4tok, testNow); r == ReasonOK {
		t.Error("v4 token accepted by the v5 codec")
	}
	// v4 has no allow-list: A128CBC-HS256 fits its 32-byte key.
	k := v4.ring.Keys(jwe.A128CBCHS256)[0]
	if _, r, err := v4.Decode(craft(t, k, `{"alg":"dir","enc":"A128CBC-HS256"}`, []byte(`{}`), false), testNow); r != ReasonOK {
		t.Errorf("v4 A128CBC-HS256: %s %v", r, err)
	}
	// and a kid is ignored.
	if _, r, err := v4.Decode(craft(t, v4.encKey, `{"alg":"dir","enc":"A256GCM","kid":"x"}`, []byte(`{}`), false), testNow); r != ReasonOK {
		t.Errorf("v4 with kid: %s %v", r, err)
	}
	if _, err := NewCodec(Config{LegacyV4: true, Secrets: []string{"a", "b"}}); err == nil {
		t.Error("v4 codec accepted two secrets")
	}
}

func TestNewCodecErrors(t *testing.T) {
	for _, cfg := range []Config{{}, {Secrets: []string{""}}, {Secrets: []string{"x"}, CookieName: strings.Repeat("n", 1000)}} {
		if _, err := NewCodec(cfg); err == nil {
			t.Errorf("NewCodec(%+v) succeeded", cfg.CookieName)
		}
	}
}

func TestDecodeJSONKeepsOrder(t *testing.T) {
	c := newTestCodec(t, Config{})
	payload := `{"z":1,"b":{"y":1.50,"x":"<&>"},"2":true,"a":null,"z":2,"1":"\ud800"}`
	got, reason, err := c.DecodeJSON(craft(t, c.encKey, v5Header(c, ""), []byte(payload), false), testNow)
	if err != nil {
		t.Fatal(reason, err)
	}
	want := `{"1":"\ud800","2":true,"z":2,"b":{"y":1.5,"x":"<&>"},"a":null}`
	if string(got) != want {
		t.Errorf("DecodeJSON = %s\nwant        %s", got, want)
	}
	if got, _, err := c.DecodeJSON("garbage", testNow); string(got) != "null" || err == nil {
		t.Errorf("garbage: %s %v", got, err)
	}
}

func TestClaimErrorText(t *testing.T) {
	err := error(&ClaimError{Claim: "exp", Reason: ReasonExpired, Msg: "timestamp check failed"})
	var ce *ClaimError
	if !errors.As(err, &ce) || ce.Reason != ReasonExpired || err.Error() != `jwt: "exp" claim timestamp check failed` {
		t.Errorf("ClaimError = %v", err)
	}
}

func TestDecodeLegacyV4LenientUTF8(t *testing.T) {
	v4 := newTestCodec(t, Config{LegacyV4: true})
	v5 := newTestCodec(t, Config{})
	payload := []byte("{\"name\":\"a\xffb\"}")
	c, reason, err := v4.Decode(craft(t, v4.encKey, `{"alg":"dir","enc":"A256GCM"}`, payload, false), testNow)
	if err != nil || c["name"] != "a\uFFFDb" {
		t.Errorf("v4 invalid UTF-8 payload: %v %s %v (jose 4 replaces it)", c, reason, err)
	}
	if _, reason, _ := v5.Decode(craft(t, v5.encKey, v5Header(v5, ""), payload, false), testNow); reason != ReasonClaims {
		t.Errorf("v5 invalid UTF-8 payload: %s (jose 6 is strict)", reason)
	}
	// Buffer base64: '=' ends the data, odd characters are skipped.
	tok, _ := v4.Encode(Claims{"sub": "1"}, testNow, time.Hour)
	seg := strings.Split(tok, ".")
	odd := seg[0] + ".." + seg[2][:3] + "!" + seg[2][3:] + "." + seg[3] + "." + seg[4] + "=junk"
	if _, reason, err := v4.Decode(odd, testNow); reason != ReasonOK {
		t.Errorf("v4 lenient base64: %s %v", reason, err)
	}
}
