//go:build linux

package bench

import (
	"syscall"
	"time"
)

// nanosleep sleeps d with the kernel's high-resolution timer, blocking the
// OS thread: far finer than the runtime's timers for sub-millisecond waits.
//
// The thread's timer slack is set to 1 ns first: Linux lets a sleeping
// thread wake up to 50 µs late by default (to batch wake-ups), which the
// pacer would have to spin away. It is per thread and this goroutine may
// run on any, so it is set on each call; prctl is a cheap raw syscall.
func nanosleep(d time.Duration) {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil) // an early wake-up is caught by the caller's loop
}

// prSetTimerSlack is PR_SET_TIMERSLACK (linux/prctl.h).
const prSetTimerSlack = 29
