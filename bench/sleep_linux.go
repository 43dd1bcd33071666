//go:build linux

package bench

import (
	"syscall"
	"time"
)

// nanosleep sleeps d with the kernel's high-resolution timer, blocking the
// OS thread: far finer than the runtime's timers for sub-millisecond waits.
func nanosleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil) // an early wake-up is caught by the caller's loop
}
