package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

// Resolver screen: toggles rebuild the engine in a command, stale builds
// are dropped, reveal lock, why an engine is not ready.

func TestTogglesRebuildInACommand(t *testing.T) {
	hs := newHarness(t, 20, 80, 24)
	builds := hs.factory.buildCount()
	if builds != 1 {
		t.Fatalf("init built %d resolvers, want 1", builds)
	}
	cmd := hs.send(keyMsg("m"))
	if hs.factory.buildCount() != builds {
		t.Fatal("toggling the mode built a resolver inside Update")
	}
	if !hs.m.c.building || hs.m.c.settings.Mode != resolver.ModeProxy {
		t.Fatalf("after m: building %v mode %s", hs.m.c.building, hs.m.c.settings.Mode)
	}
	hs.run(cmd)
	hs.key("s", "c")
	want := []Settings{
		{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyJWT},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyDatabase},
		{Mode: resolver.ModeProxy, Strategy: resolver.StrategyDatabase, Cache: true},
	}
	if diff := cmp.Diff(want, hs.factory.builds); diff != "" {
		t.Fatalf("builds (-want +got):\n%s", diff)
	}
	if hs.m.c.building || hs.m.c.engine == nil || hs.m.c.engine.settings != want[3] {
		t.Fatalf("engine not ready with the last settings: %+v", hs.m.c.engine)
	}
	// The strategy toggle relisted the database population.
	if hs.m.sessions.win[0].Strategy != resolver.StrategyDatabase {
		t.Fatal("strategy toggle did not relist")
	}
	st := hs.screenText()
	if !strings.Contains(st, "proxy · database · cache on") {
		t.Fatalf("status bar: %q", st)
	}
}

func TestStaleEngineBuildIsDropped(t *testing.T) {
	hs := newHarness(t, 20, 80, 24)
	first := hs.send(keyMsg("m"))  // gen 2: proxy
	second := hs.send(keyMsg("m")) // gen 3: local again
	newer, _ := runWithTimeout(second, time.Second)
	older, _ := runWithTimeout(first, time.Second)
	hs.run(hs.send(newer))
	ready := hs.m.c.engine
	hs.run(hs.send(older)) // arrives late: must not replace the newer engine
	if hs.m.c.engine != ready || hs.m.c.engine.settings.Mode != resolver.ModeLocal {
		t.Fatalf("a stale build replaced the engine: %+v", hs.m.c.engine.settings)
	}
}

func TestRevealLockedFromResolverScreen(t *testing.T) {
	hs := newHarness(t, 20, 100, 30)
	hs.key("2", "r", "1", "enter", "r")
	if hs.m.confirm != nil {
		t.Fatal("reveal asked for confirmation while locked")
	}
	if !strings.Contains(hs.screenText(), "redaction locked") {
		t.Fatal("status bar does not show the lock")
	}
	// Unlocking asks first, or the lock would protect nothing.
	hs.key("esc", "2", "r")
	if hs.m.confirm == nil || !hs.m.c.revealLocked {
		t.Fatal("r unlocked reveal without a confirmation")
	}
	hs.key("n")
	if !hs.m.c.revealLocked {
		t.Fatal("cancelling the unlock unlocked")
	}
	hs.key("r", "y")
	if hs.m.c.revealLocked {
		t.Fatal("confirming did not unlock")
	}
	hs.key("1", "enter", "r")
	if hs.m.confirm == nil {
		t.Fatal("reveal unavailable after unlocking")
	}
}

// A failed build says why on the Resolver screen, not just "not ready",
// and the reason goes once a build succeeds.
func TestResolverScreenShowsWhyNotReady(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	hs.factory.fail = errors.New("jwt strategy needs a secret: set AUTH_SECRET (secret_env in the profile)")
	hs.key("m", "2")
	out := hs.screenText()
	if !strings.Contains(out, "not ready") || !strings.Contains(out, "set AUTH_SECRET") {
		t.Fatalf("no reason on the Resolver screen:\n%s", out)
	}
	hs.factory.fail = nil
	hs.key("m")
	if out := hs.screenText(); strings.Contains(out, "AUTH_SECRET") || !strings.Contains(out, "ready") {
		t.Fatalf("the reason outlived a good build:\n%s", out)
	}
}

// The store's adapter layout (what --schema auto found) is on the Resolver
// screen with the database strategy, and not with jwt, which reads no store.
func TestResolverScreenNamesStoreLayout(t *testing.T) {
	hs := newHarness(t, 5, 80, 24)
	hs.factory.layout = "postgres prisma"
	hs.key("m", "m", "2") // rebuild with the layout set, then the Resolver screen
	if out := hs.screenText(); strings.Contains(out, "postgres prisma") {
		t.Fatalf("jwt strategy names a store layout:\n%s", out)
	}
	hs.key("s")
	if out := hs.screenText(); !strings.Contains(out, "store layout postgres prisma") {
		t.Fatalf("database strategy: no store layout on the Resolver screen:\n%s", out)
	}
}
