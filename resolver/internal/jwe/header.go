package jwe

import (
	"strings"
	"unicode/utf8"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Header holds the protected header members the decoder looks at, as
// raw JSON value texts (last duplicate wins, as JSON.parse does). The
// members a JWT replicates from its claims (iss, sub, aud) are readable so
// the caller can check them against the payload, as jose's jwtDecrypt does.
type Header struct {
	alg, enc, kid, zip, crit, iss, sub, aud string
	has                                     uint8 // bit set per member
}

const (
	hAlg uint8 = 1 << iota
	hEnc
	hKid
	hZip
	hCrit
	hIss
	hSub
	hAud
)

// Iss returns the raw JSON text of the "iss" member and whether it is present.
func (h Header) Iss() (raw string, ok bool) { return h.iss, h.has&hIss != 0 }

// Sub returns the raw JSON text of the "sub" member and whether it is present.
func (h Header) Sub() (raw string, ok bool) { return h.sub, h.has&hSub != 0 }

// Aud returns the raw JSON text of the "aud" member and whether it is present.
func (h Header) Aud() (raw string, ok bool) { return h.aud, h.has&hAud != 0 }

// parseHeader is JSON.parse + isObject over the decoded header text,
// recording the members of interest without allocating.
func parseHeader(text string) (Header, error) {
	var h Header
	if !utf8.ValidString(text) {
		return h, errHeader
	}
	s := text
	i := js.SkipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return h, errHeader
	}
	i = js.SkipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		if js.SkipWS(s, i+1) != len(s) {
			return h, errHeader
		}
		return h, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return h, errHeader
		}
		end, esc, err := js.ScanString(s, i)
		if err != nil {
			return h, errHeader
		}
		key := s[i+1 : end-1]
		if esc {
			key = js.Unquote(key) // rare: only escaped member names allocate
		}
		i = js.SkipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return h, errHeader
		}
		vStart := js.SkipWS(s, i+1)
		vEnd, err := js.SkipValue(s, vStart, 1)
		if err != nil {
			return h, errHeader
		}
		raw := s[vStart:vEnd]
		switch key {
		case "alg":
			h.alg, h.has = raw, h.has|hAlg
		case "enc":
			h.enc, h.has = raw, h.has|hEnc
		case "kid":
			h.kid, h.has = raw, h.has|hKid
		case "zip":
			h.zip, h.has = raw, h.has|hZip
		case "crit":
			h.crit, h.has = raw, h.has|hCrit
		case "iss":
			h.iss, h.has = raw, h.has|hIss
		case "sub":
			h.sub, h.has = raw, h.has|hSub
		case "aud":
			h.aud, h.has = raw, h.has|hAud
		}
		i = js.SkipWS(s, vEnd)
		if i >= len(s) {
			return h, errHeader
		}
		if s[i] == '}' {
			if js.SkipWS(s, i+1) != len(s) {
				return h, errHeader
			}
			return h, nil
		}
		if s[i] != ',' {
			return h, errHeader
		}
		i = js.SkipWS(s, i+1)
	}
}

// stringValue returns the string a raw JSON value denotes, if it is a
// string. Escape-free strings are returned without allocating.
func stringValue(raw string) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body, true
	}
	return js.Unquote(body), true
}
