package resolver

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fmt and slog forms for the types that carry tokens, cookies, secrets or
// personal data besides Session, User, Value and Claims (redact.go). They
// follow the same rule: whatever the verb (%v %+v %s %q %#v) or the slog
// handler (text or JSON), an accidental print shows the redacted form,
// built with defaultRedactor's fingerprints and the Mask* helpers. Value
// receivers, so pointers print the same way. None of this touches what is
// serialised on purpose (MarshalJSON, Set-Cookie headers, store rows).

// field is one name and (already redacted) value of a struct rendering.
type field struct {
	name  string
	value any
}

// formatFields prints fields the way fmt prints a struct: {a b} for %v,
// {A:a B:b} for %+v, pkg.T{A:"a", B:"b"} for %#v. Every other verb is
// %v: %q or %x of a raw struct would print its secrets too.
func formatFields(f fmt.State, verb rune, typeName string, fields []field) {
	sharp := verb == 'v' && f.Flag('#')
	plus := f.Flag('+')
	inner, sep := "%v", " "
	switch {
	case sharp:
		inner, sep = "%#v", ", "
		fmt.Fprint(f, "resolver."+typeName)
	case plus:
		inner = "%+v"
	}
	fmt.Fprint(f, "{")
	for i, fl := range fields {
		if i > 0 {
			fmt.Fprint(f, sep)
		}
		if sharp || plus {
			fmt.Fprint(f, fl.name+":")
		}
		fmt.Fprintf(f, inner, fl.value)
	}
	fmt.Fprint(f, "}")
}

// fingerprintLabel names a secret value by fingerprint and length.
func fingerprintLabel(v string) string {
	if v == "" {
		return ""
	}
	return "<" + defaultRedactor.Fingerprint(v) + " len=" + strconv.Itoa(len(v)) + ">"
}

// maxPrintedCookies bounds the cookies an Input prints, so a hostile
// header cannot flood a log line.
const maxPrintedCookies = 32

// redactedCookies lists the header's cookies as name=<fingerprint len=n>.
// It splits on ';' and the first '=' only (no decoding, no deduplication):
// it is a picture of the header, not Auth.js's reading of it. A piece
// without '=' has no name and may be a bare secret: it is fingerprinted.
func (in Input) redactedCookies() []string {
	var out []string
	rest := in.cookie
	for n := 0; rest != ""; n++ {
		piece, tail, _ := strings.Cut(rest, ";")
		rest = tail
		piece = strings.Trim(piece, " \t")
		if piece == "" {
			continue
		}
		if n == maxPrintedCookies {
			out = append(out, "+"+strconv.Itoa(strings.Count(rest, ";")+1)+" more")
			break
		}
		name, value, ok := strings.Cut(piece, "=")
		if !ok {
			out = append(out, fingerprintLabel(piece))
			continue
		}
		out = append(out, strings.Trim(name, " \t")+"="+fingerprintLabel(strings.Trim(value, " \t")))
	}
	return out
}

// Format prints the cookie names with fingerprints instead of values.
func (in Input) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "Input", []field{{"cookies", in.redactedCookies()}})
}

// LogValue makes slog log cookie names with fingerprints, never values.
func (in Input) LogValue() slog.Value {
	cs := in.redactedCookies()
	return slog.GroupValue(slog.Int("count", len(cs)), slog.Any("cookies", cs))
}

// setCookieNames lists the names only: the values are fresh session tokens.
func setCookieNames(cs []*http.Cookie) []string {
	if len(cs) == 0 {
		return nil
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		if c != nil {
			names[i] = c.Name
		}
	}
	return names
}

// Format prints r with the session redacted and Set-Cookie names only.
// Err is printed: it never carries token material.
func (r Result) Format(f fmt.State, verb rune) {
	var err any = r.Err
	if r.Err != nil {
		err = r.Err.Error()
	}
	formatFields(f, verb, "Result", []field{
		{"Session", r.Session},
		{"Reason", string(r.Reason)},
		{"Err", err},
		{"Source", r.Source},
		{"SetCookies", setCookieNames(r.SetCookies)},
	})
}

// LogValue makes slog log r as reason, source, the redacted session and
// the Set-Cookie names. Without it the JSON handler would json.Marshal the
// Session, which is the unredacted /session body.
func (r Result) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("reason", string(r.Reason))}
	if r.Source != "" {
		attrs = append(attrs, slog.String("source", r.Source))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("err", r.Err.Error()))
	}
	if r.Session != nil {
		attrs = append(attrs, slog.Any("session", r.Session))
	}
	if len(r.SetCookies) > 0 {
		attrs = append(attrs, slog.Any("set_cookies", setCookieNames(r.SetCookies)))
	}
	return slog.GroupValue(attrs...)
}

