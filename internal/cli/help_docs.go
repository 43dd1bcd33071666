package cli

import (
	"fmt"
	"io"
	"strings"
)

// commandHelp is what `authscope <command> --help` says above the flags:
// what the command is for, how it is typically run, and the environment
// variables it reads (secrets never come from flags). Kept apart from the
// commands' code so every help text reads alike and can be checked in one
// test.
type commandHelp struct {
	about       string // one paragraph
	examples    []string
	environment []string // "NAME  what it is" lines
	exit        string   // the exit statuses, when they say more than 0, 1, 2
}

// secretEnv are the variables every command that encodes or decodes a JWT
// session reads, as Auth.js's integrations do.
var secretEnv = []string{
	"AUTH_SECRET, NEXTAUTH_SECRET    the secret, as next-auth v5 reads it (AUTH_SECRET ?? NEXTAUTH_SECRET)",
	"AUTH_SECRET_1..3                rotation (_3, _2, _1, AUTH_SECRET), read only without the two above",
	"AUTH_URL, NEXTAUTH_URL          the deployment's URL (https selects __Secure- cookies; its path is the basePath)",
}

const profilesEnv = "AUTHSCOPE_PROFILES              directory of user profiles (default ~/.config/authscope/profiles)"

func envLines(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

var helpDocs = map[string]commandHelp{
	"tui": {
		about: "Opens the terminal app: Sessions (browse, filter, reveal and revoke live sessions), Resolver (toggle mode, strategy, cache and redaction) and Load (load runs and capacity searches with HDR percentiles). Without --profile it runs on the embedded demo (a seeded SQLite store, minted JWT cookies and built-in upstreams on loopback); a bare `authscope` opens the same. With --engine better-auth (or the profile's resolver.engine) a real deployment's profile browses and revokes its Better Auth store instead, resolving each row read-only. It needs a terminal.",
		examples: []string{
			"authscope                                     # the demo",
			"authscope tui --profile prod --engine better-auth",
			"authscope tui --profile prod --cookies cookies.txt",
			"authscope tui --profile prod --from-serve http://127.0.0.1:8080",
		},
		environment: envLines(secretEnv, []string{
			profilesEnv,
			"AUTHSCOPE_DEMO_SECRET           the demo's secret (default: generated for the run)",
			"AUTHSCOPE_INVALIDATE_SECRET     serve's admin secret, for --from-serve (see --from-serve-secret-env)",
			"the profile's store.dsn_env     the session store of a database-strategy profile",
		}),
	},
	"resolve": {
		about: "Reads one Cookie header value (optionally prefixed \"Cookie:\") from stdin and prints one JSON document: the body Auth.js's GET /session would return (null when there is no session; {} with --legacy-v4, as next-auth v4 answers), the decoded claims (--output token), or the raw token (--output raw). Output is redacted unless --reveal; --explain gives the reason for \"no session\" on stderr.",
		examples: []string{
			"authscope resolve < cookie.txt",
			"echo 'authjs.session-token=...' | authscope resolve --explain",
			"authscope resolve --strategy database --db sqlite:demo.db < cookie.txt",
			"authscope resolve --mode proxy --url https://app.example.com < cookie.txt || echo \"exit $?\"",
		},
		environment: envLines(secretEnv, []string{profilesEnv, "the profile's store.dsn_env     the session store when --db is not given"}),
		exit:        "0 whether or not a session was found; 3 when there is no session because a dependency failed (the store or the upstream: reasons store_error, upstream_error, upstream_timeout, upstream_status, upstream_body), so a script can tell an outage from a signed-out user although stdout reads null in both cases; 2 bad flags or configuration; 1 other failures.",
	},
	"mint": {
		about: "Encodes a JSON object of claims from stdin into an Auth.js session cookie (a JWE with the current secret and its kid), chunked as Auth.js chunks it, and prints it as a Cookie header value, Set-Cookie lines or the bare token. Use it to make test cookies for resolve, serve and load runs.",
		examples: []string{
			"echo '{\"sub\":\"42\",\"name\":\"Ada\"}' | authscope mint > cookie.txt",
			"echo '{\"sub\":\"42\"}' | authscope mint --max-age 1h --format set-cookie",
			"echo '{\"sub\":\"42\"}' | authscope mint --now 2025-11-27T08:00:00Z --format token",
		},
		environment: envLines(secretEnv, []string{profilesEnv}),
	},
	"profiles": {
		about: "Lists the built-in profiles and yours, prints one, or validates profile files strictly (unknown keys with the nearest known key, bad values and inline secrets, each with its file and line) without running anything.",
		examples: []string{
			"authscope profiles",
			"authscope profiles show demo",
			"authscope profiles validate ~/.config/authscope/profiles/*.yaml",
		},
		environment: []string{profilesEnv},
	},
	"bench": {
		about: "Load-tests session resolution: drives each scenario of the profile (local JWT, local database, proxy to the built-in or a real upstream, cache off and on) at the same open rate with the same session population, records latencies in HDR histograms from each request's intended send time, and prints a comparison table; --json, --html, --hdr and --results write reports. Load only goes to the hosts the profile allows (loopback by default) and every run stops by itself.",
		examples: []string{
			"authscope bench --duration 10s --rate 500",
			"authscope bench --profile compare --scenarios local-jwt,proxy-jwt --json out.json --html out.html",
			"authscope bench --url http://127.0.0.1:3000/api/auth --scenarios proxy-jwt",
			"authscope bench --threshold 'local-jwt:p99<2ms' --threshold '*:success>99.9%' --json run.json",
			"authscope bench --profile prod --engine better-auth --db-seed 1 --url http://127.0.0.1:3000/api/auth   # ba-db, ba-cookie-cache, ba-proxy on a Better Auth deployment",
		},
		environment: envLines(secretEnv, []string{
			profilesEnv,
			"AUTHSCOPE_DEMO_SECRET           the built-in profiles' secret (default: generated for the run)",
			"the profile's store.dsn_env     the store of database scenarios",
		}),
	},
	"capacity": {
		about: "Finds, per scenario, the highest rate that holds within an SLO: it doubles the rate, then bisects, and takes a rate as held when at least 95% of it was achieved, the SLO quantile stayed under its limit and errors under --max-errors. With --peak it plans the instances (with --headroom) and the cache hit ratio proxy mode needs, and exits non-zero when the peak cannot be met, so CI can gate a rollout. It first measures the generator's own ceiling (a target that does nothing) and searches no scenario above it; the whole run is bounded by --max-time, said up front.",
		examples: []string{
			"authscope capacity --slo p99=5ms --peak 20000/s",
			"authscope capacity --profile compare --slo p99=5ms --peak 20000/s",
			"authscope capacity --profile compare --slo p99=5ms --max-errors 0.1% --peak 20000/s --headroom 30% --json plan.json",
			"authscope capacity --profile prod --engine better-auth --slo p99=5ms --peak 5000/s",
		},
		environment: envLines(secretEnv, []string{
			profilesEnv,
			"AUTHSCOPE_DEMO_SECRET           the built-in profiles' secret (default: generated for the run)",
			"the profile's store.dsn_env     the store of database scenarios",
		}),
	},
	"report": {
		about: "Merges the JSON reports, .hlog interval logs or vegeta results files of one run spread over several load generators into one report, and prints its table. Runs that differ (schedule, warm-up, population, scenarios) are refused, naming each difference, unless --force; a run given twice is refused.",
		examples: []string{
			"authscope report a.json b.json",
			"authscope report --json merged.json --html merged.html a.json b.json",
			"authscope report --hlog merged.hlog gen1.hlog gen2.hlog",
			"authscope report --json merged.json --threshold 'proxy-jwt:p99<5ms' gen1.json gen2.json",
		},
	},
	"compare": {
		about: "Compares a run's JSON report (from bench, or merged by report) with a baseline's, per scenario: p50, p90, p99 and p99.9 with each run's 95% interval from its HDR histogram, achieved req/s and success, each with a verdict. A figure regresses only when the new interval lies above the baseline's by more than --max-regression, so noise is never a regression; too few samples say so; runs of a different schedule, population, scenario set, worker limits or host are not comparable, naming each difference. Text, or Markdown for a pull request comment.",
		examples: []string{
			"authscope compare base.json new.json",
			"authscope compare --max-regression 5% --format markdown base.json new.json > comment.md",
			"authscope compare --format json base.json merged.json",
		},
		exit: "0 when no figure regressed beyond the bound; 1 when one did; 2 for unreadable, oversized or non-report files, bad flags, and runs that are not comparable (the comparison is still printed).",
	},
	"seed": {
		about: "Fills a session store with deterministic demo or load data: users, and sessions in a realistic mix (fresh, due for an updateAge extension, expired). The same --seed gives the same users and tokens, so a rerun inserts nothing new. A SQLite store is created when missing; a PostgreSQL one needs the adapter's tables (--create-schema makes them). With --engine better-auth it writes Better Auth's layout instead (the Kysely tables on SQLite, PostgreSQL or MySQL, or secondaryStorage keys in Redis) and prints the first sessions' cookies signed with BETTER_AUTH_SECRET (fingerprints unless --reveal).",
		examples: []string{
			"authscope seed --db sqlite:demo.db --users 1000 --sessions 10000",
			"BETTER_AUTH_SECRET=... authscope seed --engine better-auth --db postgres://127.0.0.1/app --create-schema --reveal",
			"authscope seed --db-env DATABASE_URL --schema prisma --create-schema",
			"authscope seed --db redis://127.0.0.1:6379/0 --now 2025-11-27T08:00:00Z --max-age 720h",
		},
		environment: []string{"the variable --db-env names       the store DSN (keeps its password out of argv)",
			"BETTER_AUTH_SECRET, AUTH_SECRET   --engine better-auth: the secret its cookies are signed with",
			"BETTER_AUTH_REDIS_PREFIX          --engine better-auth on Redis: the prefix the app's secondaryStorage puts before keys"},
	},
	"db migrate": {
		about: dbAbout,
		examples: []string{
			"authscope db migrate --db postgres://127.0.0.1/app --dry-run",
			"authscope db migrate --db-env DATABASE_URL --search",
			"authscope db migrate --dry-run --schema prisma --search      # a fresh install's DDL, no database",
		},
		environment: []string{"the variable --db-env names       the store DSN (keeps its password out of argv)"},
	},
	"serve": {
		about: "Serves GET {basePath}/session exactly as Auth.js answers it (status, headers, body and, with --refresh-cookies, the rolling Set-Cookie), from a local resolver (jwt or database) or by proxy to the deployment, optionally cached, with /healthz, Prometheus /metrics and an authenticated invalidation endpoint. Logs are JSON lines that never hold cookies, tokens or session contents; it listens on loopback unless --allow-remote.",
		examples: []string{
			"AUTH_SECRET=... authscope serve --listen 127.0.0.1:8080",
			"authscope serve --mode proxy --url http://127.0.0.1:3000/api/auth --cache",
			"authscope serve --strategy database --db-env DATABASE_URL --cache --bus-pg-env DATABASE_URL",
		},
		environment: envLines(secretEnv, []string{
			profilesEnv,
			"AUTHSCOPE_INVALIDATE_SECRET     bearer secret of the invalidation and recent-list endpoints (off when unset; see --invalidate-secret-env)",
			"the variables --db-env, --bus-redis-env, --bus-pg-env, --shared-cache-env name   DSNs and URLs kept out of argv",
		}),
	},
	"upstream": {
		about: "A stand-in Auth.js /session server: it answers as the deployment would (jwt or database strategy, rolling cookies, pruning and extending database sessions) with injectable latency, jitter, errors and timeouts, so proxy mode and load runs can be tried without a real deployment. It always resolves locally and never proxies: it is what proxy mode calls, so it has no --mode.",
		examples: []string{
			"AUTH_SECRET=... authscope upstream --latency 2ms --jitter 1ms",
			"authscope upstream --strategy database --db sqlite:demo.db --error-rate 0.01",
		},
		environment: envLines(secretEnv, []string{profilesEnv}),
	},
}

// dbAbout is what db migrate does, shown by both `db --help` and
// `db migrate --help`.
const dbAbout = `Adds the indexes Auth.js's adapters do not create and that session lookups, browsing and revocation need at scale: a unique index on the session token (the pg-adapter has none: every lookup is a sequential scan); (expires, token) for lists sorted by expiry and counts by state; (userId, token) for lists sorted by user and revoking a user's sessions. With --search, PostgreSQL also gets pg_trgm GIN indexes on the users' name, email and id, so filtered session lists need not scan every user. PostgreSQL indexes are built CONCURRENTLY, MySQL/MariaDB ones online (ALGORITHM=INPLACE, LOCK=NONE): the tables stay writable; MongoDB gets the createIndex calls (the adapter creates none). It prints every statement before running it; --dry-run prints only. Indexes that exist already (any valid index led by the column) are skipped; an INVALID one left by a failed concurrent build is dropped and rebuilt. Redis has no indexes to add. --dry-run without --db, or on a PostgreSQL database without the adapter's tables yet, prints the whole DDL of a fresh install: the --schema preset's tables as the adapter creates them, then the indexes.`

// printCommandHelp writes the usage line and the command's help: its
// paragraph (wrapped), examples and environment.
func printCommandHelp(w io.Writer, name, synopsis string) {
	fmt.Fprintf(w, "Usage: authscope %s\n", synopsis)
	h, ok := helpDocs[name]
	if !ok {
		return
	}
	fmt.Fprintf(w, "\n%s\n", wrap(h.about, 76))
	if len(h.examples) > 0 {
		fmt.Fprint(w, "\nExamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	if len(h.environment) > 0 {
		fmt.Fprint(w, "\nEnvironment:\n")
		for _, e := range h.environment {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	if h.exit != "" {
		fmt.Fprintf(w, "\nExit status:\n%s\n", indent(wrap(h.exit, 74), "  "))
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// wrap breaks s into lines of at most width columns at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
