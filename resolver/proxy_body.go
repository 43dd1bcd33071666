package resolver

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// ParseSessionBody parses an Auth.js GET /session body into a Session:
// nil for "no session" (null, or next-auth v4's {}), members kept in order
// with absent and null told apart, so MarshalSessionBody gives the body
// back. Session.User.ID is empty: Auth.js's body does not carry it.
func ParseSessionBody(body []byte) (*Session, error) { return decodeSessionBody(body) }

// decodeSessionBody parses an Auth.js /session body. It returns (nil, nil)
// for "no session": JSON null (Auth.js v5) or {} (next-auth v4). Any other
// body must be a JSON object; "user", when present, must be an object (or
// null, read as absent) and "expires", when present, an ISO-8601 string.
//
// It uses the package's JavaScript-faithful JSON reader (jsjson_decode.go)
// so that what a session hook added survives a round trip through proxy
// mode exactly as JSON.parse then JSON.stringify would treat it: member
// order (including V8's hoisting of array-index keys and last-wins
// duplicates), absent distinct from null, numbers as written.
func decodeSessionBody(body []byte) (*Session, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	v, err := js.ParseOrdered(string(body))
	if err != nil {
		return nil, fmt.Errorf("body is not valid JSON: %w", err)
	}
	if v == nil {
		return nil, nil // null
	}
	obj, ok := v.(*js.Object)
	if !ok {
		return nil, fmt.Errorf("body is a JSON %T, want an object or null", v)
	}
	if len(obj.Keys) == 0 {
		return nil, nil // {}: next-auth v4's "no session"
	}
	s := &Session{}
	for i, name := range obj.Keys {
		val := obj.Vals[i]
		switch name {
		case "user":
			if val == nil {
				continue // "user": null from a custom callback: treated as absent
			}
			u, ok := val.(*js.Object)
			if !ok {
				return nil, fmt.Errorf("user is a JSON %T, want an object", val)
			}
			for j, k := range u.Keys {
				uv := Of(u.Vals[j])
				switch k {
				case "name":
					s.User.Name = uv
				case "email":
					s.User.Email = uv
				case "image":
					s.User.Image = uv
				default:
					s.User.Extra = append(s.User.Extra, Member{Name: k, Value: uv})
				}
			}
		case "expires":
			str, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("expires is a JSON %T, want a string", val)
			}
			t, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				return nil, fmt.Errorf("expires: %w", err)
			}
			s.Expires = t
		default:
			s.Extra = append(s.Extra, Member{Name: name, Value: Of(val)})
		}
	}
	return s, nil
}
