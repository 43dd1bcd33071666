package bench

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// HostLoad is what the host did while a probe ran, from the kernel's
// counters (/proc/stat, /proc/self/stat, /proc/loadavg): the evidence that
// a failure was the host's or the generator's rather than the target's.
// Known is false where the counters cannot be read (not Linux).
type HostLoad struct {
	Known bool `json:"known"`
	Cores int  `json:"cores"`
	// StealShare is the share of CPU time the hypervisor gave to other
	// machines (steal) over the probe.
	StealShare float64 `json:"steal_share"`
	// OtherCores is the CPU other processes used over the probe, in cores
	// (host busy time less this process's own); OwnCores is this
	// process's (generator and in-process targets together) and the
	// targets' own processes' (Targets.Processes).
	OtherCores float64 `json:"other_cores"`
	OwnCores   float64 `json:"own_cores"`
	// Load1 is the one-minute load average at the probe's end.
	Load1 float64 `json:"load1"`
	// OwnWaitShare is the share of the time this process's threads (and
	// the targets' processes') were ready to run that they spent waiting
	// for a CPU (the scheduler's run-queue delay, /proc/PID/task/*/schedstat;
	// -1 when unknown).
	// Other processes busy on the host only explain a failure when they
	// delayed this process: when they used CPU it left idle, they did not.
	OwnWaitShare float64 `json:"own_wait_share"`
}

// cpuTicks are cumulative CPU counters in clock ticks.
type cpuTicks struct {
	total, busy, steal, own float64
	cores                   int // the CPUs /proc/stat counts (the ticks' CPUs)
}

// watchHost starts watching the host, counting pids' CPU as this
// process's own; the function it returns stops and reports the load over
// the interval.
func watchHost(pids ...int) func() HostLoad {
	before, ok := readTicks(pids)
	run0, wait0, okS := readSchedstat(pids)
	return func() HostLoad {
		h := HostLoad{Cores: runtime.NumCPU(), Load1: readLoad1(), OwnWaitShare: -1}
		if run1, wait1, ok := readSchedstat(pids); ok && okS && run1+wait1 > run0+wait0 {
			// Threads that ended in between drop out of the sums: clamp.
			h.OwnWaitShare = min(1, max(0, (wait1-wait0)/((run1-run0)+(wait1-wait0))))
		}
		after, ok2 := readTicks(pids)
		if after.cores > 0 {
			h.Cores = after.cores
		}
		d := cpuTicks{total: after.total - before.total, busy: after.busy - before.busy,
			steal: after.steal - before.steal, own: after.own - before.own}
		if !ok || !ok2 || d.total <= 0 {
			return h
		}
		h.Known = true
		h.StealShare = d.steal / d.total
		h.OwnCores = d.own / d.total * float64(h.Cores)
		h.OtherCores = max(0, (d.busy-d.own)/d.total*float64(h.Cores))
		return h
	}
}

// readTicks reads the host's CPU counters (the "cpu" line of /proc/stat:
// user nice system idle iowait irq softirq steal …) and this process's
// with pids' (utime and stime of /proc/PID/stat), all in the same clock
// ticks.
func readTicks(pids []int) (cpuTicks, bool) {
	var t cpuTicks
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return t, false
	}
	v := make([]float64, 8)
	for i := range v {
		if v[i], err = strconv.ParseFloat(f[i+1], 64); err != nil {
			return t, false
		}
	}
	for _, x := range v {
		t.total += x
	}
	for _, l := range strings.Split(string(stat), "\n")[1:] {
		if len(l) > 3 && strings.HasPrefix(l, "cpu") && l[3] >= '0' && l[3] <= '9' {
			t.cores++
		}
	}
	t.steal = v[7]
	// Busy is user, nice and system time. Interrupt and softirq time is
	// left out: on loopback most of it is this process's own traffic,
	// which the kernel does not charge to the process.
	t.busy = v[0] + v[1] + v[2]
	own, ok := procTicks("self")
	if !ok {
		return t, false
	}
	for _, pid := range pids {
		// A process that ended drops out: its last ticks are lost to the
		// interval, which then reads its CPU as the neighbours'.
		c, _ := procTicks(strconv.Itoa(pid))
		own += c
	}
	t.own = own
	return t, true
}

// procTicks is a process's utime and stime (/proc/PID/stat).
func procTicks(pid string) (float64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count fields after its closing one. utime and stime are fields 14, 15.
	s := string(b)
	rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(rest) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseFloat(rest[11], 64)
	st, err2 := strconv.ParseFloat(rest[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return ut + st, true
}

// readSchedstat sums the time this process's threads, and pids', spent on
// a CPU and waiting on a run queue (ns; the first two fields of each
// /proc/PID/task/*/schedstat).
func readSchedstat(pids []int) (run, wait float64, ok bool) {
	run, wait, ok = taskSchedstat("self")
	if !ok {
		return 0, 0, false
	}
	for _, pid := range pids {
		r, w, _ := taskSchedstat(strconv.Itoa(pid))
		run, wait = run+r, wait+w
	}
	return run, wait, true
}

// taskSchedstat is readSchedstat for one process.
func taskSchedstat(pid string) (run, wait float64, ok bool) {
	dir, err := os.ReadDir("/proc/" + pid + "/task")
	if err != nil {
		return 0, 0, false
	}
	for _, e := range dir {
		b, err := os.ReadFile("/proc/" + pid + "/task/" + e.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return 0, 0, false
		}
		r, err1 := strconv.ParseFloat(f[0], 64)
		w, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			return 0, 0, false
		}
		run, wait, ok = run+r, wait+w, true
	}
	return run, wait, ok
}

// readLoad1 returns the one-minute load average (0 when unknown).
func readLoad1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// calmLook is the window over which waitCalm judges the host.
const calmLook = 200 * time.Millisecond

// waitCalm waits, at most most, until other processes (not this one, nor
// pids) kept less than bound of the host's cores busy over a calmLook
// window, and returns how long it waited. Where the counters cannot be
// read it does not wait.
func waitCalm(ctx context.Context, bound Share, most time.Duration, pids ...int) (time.Duration, error) {
	start := time.Now()
	for {
		look := watchHost(pids...)
		t := time.NewTimer(calmLook)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Since(start), ctx.Err()
		case <-t.C:
		}
		h := look()
		if !h.Known || h.Cores == 0 || h.OtherCores < float64(bound)*float64(h.Cores) || time.Since(start) >= most {
			return time.Since(start), nil
		}
	}
}
