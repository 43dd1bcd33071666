package betterauth

import (
	"errors"

	"github.com/authscope/authscope/resolver/internal/js"
)

var errJSON = errors.New("json: invalid")

// parseJSON is JSON.parse keeping member order (V8's: integer-like keys
// first, then insertion order; a repeated key keeps its first position and
// its last value). With revive, ISO date strings become time.Time as
// safeJSONParse's reviver makes them Dates.
func parseJSON(data []byte, revive bool) (any, error) {
	v, err := js.ParseOrdered(string(data))
	if err != nil {
		return nil, errJSON
	}
	return fromJS(v, revive), nil
}

// SafeJSONParse is Better Auth's safeJSONParse: JSON.parse keeping member
// order (objects as Object), ISO 8601 date strings revived as time.Time.
func SafeJSONParse(data []byte) (any, error) { return parseJSON(data, true) }
