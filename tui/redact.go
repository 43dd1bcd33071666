package tui

import (
	"encoding/json"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// Redaction is on by default and is the only way personal data reaches the
// screen: every name, e-mail and claim goes through resolver's Redactor (the
// one policy every surface shares), and tokens are shown only as its keyed
// fingerprints, revealed or not. The TUI only decides which form to show:
// redacted, or revealed for the one session whose detail is open after a
// confirmation.

// redactor renders personal values for display.
type redactor struct {
	r      *resolver.Redactor
	reveal bool
}

// redactor returns the display redactor; reveal shows values as they are.
func (c *common) redactor(reveal bool) redactor {
	return redactor{r: c.red.WithReveal(reveal), reveal: reveal}
}

// email masks the local part: alice@example.com → a•••@example.com.
func (r redactor) email(s string) string {
	if r.reveal || s == "" {
		return s
	}
	return resolver.MaskEmail(s)
}

// text masks a name to initials: Alice Smith → A••• S•••.
func (r redactor) text(s string) string {
	if r.reveal || s == "" {
		return s
	}
	return resolver.MaskName(s)
}

// fingerprint names a token without revealing it (never reversible).
func (r redactor) fingerprint(token string) string {
	if token == "" {
		return "-"
	}
	return r.r.Fingerprint(token)
}

// sessionJSON renders a resolved session as Auth.js's /session body,
// indented, redacted unless r reveals it.
func (r redactor) sessionJSON(s *resolver.Session) string {
	s = r.r.Session(s)
	if s == nil {
		return "null"
	}
	add := func(o *orderedObject, name string, v resolver.Value) {
		if v.IsSet() {
			o.add(name, v.Any())
		}
	}
	user := orderedObject{}
	add(&user, "name", s.User.Name)
	add(&user, "email", s.User.Email)
	add(&user, "image", s.User.Image)
	for _, m := range s.User.Extra {
		add(&user, m.Name, m.Value)
	}
	body := orderedObject{}
	body.add("user", user)
	body.add("expires", s.Expires.UTC().Format("2006-01-02T15:04:05.000Z"))
	for _, m := range s.Extra {
		add(&body, m.Name, m.Value)
	}
	out, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return "(unprintable session)"
	}
	return string(out)
}

// claimsJSON renders decoded JWT claims, redacted unless r reveals them.
func (r redactor) claimsJSON(c resolver.Claims) string {
	out, err := json.MarshalIndent(map[string]any(r.r.Claims(c)), "", "  ")
	if err != nil {
		return "(unprintable claims)"
	}
	return string(out)
}

// orderedObject marshals members in insertion order, as Auth.js does.
type orderedObject struct {
	names  []string
	values []any
}

func (o *orderedObject) add(name string, v any) {
	o.names = append(o.names, name)
	o.values = append(o.values, v)
}

// MarshalJSON implements json.Marshaler.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range o.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(o.values[i])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
