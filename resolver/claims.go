package resolver

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
	"github.com/authscope/authscope/resolver/internal/jwe"
)

// Claims validation, as jose's validateClaimsSet and jwtDecrypt do it with
// Auth.js's options (clockTolerance 15, nothing required):
//
//   - the payload is strict UTF-8 (a leading BOM is dropped) holding a
//     JSON object, else the token is invalid (next-auth v4's jose 4
//     replaces invalid UTF-8 with U+FFFD instead);
//   - now = floor(unix seconds);
//   - iat, if present, must be a number (only its type is checked);
//   - nbf, if present, must be a number and not > now + 15;
//   - exp, if present, must be a number and expired iff exp <= now - 15
//     (fractions are fine; a token without exp never expires);
//   - then each of iss, sub present in the protected header must be
//     strictly equal (===) to the payload's, and aud's JSON.stringify forms
//     must be equal.
//
// The checks run in jose's order, so the Reason names the first failure.

// ClaimError describes a rejected claim. It never contains claim values.
type ClaimError struct {
	Claim  string // "iat", "nbf", "exp", "iss", "sub", "aud" or "" for the payload
	Reason Reason
	Msg    string
}

func (e *ClaimError) Error() string {
	if e.Claim == "" {
		return "jwt: " + e.Msg
	}
	return fmt.Sprintf("jwt: %q claim %s", e.Claim, e.Msg)
}

// tolerance is Auth.js's clockTolerance in seconds.
const toleranceSeconds = 15

// parseClaims decodes and validates the payload text. lenient selects
// jose 4's (next-auth v4) non-fatal UTF-8 decoding.
func parseClaims(text string, h jwe.Header, now time.Time, lenient bool) (Claims, Reason, error) {
	text = stripBOMString(text)
	if lenient {
		text = js.DecodeUTF8Lenient(text)
	}
	m, err := js.ParseObjectText(text)
	if err != nil {
		return nil, ReasonClaims, &ClaimError{Reason: ReasonClaims, Msg: "claims set must be a top-level JSON object"}
	}
	c := Claims(m)
	if _, _, err := numericClaim(c, "iat"); err != nil {
		return nil, ReasonClaims, err
	}
	var w timeWindow
	if w.nbf, w.hasNbf, err = numericClaim(c, "nbf"); err != nil {
		return nil, ReasonClaims, err
	}
	if reason, err := w.checkNbf(now); err != nil {
		return nil, reason, err
	}
	if w.exp, w.hasExp, err = numericClaim(c, "exp"); err != nil {
		return nil, ReasonClaims, err
	}
	if reason, err := w.checkExp(now); err != nil {
		return nil, reason, err
	}
	if iss, ok := h.Iss(); ok && !strictEqualRaw(iss, c, "iss") {
		return nil, ReasonClaims, &ClaimError{Claim: "iss", Reason: ReasonClaims, Msg: "header parameter mismatch"}
	}
	if sub, ok := h.Sub(); ok && !strictEqualRaw(sub, c, "sub") {
		return nil, ReasonClaims, &ClaimError{Claim: "sub", Reason: ReasonClaims, Msg: "header parameter mismatch"}
	}
	if aud, ok := h.Aud(); ok && !stringifyEqual(aud, text) {
		return nil, ReasonClaims, &ClaimError{Claim: "aud", Reason: ReasonClaims, Msg: "header parameter mismatch"}
	}
	return c, ReasonOK, nil
}

// timeWindow is what of a claims set depends on the clock: its numeric
// nbf and exp. The token memo (jwt_memo.go) keeps it with the claims and
// runs the same checks, so a remembered token expires exactly when a
// decoded one would.
type timeWindow struct {
	nbf, exp       float64
	hasNbf, hasExp bool
}

