package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"
)

// newFlagSet returns a FlagSet in the house style: parse errors are
// returned and printed once by run (without the flag list); -h prints the
// synopsis and flags.
func newFlagSet(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("authscope "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		printCommandHelp(env.stderr, name, synopsis)
		fmt.Fprint(env.stderr, "\nFlags:\n")
		fs.SetOutput(env.stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args into fs, refusing positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parseFlagsArgs parses args into fs, leaving positional arguments in
// fs.Args(). Flag errors become usage errors; -h prints usage.
func parseFlagsArgs(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return err
	}
	if err != nil {
		return usageError{flagValueError(fs, err)}
	}
	return nil
}

// flagValueRe matches the flag package's "invalid value" error.
var flagValueRe = regexp.MustCompile(`^invalid value (".*") for flag -([^:]+): (.*)$`)

// flagValueError rewords the flag package's `invalid value "abc" for flag
// -max-age: parse error` as `--max-age "abc": want a number`: the flag as
// the user typed it, and the form it expects rather than the parser's
// bare "parse error".
func flagValueError(fs *flag.FlagSet, err error) error {
	m := flagValueRe.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	value, name, why := m[1], m[2], m[3]
	if f := fs.Lookup(name); f != nil && (why == "parse error" || why == "value out of range") {
		why = expectedForm(f.Value, why)
	}
	return fmt.Errorf("--%s %s: %s", name, value, why)
}

// expectedForm says what a standard-library flag value accepts.
func expectedForm(v flag.Value, why string) string {
	g, ok := v.(flag.Getter)
	if !ok {
		return why
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false"
	case time.Duration:
		return "want a Go duration (500ms, 30s, 5m)"
	case int, int64:
		if why == "value out of range" {
			return "out of range"
		}
		return "want a whole number"
	case uint, uint64:
		return "want a whole number, 0 or more"
	case float64:
		return "want a number"
	}
	return why
}

// plural is "1 difference", "2 differences".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
