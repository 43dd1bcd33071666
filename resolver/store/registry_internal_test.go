package store

import (
	"errors"
	"strings"
	"testing"
)

// TestOpenWithoutDriver: a known scheme whose driver is not linked in
// names the import that links it, and is not a bad-DSN usage error.
func TestOpenWithoutDriver(t *testing.T) {
	registry.Lock()
	saved := registry.drivers
	registry.drivers = map[string]Driver{}
	registry.Unlock()
	t.Cleanup(func() {
		registry.Lock()
		registry.drivers = saved
		registry.Unlock()
	})
	for dsn, label := range map[string]string{"postgres://h/db": "postgres://", "sqlite:a.db": "sqlite:", "rediss://h": "rediss://"} {
		_, err := Open(t.Context(), dsn, Options{})
		if !errors.Is(err, ErrNoDriver) || errors.Is(err, ErrBadDSN) {
			t.Errorf("%s: %v, want ErrNoDriver", dsn, err)
			continue
		}
		want := "store: no driver for " + label + " linked in; import github.com/authscope/authscope/resolver/store/all"
		if err.Error() != want {
			t.Errorf("%s: %q, want %q", dsn, err, want)
		}
		if strings.Contains(err.Error(), "h/db") {
			t.Errorf("%s: error quotes the DSN", dsn)
		}
	}
	if k, err := KindOf("postgresql://x"); err != nil || k != KindPostgres {
		t.Errorf("KindOf without drivers = %q, %v", k, err)
	}
}
