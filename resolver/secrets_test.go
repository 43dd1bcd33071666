package resolver_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

func TestSecretsFromEnvOrder(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"AUTH_SECRET": "a"}, []string{"a"}},
		{map[string]string{"AUTH_SECRET": "a", "AUTH_SECRET_1": "b"}, []string{"b", "a"}},
		{map[string]string{"AUTH_SECRET_1": "b", "AUTH_SECRET_3": "d", "AUTH_SECRET": "a"}, []string{"d", "b", "a"}},
		{map[string]string{"AUTH_SECRET_2": "", "AUTH_SECRET": "a"}, []string{"a"}},
		{nil, nil},
	} {
		got := resolver.SecretsFromEnv(func(k string) string { return tc.env[k] })
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%v: (-want +got)\n%s", tc.env, diff)
		}
	}
}
