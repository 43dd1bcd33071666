//go:build !linux

package bench

// raiseFileLimit is a no-op off Linux: Go raises the limit at startup on
// Unix, and runs are not bounded by it there.
func raiseFileLimit() (soft uint64, ok bool) { return 0, false }

func openFiles() uint64 { return 0 }
