package store

import (
	"net/url"
	"regexp"
	"strings"
)

var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// Redact returns the DSN with any password replaced, for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		// Not a URL: a keyword/value string (password=…) or something
		// unparsable; mask what could be a password.
		dsn = kvPassword.ReplaceAllString(dsn, "${1}•••")
		if i := strings.LastIndex(dsn, "@"); i >= 0 && strings.Contains(dsn[:i], "://") {
			return dsn[:strings.Index(dsn, "://")+3] + "•••" + dsn[i:]
		}
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
