package betterauth

import (
	"time"

	"github.com/authscope/authscope/resolver"
)

// RedactBody returns a copy of s for display under r's policy, keeping
// the body's shape and member order: the token as "fp:" and its keyed
// fingerprint, e-mail and name masked as resolver.Redactor masks Auth.js
// sessions, ids cut to a few characters, dates, booleans and null kept,
// every other member masked unless allow-listed. With r revealing, s comes
// back unchanged except for the token, which stays a fingerprint (raw
// tokens are never printed).
func RedactBody(s *Session, r *resolver.Redactor, allow []string) *Session {
	if s == nil {
		return nil
	}
	ok := map[string]bool{}
	for _, a := range allow {
		ok[a] = true
	}
	return &Session{Session: redactObject(s.Session, r, ok), User: redactObject(s.User, r, ok)}
}

func redactObject(o Object, r *resolver.Redactor, allow map[string]bool) Object {
	out := make(Object, len(o))
	for i, f := range o {
		out[i] = Field{Name: f.Name, Value: redactField(f, r, allow)}
	}
	return out
}

func redactField(f Field, r *resolver.Redactor, allow map[string]bool) any {
	s, isStr := f.Value.(string)
	switch {
	case f.Name == "token" && isStr:
		return "fp:" + r.Fingerprint(s)
	case r.Revealing() || allow[f.Name] || f.Value == nil:
		return f.Value
	}
	switch f.Value.(type) {
	case time.Time, bool:
		return f.Value
	}
	if !isStr {
		return resolver.Mask
	}
	switch f.Name {
	case "email":
		return resolver.MaskEmail(s)
	case "name":
		return resolver.MaskName(s)
	case "id", "userId":
		if len(s) > 4 {
			return s[:4] + "…"
		}
		return s
	}
	return resolver.Mask
}