// Format prints s with the token as a fingerprint and the user id shortened.
func (s StoredSession) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "StoredSession", []field{
		{"Token", defaultRedactor.Fingerprint(s.Token)},
		{"UserID", maskID(s.UserID)},
		{"Expires", s.Expires},
	})
}

// LogValue makes slog log s with the token as a fingerprint.
func (s StoredSession) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", defaultRedactor.Fingerprint(s.Token)),
		slog.String("user_id", maskID(s.UserID)),
		slog.Time("expires", s.Expires),
	)
}

// redactedStoredUser is a StoredUser as Session redaction shows a user:
// name to initials, e-mail local part masked, image hidden, id shortened.
// NULLs stay nil (their shape is not personal data).
type redactedStoredUser struct {
	id                 string
	name, email, image any
	emailVerified      any
}

func redactStoredUser(u StoredUser) redactedStoredUser {
	mask := func(p *string, f func(string) string) any {
		if p == nil {
			return nil
		}
		return f(*p)
	}
	r := redactedStoredUser{
		id:    maskID(u.ID),
		name:  mask(u.Name, MaskName),
		email: mask(u.Email, MaskEmail),
		image: mask(u.Image, func(string) string { return Mask }),
	}
	if u.EmailVerified != nil {
		r.emailVerified = *u.EmailVerified
	}
	return r
}

// Format prints u redacted.
func (u StoredUser) Format(f fmt.State, verb rune) {
	r := redactStoredUser(u)
	formatFields(f, verb, "StoredUser", []field{
		{"ID", r.id},
		{"Name", r.name},
		{"Email", r.email},
		{"Image", r.image},
		{"EmailVerified", r.emailVerified},
	})
}

// LogValue makes slog log u redacted; NULL columns are left out.
func (u StoredUser) LogValue() slog.Value {
	r := redactStoredUser(u)
	attrs := []slog.Attr{slog.String("id", r.id)}
	for _, a := range []struct {
		key string
		v   any
	}{{"name", r.name}, {"email", r.email}, {"image", r.image}} {
		if a.v != nil {
			attrs = append(attrs, slog.Any(a.key, a.v))
		}
	}
	if t, ok := r.emailVerified.(time.Time); ok {
		attrs = append(attrs, slog.Time("email_verified", t))
	}
	return slog.GroupValue(attrs...)
}

// Format prints the row redacted (its session and user print themselves).
func (r SessionRow) Format(f fmt.State, verb rune) {
	var user any = r.User
	if r.User == nil {
		user = nil // "<nil>", not a typed nil that fmt would probe
	}
	formatFields(f, verb, "SessionRow", []field{{"Session", r.Session}, {"User", user}})
}

// LogValue makes slog log the row redacted; a missing user is left out.
func (r SessionRow) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Any("session", r.Session)}
	if r.User != nil {
		attrs = append(attrs, slog.Any("user", *r.User))
	}
	return slog.GroupValue(attrs...)
}

// SecretList is Config.Secrets: a []string (assignable from and to one)
// that fmt and slog print as a count, so a %+v of a Config or a logged
// secret list never shows a secret. json.Marshal still sees the strings;
// Config keeps them out of JSON with its `json:"-"` tag.
type SecretList []string

// Format prints the number of secrets for every verb.
func (s SecretList) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.redacted()) }

// LogValue makes slog log the number of secrets.
func (s SecretList) LogValue() slog.Value { return slog.StringValue(s.redacted()) }

func (s SecretList) redacted() string {
	if len(s) == 0 {
		return "[]"
	}
	return "[" + strconv.Itoa(len(s)) + " redacted]"
}

// HeaderMap is ProxyConfig.Headers: a map[string]string (assignable from
// and to one) whose values, often credentials from header_envs, fmt, slog
// and json.Marshal never show: only the header names, sorted.
type HeaderMap map[string]string

// Format prints the header names for every verb.
func (h HeaderMap) Format(f fmt.State, verb rune) { fmt.Fprint(f, h.redacted()) }

// LogValue makes slog log the header names.
func (h HeaderMap) LogValue() slog.Value { return slog.StringValue(h.redacted()) }

// MarshalJSON writes each name with a redacted value.
func (h HeaderMap) MarshalJSON() ([]byte, error) {
	m := make(map[string]string, len(h))
	for k := range h {
		m[k] = "[redacted]"
	}
	return json.Marshal(m)
}

func (h HeaderMap) redacted() string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k+":[redacted]")
	}
	sort.Strings(names)
	return "map[" + strings.Join(names, " ") + "]"
}
