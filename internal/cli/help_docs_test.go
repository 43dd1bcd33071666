package cli

import (
	"regexp"
	"strings"
	"testing"
)

// helpOf is `authscope <args> --help` on stderr.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	code, _, help := runCLI(t, nil, "", append(args, "--help")...)
	if code != 0 {
		t.Fatalf("%v --help: exit %d", args, code)
	}
	return help
}

// flagHeadRe is a flag's first line in the flag package's listing:
// "  -name placeholder".
var flagHeadRe = regexp.MustCompile(`(?m)^  -(\S+)(?: (.*))?$`)

// TestEveryCommandHelpDescribesAndShows: every subcommand's --help has a
// paragraph saying what it is for and examples; those whose behaviour
// depends on the environment list the variables; every flag's placeholder
// is one word (a back-quoted phrase in a usage string becomes the
// placeholder: "-from-serve authscope serve").
func TestEveryCommandHelpDescribesAndShows(t *testing.T) {
	needEnv := map[string]bool{"serve": true, "bench": true, "capacity": true, "tui": true, "mint": true, "seed": true, "db migrate": true, "resolve": true, "upstream": true}
	for _, c := range append(commands(), command{name: "db migrate"}) {
		if c.name == "db" {
			continue // its help is db migrate's, checked below
		}
		help := helpOf(t, strings.Fields(c.name)...)
		h, ok := helpDocs[c.name]
		if !ok || len(h.about) < 80 || len(h.examples) == 0 {
			t.Errorf("%s: no help paragraph or examples", c.name)
			continue
		}
		if !strings.Contains(help, "\nExamples:\n  "+h.examples[0]+"\n") {
			t.Errorf("%s --help shows no examples:\n%s", c.name, help)
		}
		if needEnv[c.name] && !strings.Contains(help, "\nEnvironment:\n") {
			t.Errorf("%s --help has no Environment section:\n%s", c.name, help)
		}
		for _, m := range flagHeadRe.FindAllStringSubmatch(help, -1) {
			if strings.Contains(m[2], " ") {
				t.Errorf("%s --help: -%s has the placeholder %q", c.name, m[1], m[2])
			}
		}
	}
}

// TestDBMigrateHelpExplainsMigrate: `db migrate --help` says what `db
// --help` does, not only its flags.
func TestDBMigrateHelpExplainsMigrate(t *testing.T) {
	for _, args := range [][]string{{"db"}, {"db", "migrate"}} {
		help := helpOf(t, args...)
		for _, want := range []string{"sequential scan", "CONCURRENTLY", "--dry-run without --db", "Examples:", "Environment:"} {
			if !strings.Contains(strings.Join(strings.Fields(help), " "), want) {
				t.Errorf("%v --help lacks %q:\n%s", args, want, help)
			}
		}
	}
	if help := helpOf(t, "db", "migrate"); !strings.Contains(help, "-dry-run") {
		t.Errorf("db migrate --help lists no flags:\n%s", help)
	}
}

// TestUpstreamHasNoMode: upstream always resolves locally, so --mode is
// not one of its flags.
func TestUpstreamHasNoMode(t *testing.T) {
	code, _, errs := runCLI(t, nil, "", "upstream", "--mode", "local")
	if code != 2 || !strings.Contains(errs, "flag provided but not defined: -mode") {
		t.Errorf("upstream --mode local: exit %d, stderr %q", code, errs)
	}
}
