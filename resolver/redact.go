package resolver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask is the glyph that stands in for hidden characters.
const Mask = "•••"

// Redactor is the one redaction policy every surface uses before it shows,
// logs or exports a session: e-mail local parts masked (a•••@example.com),
// names reduced to initials, images dropped, custom members masked unless
// allow-listed, and token values shown only as a short keyed fingerprint.
//
// Fingerprints are HMAC-SHA-256 under a key drawn when the Redactor is made,
// so they are stable within a run (rows can be correlated) but useless for
// recovering or confirming a token across runs. A Redactor is immutable and
// safe for concurrent use.
type Redactor struct {
	key    [32]byte
	allow  map[string]bool
	reveal bool
}

// RedactOptions configures NewRedactor.
type RedactOptions struct {
	// Allow lists custom member names (session or user level, or claim
	// names) that are shown unmasked.
	Allow []string
	// Reveal turns redaction off: Session and Claims come back unchanged.
	// Fingerprints stay fingerprints: raw tokens are never revealed.
	Reveal bool
	// Key fixes the fingerprint key (tests, or correlating across several
	// processes of one run). Empty draws a random key.
	Key []byte
}

// NewRedactor returns a Redactor for opts.
func NewRedactor(opts RedactOptions) *Redactor {
	r := &Redactor{reveal: opts.Reveal, allow: make(map[string]bool, len(opts.Allow))}
	if len(opts.Key) > 0 {
		r.key = sha256.Sum256(opts.Key)
	} else if _, err := rand.Read(r.key[:]); err != nil {
		panic("resolver: no randomness for the redaction key: " + err.Error())
	}
	for _, a := range opts.Allow {
		r.allow[a] = true
	}
	return r
}

// Revealing reports whether r shows sessions unredacted.
func (r *Redactor) Revealing() bool { return r.reveal }

// WithReveal returns a copy of r with reveal set, keeping the key so
// fingerprints stay comparable.
func (r *Redactor) WithReveal(reveal bool) *Redactor {
	c := *r
	c.reveal = reveal
	return &c
}

// Fingerprint returns a short keyed hash of a token: 12 hex characters.
func (r *Redactor) Fingerprint(token string) string {
	if token == "" {
		return ""
	}
	m := hmac.New(sha256.New, r.key[:])
	m.Write([]byte(token))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:6])
}

// Session returns a redacted copy of s (s itself when revealing). Nil stays nil.
func (r *Redactor) Session(s *Session) *Session {
	if s == nil || r.reveal {
		return s
	}
	return redactSession(s, r.allow)
}

// Claims returns a redacted copy of c: iat, exp, nbf kept; name reduced,
// email masked, picture dropped, sub and jti shortened; everything else
// masked unless allow-listed.
func (r *Redactor) Claims(c Claims) Claims {
	if c == nil || r.reveal {
		return c
	}
	out := make(Claims, len(c))
	for k, v := range c {
		switch {
		case k == "iat" || k == "exp" || k == "nbf" || r.allow[k]:
			out[k] = v
		case k == "picture":
			// dropped, as session.user.image is
		case k == "name":
			out[k] = redactAny(v, MaskName)
		case k == "email":
			out[k] = redactAny(v, MaskEmail)
		case k == "sub" || k == "jti":
			out[k] = redactAny(v, maskID)
		default:
			out[k] = Mask
		}
	}
	return out
}

func redactSession(s *Session, allow map[string]bool) *Session {
	c := &Session{Expires: s.Expires}
	c.User.ID = maskID(s.User.ID)
	c.User.Name = redactValue(s.User.Name, MaskName)
	c.User.Email = redactValue(s.User.Email, MaskEmail)
	// Image is dropped: an avatar URL often embeds an account id.
	c.User.Extra = redactMembers(s.User.Extra, allow)
	c.Extra = redactMembers(s.Extra, allow)
	return c
}

func redactMembers(ms []Member, allow map[string]bool) []Member {
	if len(ms) == 0 {
		return nil
	}
	out := make([]Member, len(ms))
	for i, m := range ms {
		out[i] = m
		if !allow[m.Name] && !m.Value.IsNull() && m.Value.IsSet() {
			out[i].Value = String(Mask)
		}
	}
	return out
}

// redactValue masks a string Value with f; null and absent stay as they are
// (their shape is not personal data); other types are masked whole.
func redactValue(v Value, f func(string) string) Value {
	if !v.IsSet() || v.IsNull() {
		return v
	}
	if s, ok := v.Str(); ok {
		return String(f(s))
	}
	return String(Mask)
}

func redactAny(v any, f func(string) string) any {
	if s, ok := v.(string); ok {
		return f(s)
	}
	if v == nil {
		return nil
	}
	return Mask
}

// MaskEmail keeps the first character of the local part and the domain:
// alice@example.com → a•••@example.com.
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return firstRune(e) + Mask
	}
	return firstRune(e[:at]) + Mask + e[at:]
}

