// Package redisscan is the one walk both Redis session stores (Auth.js's
// unstorage/upstash layouts and Better Auth's secondaryStorage) browse
// with: Redis has no secondary index in either layout, so listing sessions
// SCANs the keys under a prefix in bounded batches and MGETs each batch.
// It knows nothing of sessions; each store parses the values it is given.
package redisscan

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Batch is SCAN's COUNT hint and the MGET batch size.
const Batch = 1000

// globEscaper escapes the characters SCAN's MATCH gives a meaning.
var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)

// EscapeGlob makes s match itself in a SCAN MATCH pattern.
func EscapeGlob(s string) string { return globEscaper.Replace(s) }

// Values SCANs the keys matching pattern, leaves out those skip names
// (nil: none), MGETs the rest Batch at a time and calls each with every
// key whose value still exists (one deleted between SCAN and MGET is
// passed over). The first error of SCAN or MGET ends the walk.
func Values(ctx context.Context, rdb redis.Cmdable, pattern string, skip func(key string) bool, each func(key, value string)) error {
	iter := rdb.Scan(ctx, 0, pattern, Batch).Iterator()
	keys := make([]string, 0, Batch)
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		vals, err := rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if s, ok := v.(string); ok {
				each(keys[i], s)
			}
		}
		keys = keys[:0]
		return nil
	}
	for iter.Next(ctx) {
		if k := iter.Val(); skip == nil || !skip(k) {
			if keys = append(keys, k); len(keys) == Batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return flush()
}
