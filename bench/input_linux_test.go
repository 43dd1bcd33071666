package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFilesStopOnCancel: a read blocked on a FIFO whose writer sends
// part of a report and then nothing (a stuck producer, or `report
// <(endless)`) ends when the context does.
func TestReadFilesStopOnCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "r.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	defer close(done)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // blocks until the reader opens
		if err != nil {
			return
		}
		defer w.Close() // kept open until the test ends: the reader waits for more
		w.Write([]byte(`{"version": 1, "scenarios": [`))
		cancel()
		<-done
	}()
	_, err := ReadReportFile(ctx, fifo)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the read stopped by the cancel", err)
	}
}
