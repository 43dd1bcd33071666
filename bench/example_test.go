package bench_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
)

// Compare two in-process targets side by side: the same schedule and
// cookie population, one fresh vegeta attacker each.
func ExampleExecute() {
	local := bench.TargetFunc(func(ctx context.Context, cookie string) (bench.Outcome, error) {
		if cookie == "" {
			return bench.Outcome{Reason: "no_cookie"}, nil
		}
		return bench.Outcome{Reason: "session"}, nil
	})
	proxy := bench.TargetFunc(func(ctx context.Context, cookie string) (bench.Outcome, error) {
		time.Sleep(time.Millisecond) // the upstream hop
		out, err := local(ctx, cookie)
		out.Upstream = true
		return out, err
	})
	cfg := bench.Config{
		Rate: 500, Duration: bench.Duration(time.Minute), MaxRequests: 100, // the cap ends it, however busy the machine
		Population: bench.PopulationConfig{Sessions: 3, NoCookie: 0.2},
		Scenarios: []bench.ScenarioSpec{
			{Name: "local", Mode: "local", Strategy: "jwt"},
			{Name: "proxy", Mode: "proxy", Strategy: "jwt"},
		},
	}
	pop := bench.StaticPopulation{Valid: []string{"authjs.session-token=a", "authjs.session-token=b", "authjs.session-token=c"}}
	rep, err := bench.Execute(context.Background(), cfg, bench.Targets{
		InProc:     map[string]bench.Target{"local": local, "proxy": proxy},
		Population: pop,
	})
	if err != nil {
		panic(err)
	}
	for _, s := range rep.Scenarios {
		fmt.Printf("%s: %d requests, %d upstream calls, sessions %v\n",
			s.Name, s.Requests, s.UpstreamCalls, s.Reasons["session"] > 60)
	}
	// Only a lower bound is certain on a busy machine: the proxy's p50
	// includes its 1 ms hop. (How fast local is depends on the box.)
	fmt.Println("proxy p50 includes the hop:", rep.Scenarios[1].LatencyNs.P50 >= int64(time.Millisecond))
	var table strings.Builder
	_ = bench.WriteTable(&table, rep)
	fmt.Println(strings.Contains(table.String(), "p50 vs local"))
	// Output:
	// local: 100 requests, 0 upstream calls, sessions true
	// proxy: 100 requests, 100 upstream calls, sessions true
	// proxy p50 includes the hop: true
	// true
}

// Schedules are data: steps and linear ramps, in a compact text form.
func ExampleParseSchedule() {
	s, err := bench.ParseSchedule("30s@500,1m@500->2000,30s@2000")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Total(), len(s), s[1].To)
	// Output: 2m0s 3 2000/s
}
