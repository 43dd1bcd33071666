package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/authscope/authscope"

// rules maps a package (or a prefix ending in "/...") to the packages of
// this module it may import directly; "*" allows any. Packages not listed
// may import anything of ours except what forbidden says.
var rules = map[string][]string{
	"":                      {"internal/cli"},
	"bench":                 {},
	"bench/...":             {"bench"},
	"resolver":              {"resolver/internal/..."},
	"resolver/internal/...": {"resolver/internal/..."},
	"resolver/store":        {"resolver", "resolver/store/internal/..."},
	"resolver/bus":          {"resolver"},
	"resolver/engine":       {"resolver", "resolver/betterauth"},
	"internal/server":       {"resolver", "resolver/betterauth", "resolver/bus", "resolver/engine", "internal/recentapi"},
	"internal/recentapi":    {"resolver"},
	"internal/config":       {"resolver", "profiles", "resolver/store"},
	"tui":                   {"resolver", "resolver/store"},
	"profiles":              {"resolver", "resolver/engine", "resolver/store", "bench"},
}

// stacks are third-party families that some rooms must not reach even
// indirectly: the resolver and the load generator are libraries a Go
// service links, so they never pull in the terminal UI.
var stacks = map[string][]string{
	"resolver/...": {"charm.land/", "github.com/charmbracelet/"},
	"bench/...":    {"charm.land/", "github.com/charmbracelet/"},
	"tui":          {"github.com/HdrHistogram/", "github.com/tsenart/vegeta"},
}

func TestImportRules(t *testing.T) {
	imports := goList(t, "{{.ImportPath}} {{join .Imports \" \"}}")
	for pkg, imps := range imports {
		allowed, ok := ruleFor(pkg)
		if !ok {
			continue
		}
		for _, imp := range imps {
			if rel, ours := strings.CutPrefix(imp, module+"/"); ours && !matchesAny(rel, allowed) {
				t.Errorf("%s imports %s; ARCHITECTURE.md allows only %v", show(pkg), rel, allowed)
			}
		}
	}
}

func TestNoForbiddenStacks(t *testing.T) {
	deps := goList(t, "{{.ImportPath}} {{join .Deps \" \"}}")
	for pkg, ds := range deps {
		for pat, banned := range stacks {
			if !match(pkg, pat) {
				continue
			}
			for _, d := range ds {
				for _, b := range banned {
					if strings.HasPrefix(d, b) {
						t.Errorf("%s depends on %s (via its imports); it must not reach %s", show(pkg), d, b)
					}
				}
			}
		}
	}
}

// TestRulesBite proves the checker is not vacuous: a rule set that forbids
// a real import is reported.
func TestRulesBite(t *testing.T) {
	if matchesAny("resolver/store", []string{"resolver"}) {
		t.Fatal("resolver/store matched a rule naming only resolver")
	}
	if !matchesAny("resolver/internal/js", []string{"resolver/internal/..."}) {
		t.Fatal("a /... rule did not match a package under it")
	}
	imports := goList(t, "{{.ImportPath}} {{join .Imports \" \"}}")
	if got := imports[""]; len(got) == 0 {
		t.Fatal("go list saw no imports for the main package: the checker would pass anything")
	}
}

func goList(t *testing.T, format string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", format, module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		m[rel] = f[1:]
	}
	return m
}

// ruleFor finds the most specific rule for pkg: an exact entry, then the
// longest "/..." prefix.
func ruleFor(pkg string) ([]string, bool) {
	if r, ok := rules[pkg]; ok {
		return r, true
	}
	best, found := "", false
	for pat := range rules {
		if strings.HasSuffix(pat, "/...") && match(pkg, pat) && len(pat) > len(best) {
			best, found = pat, true
		}
	}
	return rules[best], found
}

func matchesAny(pkg string, pats []string) bool {
	for _, p := range pats {
		if match(pkg, p) {
			return true
		}
	}
	return false
}

func match(pkg, pat string) bool {
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pat
}

func show(pkg string) string {
	if pkg == "" {
		return path.Base(module) + " (main)"
	}
	return pkg
}
