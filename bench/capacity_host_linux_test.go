//go:build linux

package bench

import (
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestWatchHostReadsRunQueueWait: on Linux the probe's host evidence
// includes this process's run-queue wait share, a fraction.
func TestWatchHostReadsRunQueueWait(t *testing.T) {
	run, _, ok := readSchedstat(nil)
	if !ok || run <= 0 {
		t.Skipf("schedstat not readable here (run %v, ok %v)", run, ok)
	}
	done := watchHost()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	h := done()
	if !h.Known || h.OwnWaitShare < 0 || h.OwnWaitShare > 1 {
		t.Errorf("host %+v: want a known wait share in [0, 1]", h)
	}
}

// TestWatchHostCountsTargetProcesses: a target's own process (a built-in
// upstream run as a child) is counted with this process, not as a
// neighbour: the same busy child over the same interval is OtherCores to
// a watch that does not know it and OwnCores to one that does.
func TestWatchHostCountsTargetProcesses(t *testing.T) {
	spin := exec.Command("sh", "-c", "while :; do :; done")
	if err := spin.Start(); err != nil {
		t.Skipf("no shell to spin: %v", err)
	}
	defer func() { _ = spin.Process.Kill(); _ = spin.Wait() }()
	pid := spin.Process.Pid
	before, _ := procTicks(strconv.Itoa(pid))
	blind, knowing := watchHost(), watchHost(pid)
	time.Sleep(400 * time.Millisecond)
	hb, hk := blind(), knowing()
	after, ok := procTicks(strconv.Itoa(pid))
	if !ok || !hb.Known || !hk.Known {
		t.Skip("the host's counters are not readable here")
	}
	// The child's own share of a core over the interval (ticks are 10ms).
	child := (after - before) / 100 / 0.4
	if child < 0.3 {
		t.Skipf("the spinning child got %.2f of a core: too busy a host to tell", child)
	}
	if hk.OwnCores < hb.OwnCores+0.2 || hk.OtherCores > hb.OtherCores-0.2 {
		t.Fatalf("child at %.2f cores: knowing own %.2f other %.2f, blind own %.2f other %.2f",
			child, hk.OwnCores, hk.OtherCores, hb.OwnCores, hb.OtherCores)
	}
}
