package benchtarget

import (
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
)

// Population collects a strategy's Cookie header values for load runs:
// each live session's cookie comes with a tampered twin.
type Population struct {
	Name string // the session cookie's name
	bench.StaticPopulation
}

func (p *Population) Add(token string, expired bool) {
	if expired {
		p.Expired = append(p.Expired, p.Name+"="+token)
		return
	}
	p.Valid = append(p.Valid, p.Name+"="+token)
	p.Tampered = append(p.Tampered, p.Name+"="+Tamper(token))
}

// Tamper alters a token so that it no longer resolves: a JWE gets one
// character in the middle of its ciphertext flipped (its integrity check
// fails); a database token its last character (a session no store holds,
// still in the token's alphabet).
func Tamper(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) == 5 && len(parts[3]) > 0 {
		ct := []byte(parts[3])
		i := len(ct) / 2
		if ct[i] == 'A' {
			ct[i] = 'B'
		} else {
			ct[i] = 'A'
		}
		parts[3] = string(ct)
		return strings.Join(parts, ".")
	}
	if tok == "" {
		return "x"
	}
	last := byte('a')
	if tok[len(tok)-1] == last {
		last = 'b'
	}
	return tok[:len(tok)-1] + string(last)
}

// MintPopulation mints n Auth.js session cookies: valid ones, the
// same people's cookies expired an hour ago, and valid ones with a byte of
// ciphertext altered.
func MintPopulation(c *resolver.Codec, cfg resolver.Config, n int, now time.Time) (bench.StaticPopulation, error) {
	p := Population{Name: c.CookieName()}
	for i := range n {
		claims := resolver.Claims{
			"sub":   fmt.Sprintf("bench-user-%d", i),
			"name":  fmt.Sprintf("Bench User %d", i),
			"email": fmt.Sprintf("user%d@example.com", i),
		}
		valid, err := c.Encode(claims, now, cfg.MaxAge)
		if err != nil {
			return p.StaticPopulation, fmt.Errorf("minting the population: %w", err)
		}
		expired, err := c.Encode(claims, now.Add(-cfg.MaxAge-time.Hour), cfg.MaxAge)
		if err != nil {
			return p.StaticPopulation, fmt.Errorf("minting the population: %w", err)
		}
		p.Add(valid, false)
		p.Add(expired, true)
	}
	return p.StaticPopulation, nil
}