// MaskName reduces a name to initials: Alice van Dyke → A••• v••• D•••.
func MaskName(n string) string {
	words := strings.FieldsFunc(n, unicode.IsSpace)
	if len(words) == 0 {
		return ""
	}
	for i, w := range words {
		words[i] = firstRune(w) + Mask
	}
	return strings.Join(words, " ")
}

// maskID keeps a few leading characters of an identifier, enough to tell
// rows apart on screen without exposing it.
func maskID(id string) string {
	if id == "" {
		return ""
	}
	n := 0
	for i := range id {
		if n == 4 {
			return id[:i] + "…"
		}
		n++
	}
	return id
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// defaultRedactor backs the fmt and slog forms below and in redact_fmt.go.
// It has no allow-list and never reveals, so nothing printed by accident
// carries personal data; its fingerprint key is drawn per process, like any
// Redactor's, so a logged fingerprint cannot confirm a guessed token later.
var defaultRedactor = NewRedactor(RedactOptions{})

// Format prints s redacted for every verb, including %#v and %+v, so a
// stray log line cannot leak a session.
func (s *Session) Format(f fmt.State, verb rune) {
	if s == nil {
		fmt.Fprint(f, "<nil>")
		return
	}
	fmt.Fprint(f, s.redactedString())
}

// String returns the redacted JSON form.
func (s *Session) String() string {
	if s == nil {
		return "<nil>"
	}
	return s.redactedString()
}

// redactedString is a compact, redacted rendering for accidental printing.
// Exports use MarshalJSON on a Redactor's output instead.
func (s *Session) redactedString() string {
	r := defaultRedactor.Session(s)
	var b strings.Builder
	b.WriteString(`{"user":{`)
	sep := ""
	for _, m := range []struct {
		name string
		v    Value
	}{{"name", r.User.Name}, {"email", r.User.Email}} {
		if !m.v.IsSet() {
			continue
		}
		b.WriteString(sep + quoteJSON(m.name) + ":")
		if str, ok := m.v.Str(); ok {
			b.WriteString(quoteJSON(str))
		} else {
			b.WriteString("null")
		}
		sep = ","
	}
	b.WriteString(`},"expires":` + quoteJSON(r.Expires.UTC().Format(redactTimeLayout)))
	for _, m := range r.Extra {
		b.WriteString("," + quoteJSON(m.Name) + ":" + quoteJSON(Mask))
	}
	b.WriteString("}")
	return b.String()
}

// redactTimeLayout is JavaScript's Date.prototype.toISOString layout.
const redactTimeLayout = "2006-01-02T15:04:05.000Z"

// LogValue makes slog log s redacted.
func (s *Session) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	r := defaultRedactor.Session(s)
	attrs := []slog.Attr{slog.String("expires", r.Expires.UTC().Format(redactTimeLayout))}
	if r.User.ID != "" {
		attrs = append(attrs, slog.String("user_id", r.User.ID))
	}
	if v, ok := r.User.Email.Str(); ok {
		attrs = append(attrs, slog.String("email", v))
	}
	if v, ok := r.User.Name.Str(); ok {
		attrs = append(attrs, slog.String("name", v))
	}
	return slog.GroupValue(attrs...)
}

// Format prints u redacted for every verb.
func (u User) Format(f fmt.State, verb rune) {
	s := Session{User: u}
	r := defaultRedactor.Session(&s)
	fmt.Fprintf(f, "{name:%s email:%s id:%s}", valueText(r.User.Name), valueText(r.User.Email), r.User.ID)
}

// LogValue makes slog log u redacted.
func (u User) LogValue() slog.Value {
	s := Session{User: u}
	return s.LogValue()
}

// Format prints v masked: a bare Value may hold an e-mail or a name.
func (v Value) Format(f fmt.State, verb rune) {
	switch {
	case !v.IsSet():
		fmt.Fprint(f, "<absent>")
	case v.IsNull():
		fmt.Fprint(f, "null")
	default:
		fmt.Fprint(f, Mask)
	}
}

// LogValue makes slog log v masked.
func (v Value) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(v)) }

// Format prints c redacted, keys sorted, for every verb.
func (c Claims) Format(f fmt.State, verb rune) {
	r := defaultRedactor.Claims(c)
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprint(f, "map[")
	for i, k := range keys {
		if i > 0 {
			fmt.Fprint(f, " ")
		}
		fmt.Fprintf(f, "%s:%v", k, r[k])
	}
	fmt.Fprint(f, "]")
}

// LogValue makes slog log c redacted.
func (c Claims) LogValue() slog.Value {
	r := defaultRedactor.Claims(c)
	attrs := make([]slog.Attr, 0, len(r))
	for k, v := range r {
		attrs = append(attrs, slog.Any(k, fmt.Sprint(v)))
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Key < attrs[j].Key })
	return slog.GroupValue(attrs...)
}

func valueText(v Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	return fmt.Sprint(v)
}

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		return `""`
	}
	return string(b)
}
