// Package recentapi is the wire format of serve's recent-sessions endpoint,
// GET /_authscope/recent: the one definition the server (internal/server)
// encodes and the terminal app's from-serve source decodes, so the two
// cannot drift apart.
//
// The endpoint lists the JWT session cookies a serve instance answered
// most recently, most recent first, behind the same bearer secret as
// invalidation: its tokens are live credentials. It imports only resolver
// (for the Reason type).
package recentapi

import (
	"time"

	"github.com/authscope/authscope/resolver"
)

// Path is where serve answers the list.
const Path = "/_authscope/recent"

// Reply is the endpoint's body.
type Reply struct {
	CookieName string  `json:"cookie_name"`
	Capacity   int     `json:"capacity"`
	Sessions   []Entry `json:"sessions"`
}

// Entry is one session cookie serve saw.
type Entry struct {
	Token     string          `json:"token"`
	FirstSeen time.Time       `json:"first_seen"`
	LastSeen  time.Time       `json:"last_seen"`
	Requests  int             `json:"requests"`
	Reason    resolver.Reason `json:"last_reason"`
}
