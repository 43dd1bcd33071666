//go:build linux

package bench

import (
	"os"
	"syscall"
)

// raiseFileLimit raises the soft RLIMIT_NOFILE to the hard limit when it is
// below hard−1 (Go's own startup setting, kept so that child processes get
// the original limit back) and returns the soft limit now in force.
func raiseFileLimit() (soft uint64, ok bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	if lim.Max != ^uint64(0) && lim.Cur+1 < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	return lim.Cur, true
}

// openFiles counts the process's open descriptors (0 when unknown).
func openFiles() uint64 {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0
	}
	return uint64(len(names))
}
