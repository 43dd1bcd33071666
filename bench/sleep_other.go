//go:build !linux

package bench

import "time"

// nanosleep falls back to time.Sleep where there is no nanosleep.
func nanosleep(d time.Duration) { time.Sleep(d) }
