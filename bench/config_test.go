package bench

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSchedule(t *testing.T) {
	got, err := ParseSchedule("30s@500, 1m@500->2000,10s@0")
	if err != nil {
		t.Fatal(err)
	}
	want := Schedule{
		{Duration: Duration(30 * time.Second), Rate: 500},
		{Duration: Duration(time.Minute), Rate: 500, To: 2000},
		{Duration: Duration(10 * time.Second), Rate: 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("schedule (-want +got):\n%s", diff)
	}
	if s := got.String(); s != "30s@500,1m0s@500->2000,10s@0" {
		t.Errorf("String = %q", s)
	}
	if got.Total() != 100*time.Second {
		t.Errorf("Total = %s", got.Total())
	}
	for _, bad := range []string{"30s", "x@5", "30s@-1", "-1s@5", "30s@5->x", "0s@5"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q): no error", bad)
		}
	}
}

func TestScheduleJSONForms(t *testing.T) {
	var a, b struct{ S Schedule }
	if err := json.Unmarshal([]byte(`{"S":"10s@100,5s@100->200"}`), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"S":[{"duration":"10s","rate":100},{"duration":"5s","rate":"100/s","to":200}]}`), &b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("string and array forms differ:\n%s", diff)
	}
	out, _ := json.Marshal(a)
	var c struct{ S Schedule }
	if err := json.Unmarshal(out, &c); err != nil || !cmp.Equal(a, c) {
		t.Errorf("round trip through %s: %v, %v", out, c, err)
	}
}

func TestPacerSchedule(t *testing.T) {
	s, _ := ParseSchedule("1s@100,2s@100->300,1s@0,1s@50")
	p := newPacer(s, 0)
	// Hits due before t must equal the schedule's integral up to t.
	count := func(t time.Duration) int {
		n := 0
		for i := uint64(0); ; i++ {
			at, ok := p.at(i)
			if !ok || at >= t {
				return n
			}
			n++
		}
	}
	for _, c := range []struct {
		t    time.Duration
		want int
	}{{time.Second, 100}, {2 * time.Second, 100 + 150}, {3 * time.Second, 100 + 400}, {4 * time.Second, 500}, {5 * time.Second, 550}} {
		if got := count(c.t); math.Abs(float64(got-c.want)) > 1 {
			t.Errorf("hits before %s = %d, want %d", c.t, got, c.want)
		}
		if h := s.hits(c.t); math.Abs(h-float64(c.want)) > 1e-6 {
			t.Errorf("hits(%s) = %v, want %d", c.t, h, c.want)
		}
	}
	prev := time.Duration(-1)
	for i := uint64(0); i < 550; i++ {
		at, ok := p.at(i)
		if !ok || at < prev {
			t.Fatalf("at(%d) = %s, %v after %s: want monotone", i, at, ok, prev)
		}
		if at >= 3*time.Second && at < 4*time.Second {
			t.Fatalf("at(%d) = %s falls in the pause", i, at)
		}
		prev = at
	}
	if _, ok := p.at(551); ok {
		t.Error("hit past the schedule's end is due")
	}
	if r := p.Rate(2 * time.Second); math.Abs(r-200) > 1e-9 {
		t.Errorf("Rate mid-ramp = %v, want 200", r)
	}
	capped := newPacer(s, 10)
	if _, ok := capped.at(10); ok {
		t.Error("hit past MaxRequests is due")
	}
}

func TestParseRateShareDuration(t *testing.T) {
	for in, want := range map[string]Rate{"500": 500, "500/s": 500, "30000/m": 500, "20k/s": 20000, "1/100ms": 10, "2M": 2e6} {
		got, err := ParseRate(in)
		if err != nil || math.Abs(float64(got-want)) > 1e-9 {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]Share{"0.1%": 0.001, "30%": 0.3, "0.05": 0.05} {
		got, err := ParseShare(in)
		if err != nil || math.Abs(float64(got-want)) > 1e-12 {
			t.Errorf("ParseShare(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"101%", "-1", "x"} {
		if _, err := ParseShare(bad); err == nil {
			t.Errorf("ParseShare(%q): no error", bad)
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"1m30s"`), &d); err != nil || d != Duration(90*time.Second) {
		t.Errorf("duration = %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`1000`), &d); err != nil || d != 1000 {
		t.Errorf("duration from ns = %v, %v", d, err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Scenarios: []ScenarioSpec{{Name: "a", Mode: "local"}}}.WithDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if ok.Baseline != "a" || ok.Rate != defaultRate || ok.Scenarios[0].Via != ViaInProc {
		t.Errorf("defaults: %+v", ok)
	}
	bad := ok
	bad.Population.Expired, bad.Population.Tampered = 0.7, 0.5
	bad.Population.Popularity, bad.Population.ZipfS = Zipf, 1
	bad.Scenarios = append(bad.Scenarios, ScenarioSpec{Name: "a", Via: "carrier-pigeon"}, ScenarioSpec{Name: "b c"})
	bad.Duration = 0
	bad.Baseline = "zz"
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"exceed 100%", "zipf s must be > 1", "duplicate name", "carrier-pigeon", `"b c"`, "duration must be positive", `baseline "zz"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestConfigPlanHasWarmupFirst(t *testing.T) {
	c := Config{Rate: 200, Duration: Duration(time.Second), Warmup: Duration(500 * time.Millisecond)}
	if got := c.Plan().String(); got != "500ms@200,1s@200" {
		t.Errorf("plan = %q", got)
	}
	c.Schedule, _ = ParseSchedule("1s@50->100")
	if got := c.Plan().String(); got != "500ms@50,1s@50->100" {
		t.Errorf("plan = %q", got)
	}
}

// TestWarmupRequestsBoundTheCap: WarmupRequests counts the requests due
// before the warm-up ends (on the run's own pacer), and Validate refuses
// a cap they alone reach, since the cap counts them.
func TestWarmupRequestsBoundTheCap(t *testing.T) {
	for _, c := range []struct {
		rate   Rate
		warmup time.Duration
		want   uint64
	}{{100, time.Second, 100}, {30, 500 * time.Millisecond, 15}, {3, 500 * time.Millisecond, 2}, {100, 0, 0}} {
		cfg := Config{Rate: c.rate, Duration: Duration(time.Second), Warmup: Duration(c.warmup), Scenarios: []ScenarioSpec{{Name: "a"}}}.WithDefaults()
		if got := cfg.WarmupRequests(); got != c.want {
			t.Errorf("%v for %s: %d warm-up requests, want %d", c.rate, c.warmup, got, c.want)
		}
		cfg.MaxRequests = c.want
		if err := cfg.Validate(); (err != nil) != (c.want > 0) {
			t.Errorf("cap %d = warm-up: Validate %v", c.want, err)
		}
		cfg.MaxRequests = c.want + 1
		if err := cfg.Validate(); err != nil {
			t.Errorf("cap %d: %v", c.want+1, err)
		}
	}
}
