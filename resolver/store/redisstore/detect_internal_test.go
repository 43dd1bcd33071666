package redisstore

import (
	"slices"
	"testing"
)

func TestPrefixesIn(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want []string
	}{
		{nil, []string{}},
		{[]string{"user:session:abc", "user:1", "user:session:by-user-id:1"}, []string{""}},
		{[]string{"app:user:session:abc", "app:user:session:by-user-id:9", "other"}, []string{"app:"}},
		{[]string{"a:user:session:x", "b:user:session:y", "user:session:z"}, []string{"", "a:", "b:"}},
		// "user:session:" with nothing after it is not a session key.
		{[]string{"app:user:session:"}, []string{}},
	} {
		if got := prefixesIn(c.keys); !slices.Equal(got, c.want) {
			t.Errorf("prefixesIn(%q) = %q, want %q", c.keys, got, c.want)
		}
	}
}
