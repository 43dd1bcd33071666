package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The Redis adapters (@auth/unstorage-adapter, @auth/upstash-redis-adapter)
// write one key layout; what differs between deployments is the
// baseKeyPrefix in front of it. Auto-detection (--schema auto with no
// --prefix) therefore looks for that layout's session keys and reads the
// prefix off them.

// Layouts are the --schema names of the Redis key layout: the two adapters
// write the same keys. Either name skips detection and uses the prefix as
// given (none included).
var layouts = []string{"unstorage", "upstash"}

// PresetNames lists the Redis layout names, sorted.
func PresetNames() []string { return append([]string(nil), layouts...) }

// detectScanKeys bounds detection: SCAN examines about this many keys
// (COUNT 1000 per call), so opening a large Redis stays quick.
const detectScanKeys = 10_000

const sessionInfix = "user:session:"

// keyPrefix is the baseKeyPrefix of a session key (or of a
// user:session:by-user-id: index key): what precedes "user:session:".
func keyPrefix(key string) (string, bool) {
	i := strings.Index(key, sessionInfix)
	if i < 0 || len(key) == i+len(sessionInfix) {
		return "", false
	}
	return key[:i], true
}

// prefixesIn returns the distinct prefixes of the session keys, sorted.
func prefixesIn(keys []string) []string {
	seen := map[string]bool{}
	for _, k := range keys {
		if p, ok := keyPrefix(k); ok {
			seen[p] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// detectPrefix SCANs (bounded) for session keys and picks the one prefix
// they share. none is the answer when there are no session keys at all
// (seeding an empty Redis); without it that is an error too.
func detectPrefix(ctx context.Context, rdb *redis.Client, allowNone bool) (string, error) {
	var keys []string
	var cursor uint64
	for examined := 0; examined < detectScanKeys; examined += 1000 {
		batch, next, err := rdb.Scan(ctx, cursor, "*"+sessionInfix+"*", 1000).Result()
		if err != nil {
			return "", fmt.Errorf("detect the key layout: %w", err)
		}
		keys = append(keys, batch...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	prefixes := prefixesIn(keys)
	switch {
	case len(prefixes) == 1:
		return prefixes[0], nil
	case len(prefixes) == 0 && allowNone:
		return "", nil
	case len(prefixes) == 0:
		return "", errors.New("no Auth.js session keys in this Redis database: looked for <prefix>user:session:<token> (@auth/unstorage-adapter, @auth/upstash-redis-adapter) in the first " +
			strconv.Itoa(detectScanKeys) + " keys; give the adapter's baseKeyPrefix with --prefix, or --schema unstorage for none")
	}
	quoted := make([]string, len(prefixes))
	for i, p := range prefixes {
		quoted[i] = strconv.Quote(p)
	}
	return "", fmt.Errorf("several Auth.js key prefixes in this Redis database: %s (keys <prefix>user:session:<token>); pick one with --prefix (or --schema unstorage for none)", strings.Join(quoted, ", "))
}