// checkNbf is jose's "nbf" check with Auth.js's clock tolerance.
func (w timeWindow) checkNbf(now time.Time) (Reason, error) {
	if w.hasNbf && w.nbf > float64(floorUnix(now))+toleranceSeconds {
		return ReasonNotYet, &ClaimError{Claim: "nbf", Reason: ReasonNotYet, Msg: "timestamp check failed"}
	}
	return ReasonOK, nil
}

// checkExp is jose's "exp" check with Auth.js's clock tolerance.
func (w timeWindow) checkExp(now time.Time) (Reason, error) {
	if w.hasExp && w.exp <= float64(floorUnix(now))-toleranceSeconds {
		return ReasonExpired, &ClaimError{Claim: "exp", Reason: ReasonExpired, Msg: "timestamp check failed"}
	}
	return ReasonOK, nil
}

// check is checkNbf then checkExp, in parseClaims's order.
func (w timeWindow) check(now time.Time) (Reason, error) {
	if reason, err := w.checkNbf(now); err != nil {
		return reason, err
	}
	return w.checkExp(now)
}

func stripBOMString(s string) string {
	if len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
		return s[3:]
	}
	return s
}

// notAfter is the first instant at which parseClaims rejects c as expired
// (exp <= floor(now) - tolerance), or zero when c has no numeric exp.
func notAfter(c Claims) time.Time {
	exp, ok, err := numericClaim(c, "exp")
	if !ok || err != nil || math.IsNaN(exp) || math.IsInf(exp, 0) || math.Abs(exp) > 1e11 {
		return time.Time{}
	}
	return time.Unix(int64(math.Ceil(exp+toleranceSeconds)), 0)
}

// floorUnix is Math.floor(Date.now()/1000).
func floorUnix(t time.Time) int64 {
	ms := t.UnixMilli()
	if ms < 0 && ms%1000 != 0 {
		return ms/1000 - 1
	}
	return ms / 1000
}

// numericClaim returns the claim as a float64 when present; a present
// non-number is an error (typeof value !== "number").
func numericClaim(c Claims, name string) (float64, bool, error) {
	v, ok := c[name]
	if !ok {
		return 0, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, false, &ClaimError{Claim: name, Reason: ReasonClaims, Msg: "must be a number"}
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && !js.IsRangeErr(err) {
		return 0, false, &ClaimError{Claim: name, Reason: ReasonClaims, Msg: "must be a number"}
	}
	return f, true, nil // 1e400 is Infinity in JS too
}

// strictEqualRaw is header[claim] === payload[claim] for a raw header
// value: primitives compare by value (numbers as doubles), objects and
// arrays never equal (distinct references), an absent payload claim is
// undefined.
func strictEqualRaw(raw string, c Claims, name string) bool {
	v, present := c[name]
	if !present {
		return false
	}
	hv, err := js.ParseOrdered(raw)
	if err != nil {
		return false
	}
	switch x := hv.(type) {
	case nil:
		return v == nil
	case bool:
		y, ok := v.(bool)
		return ok && x == y
	case string:
		y, ok := v.(string)
		return ok && x == y
	case json.Number:
		y, ok := v.(json.Number)
		if !ok {
			return false
		}
		fx, _ := strconv.ParseFloat(string(x), 64)
		fy, _ := strconv.ParseFloat(string(y), 64)
		return fx == fy
	}
	return false
}

// stringifyEqual is JSON.stringify(header.aud) === JSON.stringify(payload.aud).
func stringifyEqual(rawHeaderAud, payloadText string) bool {
	hv, err := js.ParseOrdered(rawHeaderAud)
	if err != nil {
		return false
	}
	pv, err := js.ParseOrdered(payloadText)
	if err != nil {
		return false
	}
	obj, ok := pv.(*js.Object)
	if !ok {
		return false
	}
	for i, k := range obj.Keys {
		if k == "aud" {
			return string(appendJSValue(nil, hv)) == string(appendJSValue(nil, obj.Vals[i]))
		}
	}
	return false // payload aud undefined: stringify gives undefined
}
