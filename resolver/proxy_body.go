package resolver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ParseSessionBody parses an Auth.js GET /session body into a Session:
// nil for "no session" (null, or next-auth v4's {}), members kept in order
// with absent and null told apart, so MarshalSessionBody gives the body
// back. Session.User.ID is empty: Auth.js's body does not carry it.
func ParseSessionBody(body []byte) (*Session, error) { return decodeSessionBody(body) }

// decodeSessionBody parses an Auth.js /session body. It returns (nil, nil)
// for "no session": JSON null (Auth.js v5) or {} (next-auth v4). Any other
// body must be a JSON object; "user", when present, must be an object and
// "expires", when present, an ISO-8601 string.
//
// The decoder is token-based rather than map-based so that what a session
// hook added survives a round trip through proxy mode: member order is kept
// (User.Extra, Session.Extra), absent stays distinct from null (Value), and
// numbers stay json.Number.
func decodeSessionBody(body []byte) (*Session, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("empty body")
	}
	if !json.Valid(body) {
		return nil, errors.New("body is not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("decoding body: %w", err)
	}
	if tok == nil {
		return nil, nil // null
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("body is a JSON %T, want an object or null", tok)
	}
	s := &Session{}
	members := 0
	for dec.More() {
		members++
		name, err := memberName(dec)
		if err != nil {
			return nil, err
		}
		switch name {
		case "user":
			if err := decodeUser(dec, &s.User); err != nil {
				return nil, err
			}
		case "expires":
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("decoding expires: %w", err)
			}
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("expires is a %T, want a string", v)
			}
			t, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				return nil, fmt.Errorf("expires: %w", err)
			}
			s.Expires = t
		default:
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			s.Extra = append(s.Extra, Member{Name: name, Value: v})
		}
	}
	if members == 0 {
		return nil, nil // {}: next-auth v4's "no session"
	}
	return s, nil
}

func memberName(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("decoding body: %w", err)
	}
	name, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("decoding body: unexpected %v", tok)
	}
	return name, nil
}

func decodeValue(dec *json.Decoder) (Value, error) {
	var v any
	if err := dec.Decode(&v); err != nil {
		return Value{}, fmt.Errorf("decoding body: %w", err)
	}
	return Of(v), nil
}

func decodeUser(dec *json.Decoder, u *User) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("decoding user: %w", err)
	}
	if tok == nil {
		return nil // "user": null from a custom callback: treated as absent
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("user is %v, want an object", tok)
	}
	for dec.More() {
		name, err := memberName(dec)
		if err != nil {
			return err
		}
		v, err := decodeValue(dec)
		if err != nil {
			return err
		}
		switch name {
		case "name":
			u.Name = v
		case "email":
			u.Email = v
		case "image":
			u.Image = v
		default:
			u.Extra = append(u.Extra, Member{Name: name, Value: v})
		}
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return fmt.Errorf("decoding user: %w", err)
	}
	return nil
}
