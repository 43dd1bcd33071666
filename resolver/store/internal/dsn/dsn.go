// Package dsn holds what the stores share about connection strings and
// their errors: the malformed-DSN sentinel (so that callers can tell a
// usage error from a store that is down) and the collapsing of drivers'
// multi-line errors into one line.
package dsn

import (
	"errors"
	"strings"
)

// ErrBad marks a connection string that cannot be parsed or names no
// usable store (re-exported as store.ErrBadDSN). It is a usage error:
// retrying will not help.
var ErrBad = errors.New("malformed DSN")

// OneLine returns err with its message on a single line: pgx lists one
// dial error per address on its own indented line. The lines are joined
// with "; " and nothing is dropped; errors.Is/As still see the original.
func OneLine(err error) error {
	if err == nil || !strings.ContainsAny(err.Error(), "\r\n") {
		return err
	}
	return oneLine{err}
}

type oneLine struct{ err error }

func (e oneLine) Error() string {
	var parts []string
	for _, l := range strings.FieldsFunc(e.err.Error(), func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, strings.TrimSuffix(l, ":"))
		}
	}
	return strings.Join(parts, "; ")
}

func (e oneLine) Unwrap() error { return e.err }
