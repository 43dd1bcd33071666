package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// serviceTime is the loopback server's scripted latency in
// TestAgreesWithVegeta. It sleeps rather than spins (a spinning server
// competes for the CPU with both generators), and it is long enough that a
// timer wake-up or a scheduling hiccup of a millisecond or two stays well
// inside the 25% agreement asked.
const serviceTime = 10 * time.Millisecond

// TestAgreesWithVegeta: at a moderate fixed rate against the same loopback
// server, bench's figures agree with what vegeta itself measures (its
// Attacker and Metrics, as `vegeta attack | vegeta report` computes them)
// within 25%. bench/testdata/truthfulness.sh does the same with the vegeta
// CLI. The two run side by side, so both see the same machine.
//
// What is compared like for like: vegeta measures from each request's
// actual send, which is bench's uncorrected latency (p50 and p99). bench's
// corrected latency counts from the intended send time, so it also agrees
// with vegeta only while bench's generator keeps its schedule: its p50
// always, its p99 when bench reports no generator lag (when it does, the
// difference is the lag the correction is there to show).
//
// An overloaded machine (see skipIfOverloaded) cannot measure a 10ms
// latency to 25% truthfully: the test says so and skips instead of
// failing, or passing, on noise.
func TestAgreesWithVegeta(t *testing.T) {
	if raceEnabled {
		// The race detector's instrumentation (several times slower, uneven
		// across goroutines) dominates scheduling; timing accuracy is judged
		// without it. CI's -race run still covers the code paths.
		t.Skip("timing comparison is meaningless under -race")
	}
	skipIfOverloaded(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(serviceTime)
		w.Write([]byte(`{"user":{},"expires":"2030-01-01T00:00:00.000Z"}`))
	}))
	defer srv.Close()
	const rate, dur = 100, 3 * time.Second

	attempt := func() error {
		var m vegeta.Metrics
		vegetaDone := make(chan struct{})
		go func() {
			defer close(vegetaDone)
			atk := vegeta.NewAttacker()
			tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: srv.URL})
			for res := range atk.Attack(tr, vegeta.Rate{Freq: rate, Per: time.Second}, dur, "vegeta") {
				m.Add(res)
			}
			m.Close()
		}()
		rep, err := Execute(t.Context(), Config{Rate: rate, Duration: Duration(dur),
			Scenarios: []ScenarioSpec{{Name: "serve", Mode: "local", Via: ViaHTTP, URL: srv.URL}}}, Targets{})
		<-vegetaDone
		if err != nil {
			return err
		}
		s := rep.Scenarios[0]
		if s.Succeeded != s.Requests || m.Success != 1 {
			return fmt.Errorf("failures: bench %d of %d succeeded, vegeta success %.2f", s.Succeeded, s.Requests, m.Success)
		}
		checks := []struct {
			name       string
			ours, them time.Duration
		}{
			{"uncorrected p50", time.Duration(s.LatencyUncorrectedNs.P50), m.Latencies.P50},
			{"uncorrected p99", time.Duration(s.LatencyUncorrectedNs.P99), m.Latencies.P99},
			{"corrected p50", time.Duration(s.LatencyNs.P50), m.Latencies.P50},
		}
		if !s.GeneratorLagged() {
			checks = append(checks, struct {
				name       string
				ours, them time.Duration
			}{"corrected p99", time.Duration(s.LatencyNs.P99), m.Latencies.P99})
		} else {
			t.Logf("bench's generator lagged (dispatch lag p99 %s): corrected p99 %s not compared", time.Duration(s.DispatchLagNs.P99), time.Duration(s.LatencyNs.P99))
		}
		for _, c := range checks {
			if r := float64(c.ours) / float64(c.them); r < 0.75 || r > 1.25 {
				return fmt.Errorf("%s: bench %s, vegeta %s (ratio %.2f)", c.name, c.ours, c.them, r)
			}
		}
		t.Logf("bench p50 %s p99 %s (uncorrected %s %s); vegeta p50 %s p99 %s", time.Duration(s.LatencyNs.P50), time.Duration(s.LatencyNs.P99),
			time.Duration(s.LatencyUncorrectedNs.P50), time.Duration(s.LatencyUncorrectedNs.P99), m.Latencies.P50, m.Latencies.P99)
		return nil
	}
	// p99 of 300 samples is the third-highest: one burst of contention on
	// a shared machine can still move it, hence a second attempt.
	var err error
	for range 2 {
		if err = attempt(); err == nil {
			return
		}
		t.Log(err)
		skipIfOverloaded(t) // the load may have risen during the attempt
	}
	t.Error(err)
}

// overloadPerCPU is the one-minute load average per CPU above which
// TestAgreesWithVegeta skips. With the 10ms service time it agreed within
// 15% on a shared 2-CPU machine at load 3 to 6 (up to 3 per CPU); beyond 4
// runnable threads per CPU, scheduling delays reach the tens of
// milliseconds the dispatch lag then shows, and the comparison would
// measure the run queue, not the target.
const overloadPerCPU = 4

// skipIfOverloaded skips t when the one-minute load average exceeds
// overloadPerCPU per CPU. Where there is no /proc/loadavg the test runs.
func skipIfOverloaded(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return
	}
	load, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return
	}
	if cpus := runtime.NumCPU(); load > overloadPerCPU*float64(cpus) {
		t.Skipf("machine overloaded (load average %.1f on %d CPUs, above %d per CPU): latency agreement with vegeta cannot be measured truthfully here", load, cpus, overloadPerCPU)
	}
}
