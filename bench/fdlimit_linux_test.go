package bench

import (
	"syscall"
	"testing"
)

// TestRaiseFileLimit: a soft limit lowered after Go's startup raise is put
// back to the hard limit at the start of a run.
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Skip(err)
	}
	if orig.Max < 512 || orig.Max == ^uint64(0) {
		t.Skipf("hard limit %d", orig.Max)
	}
	low := syscall.Rlimit{Cur: orig.Max / 2, Max: orig.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	soft, ok := raiseFileLimit()
	var now syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now)
	if !ok || soft != orig.Max || now.Cur != orig.Max {
		t.Errorf("after raiseFileLimit: soft %d (reported %d, %v), want the hard limit %d", now.Cur, soft, ok, orig.Max)
	}
}
