package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/authscope/authscope/profiles"
)

// runProfiles lists, shows and validates profiles.
func runProfiles(_ context.Context, env *cliEnv, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			printCommandHelp(env.stderr, "profiles", profilesSynopsis)
			fmt.Fprint(env.stderr, profilesUsage)
			return flag.ErrHelp
		}
	}
	fs := newFlagSet(env, "profiles", profilesSynopsis)
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	dir := profiles.Dir(env.getenv)
	sub := "list"
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	switch sub {
	case "list":
		if len(rest) > 0 {
			return usagef("list takes no arguments")
		}
		all, err := profiles.List(dir)
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tMODE\tSTRATEGY\tSOURCE\tDESCRIPTION")
		for _, p := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, or(p.Resolver.Mode, "local"), or(p.Resolver.Strategy, "jwt"), p.Source, p.Description)
		}
		tw.Flush()
		return err
	case "show":
		if len(rest) != 1 {
			return usagef("show takes one profile name or path")
		}
		p, err := profiles.Find(rest[0], dir)
		if err != nil {
			return usageError{err}
		}
		if strings.HasPrefix(p.Source, "builtin:") {
			data, err := profiles.BuiltinSource(p.Source)
			if err != nil {
				return err
			}
			_, err = env.stdout.Write(data)
			return err
		}
		data, err := os.ReadFile(p.Source)
		if err != nil {
			return err
		}
		_, err = env.stdout.Write(data)
		return err
	case "validate":
		if len(rest) == 0 {
			return usagef("validate takes one or more files")
		}
		var errs []error
		for _, f := range rest {
			if _, err := profiles.LoadFile(f); err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(env.stdout, "%s: ok\n", f)
		}
		if len(errs) > 0 {
			return usageError{errors.Join(errs...)}
		}
		return nil
	}
	return usagef("unknown subcommand %q (list, show, validate)", sub)
}

const profilesSynopsis = "profiles [list | show NAME|FILE | validate FILE...]"

const profilesUsage = `
Subcommands:
  list       the built-in profiles and yours (user ones override built-ins by name)
  show       print a profile's file (profiles never hold secrets)
  validate   check files strictly: unknown keys, bad values, inline secrets

User profiles live in $AUTHSCOPE_PROFILES, else ~/.config/authscope/profiles.
`

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
