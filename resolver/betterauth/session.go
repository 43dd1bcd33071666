package betterauth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Session is the body of GET {basePath}/get-session: the session and user
// records in the member order Better Auth writes them. Which order that is
// depends on where the answer came from (see SEMANTICS.md): a database read
// yields the adapter's schema order (fields, then id), a cookie-cache hit
// zod's shape order (id, createdAt, updatedAt, then the rest).
//
// Session values hold personal data and the session token: print them only
// through Redacted.
type Session struct {
	Session Object
	User    Object
}

// MarshalBody is the get-session body for s, byte for byte: "null" for nil,
// else {"session":…,"user":…} as JSON.stringify writes it (Dates as
// toISOString).
func MarshalBody(s *Session) []byte {
	if s == nil {
		return []byte("null")
	}
	b := make([]byte, 0, 512)
	b = append(b, `{"session":`...)
	b = AppendJS(b, s.Session)
	b = append(b, `,"user":`...)
	b = AppendJS(b, s.User)
	return append(b, '}')
}

// Token is the session's token.
func (s *Session) Token() string { v, _ := s.Session.String("token"); return v }

// UserID is the user's id.
func (s *Session) UserID() string { v, _ := s.User.String("id"); return v }

// ExpiresAt is the session's expiresAt.
func (s *Session) ExpiresAt() time.Time { t, _ := s.Session.Time("expiresAt"); return t }

// Redacted is a printable summary without token or personal data.
func (s *Session) Redacted() string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("session{user:%d chars, expiresAt:%s, token:[redacted]}", len(s.UserID()), isoString(s.ExpiresAt()))
}

// String implements fmt.Stringer without leaking anything (for values
// and pointers alike).
func (s Session) String() string { return s.Redacted() }

// cachePayload is a decoded cookie cache ({session, user, updatedAt,
// version}) after better-auth's cookieCachePayloadSchema.
type cachePayload struct {
	Session   Session
	UpdatedAt float64
	Version   string
	hasVer    bool
}

var errShape = errors.New("betterauth: cookie cache payload does not match Better Auth's schema")

// parseCachePayload is cookies/cache.mjs parseCookieCachePayload: the
// object (dates revived) validated by a zod looseObject of sessionSchema
// and userSchema, which rebuilds each record in shape order then the
// unknown members in input order.
func parseCachePayload(v any) (*cachePayload, error) {
	o, ok := reviveDates(v).(Object)
	if !ok {
		return nil, errShape
	}
	sv, _ := o.Get("session")
	uv, _ := o.Get("user")
	so, ok1 := sv.(Object)
	uo, ok2 := uv.(Object)
	upd, ok3 := getNumber(o, "updatedAt")
	if !ok1 || !ok2 || !ok3 {
		return nil, errShape
	}
	p := &cachePayload{UpdatedAt: upd}
	if ver, present := o.Get("version"); present {
		s, ok := ver.(string)
		if !ok {
			return nil, errShape
		}
		p.Version, p.hasVer = s, true
	}
	var err error
	if p.Session.Session, err = zodObject(so, sessionShape); err != nil {
		return nil, err
	}
	if p.Session.User, err = zodObject(uo, userShape); err != nil {
		return nil, err
	}
	return p, nil
}

func getNumber(o Object, name string) (float64, bool) {
	v, _ := o.Get(name)
	f, ok := v.(float64)
	return f, ok
}

// zodField is one member of a zod shape: parse returns the output value,
// whether to set it, or an error.
type zodField struct {
	name  string
	parse func(v any, present bool) (any, bool, error)
}

func zString(v any, present bool) (any, bool, error) {
	if s, ok := v.(string); ok {
		return s, true, nil
	}
	return nil, false, errShape
}

func zNullishString(v any, present bool) (any, bool, error) {
	if !present {
		return nil, false, nil
	}
	if v == nil {
		return nil, true, nil
	}
	return zString(v, present)
}

func zDate(v any, present bool) (any, bool, error) {
	if t, ok := v.(time.Time); ok {
		return t, true, nil
	}
	return nil, false, errShape
}

// zDateDefaultNow: absent means new Date() at parse time, which Better Auth
// then reports; authscope reports the zero instant's absence as an error
// instead of inventing a time (see SEMANTICS.md).
func zDateDefault(v any, present bool) (any, bool, error) {
	if !present {
		return nil, false, errShape
	}
	return zDate(v, present)
}

// zCoerceString is z.coerce.string(): String(v).
func zCoerceString(v any, present bool) (any, bool, error) {
	switch v := v.(type) {
	case string:
		return v, true, nil
	case float64:
		return string(appendJSNumber(nil, v)), true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	case nil:
		if !present {
			return "undefined", true, nil
		}
		return "null", true, nil
	}
	return nil, false, errShape
}

func zLowerString(v any, present bool) (any, bool, error) {
	s, ok := v.(string)
	if !ok {
		return nil, false, errShape
	}
	return strings.ToLower(s), true, nil
}

func zBoolDefaultFalse(v any, present bool) (any, bool, error) {
	if !present {
		return false, true, nil
	}
	if b, ok := v.(bool); ok {
		return b, true, nil
	}
	return nil, false, errShape
}

var coreShape = []zodField{{"id", zString}, {"createdAt", zDateDefault}, {"updatedAt", zDateDefault}}

// sessionShape and userShape are @better-auth/core/db's sessionSchema and
// userSchema (coreSchema.extend).
var (
	sessionShape = append(append([]zodField{}, coreShape...),
		zodField{"userId", zCoerceString}, zodField{"expiresAt", zDate}, zodField{"token", zString},
		zodField{"ipAddress", zNullishString}, zodField{"userAgent", zNullishString})
	userShape = append(append([]zodField{}, coreShape...),
		zodField{"email", zLowerString}, zodField{"emailVerified", zBoolDefaultFalse},
		zodField{"name", zString}, zodField{"image", zNullishString})
)

func zodObject(in Object, shape []zodField) (Object, error) {
	out := make(Object, 0, len(in)+2)
	known := make(map[string]bool, len(shape))
	for _, f := range shape {
		known[f.name] = true
		v, present := in.Get(f.name)
		ov, set, err := f.parse(v, present)
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, f.name)
		}
		if set {
			out = append(out, Field{f.name, ov})
		}
	}
	for _, f := range in {
		if !known[f.Name] {
			out = append(out, f)
		}
	}
	return out, nil
}

// msTime converts JavaScript milliseconds to a time.
func msTime(ms float64) time.Time {
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// newUUID is crypto.randomUUID().
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
