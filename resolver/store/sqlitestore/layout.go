package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// TimeFormat is how a layout stores a JavaScript Date in SQLite, which has
// no date type: the adapters chose differently.
type TimeFormat string

// Time formats.
const (
	// TimeISO is Date.toISOString() text (@auth/d1-adapter, and Prisma's
	// SQLite driver adapters). Text order is time order.
	TimeISO TimeFormat = "iso"
	// TimeMillis is an integer of epoch milliseconds (Drizzle's
	// timestamp_ms columns, and Prisma's native SQLite connector).
	TimeMillis TimeFormat = "ms"
)

// Layout names the tables and columns of an adapter's SQLite schema and
// how it stores dates. Names are quoted as given, so case matters.
type Layout struct {
	Name string

	Users, UserID, UserName, UserEmail, UserImage, UserEmailVerified string
	Sessions, SessionToken, SessionUserID, SessionExpires            string
	// SessionUpdatedAt, when the table has it, is set on extension (Prisma's
	// @updatedAt).
	SessionUpdatedAt string
	// Time is the stored date format. Prisma's depends on its client (the
	// native connector writes milliseconds, driver adapters write ISO text):
	// an existing row decides, and writes always keep a row's own format.
	Time TimeFormat
}

// presets are the SQLite layouts of the adapters in the wild.
var presets = map[string]Layout{
	// @auth/d1-adapter (and the schema authscope seed creates).
	"d1": {
		Users: "users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "sessions", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires", Time: TimeISO,
	},
	// @auth/prisma-adapter with the documented schema on provider "sqlite".
	"prisma": {
		Users: "User", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
		SessionUpdatedAt: "updatedAt", Time: TimeMillis,
	},
	// The Prisma docs' @@map/@map snake_case variant.
	"prisma-snake": {
		Users: "users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "email_verified",
		Sessions: "sessions", SessionToken: "session_token", SessionUserID: "user_id", SessionExpires: "expires",
		SessionUpdatedAt: "updated_at", Time: TimeMillis,
	},
	// @auth/drizzle-adapter's default SQLite schema: "user"/"session" with
	// integer({ mode: "timestamp_ms" }) dates.
	"drizzle": {
		Users: "user", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires", Time: TimeMillis,
	},
}

// DefaultPreset is the layout authscope seed creates in a new database.
const DefaultPreset = "d1"

// PresetNames lists the SQLite layouts, sorted.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns a named layout.
func Preset(name string) (Layout, error) {
	l, ok := presets[name]
	if !ok {
		return Layout{}, fmt.Errorf("sqlite: unknown schema %q (want auto or one of %s)", name, strings.Join(PresetNames(), ", "))
	}
	l.Name = name
	return l, nil
}

func (l Layout) userCols() []string {
	return []string{l.UserID, l.UserName, l.UserEmail, l.UserImage, l.UserEmailVerified}
}

func (l Layout) sessionCols() []string {
	return []string{l.SessionToken, l.SessionUserID, l.SessionExpires}
}

// catalog is what sqlite_master and table_info say about a database.
type catalog struct {
	tables []string                   // every table, in name order
	cols   map[string]map[string]bool // table -> columns (read on demand)
}

func readCatalog(ctx context.Context, db *sql.DB) (*catalog, error) {
	c := &catalog{cols: map[string]map[string]bool{}}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		c.tables = append(c.tables, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range c.tables {
		cols, err := tableColumns(ctx, db, t)
		if err != nil {
			return nil, err
		}
		c.cols[t] = cols
	}
	return c, nil
}

func tableColumns(ctx context.Context, db *sql.DB, table string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		cols[n] = true
	}
	return cols, rows.Err()
}

// missing names the first table or column of l the catalog lacks, or "".
func (c *catalog) missing(l Layout) string {
	for _, t := range []struct {
		name string
		cols []string
	}{{l.Sessions, l.sessionCols()}, {l.Users, l.userCols()}} {
		have, ok := c.cols[t.name]
		if !ok {
			return fmt.Sprintf("table %q does not exist", t.name)
		}
		for _, col := range t.cols {
			if !have[col] {
				return fmt.Sprintf("table %q has no column %q", t.name, col)
			}
		}
	}
	return ""
}

// detect picks the one preset whose tables and columns are all there.
func (c *catalog) detect(path string) (Layout, error) {
	var found []string
	for _, n := range PresetNames() {
		if l, _ := Preset(n); c.missing(l) == "" {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return Preset(found[0])
	case 0:
		return Layout{}, fmt.Errorf("no Auth.js session table in sqlite:%s: found %s; looked for %s (%s layouts)%s",
			path, c.describe(), c.lookedFor(), strings.Join(PresetNames(), ", "), c.nearMisses())
	}
	return Layout{}, fmt.Errorf("sqlite:%s holds the tables of several Auth.js layouts (%s): pick one with --schema", path, strings.Join(found, ", "))
}

// nearMisses says what the layouts whose sessions table is there lack.
func (c *catalog) nearMisses() string {
	var out string
	for _, n := range PresetNames() {
		l := presets[n]
		if _, ok := c.cols[l.Sessions]; ok {
			out += "; " + n + ": " + c.missing(l)
		}
	}
	return out
}

func (c *catalog) describe() string {
	if len(c.tables) == 0 {
		return "no tables"
	}
	return "tables " + strings.Join(c.tables, ", ")
}

func (c *catalog) lookedFor() string {
	var names []string
	for _, n := range PresetNames() {
		if t := presets[n].Sessions; !slices.Contains(names, t) {
			names = append(names, t)
		}
	}
	return strings.Join(names, "/")
}

// DrizzleSchema is drizzle-kit's SQL for @auth/drizzle-adapter's default
// SQLite tables "user" and "session" (timestamp_ms integer dates), without
// the session's foreign key: for tests and demos that need a database the
// adapter can write. A deployment's own migration creates these.
const DrizzleSchema = "CREATE TABLE `user` (`id` text PRIMARY KEY NOT NULL, `name` text, `email` text, `emailVerified` integer, `image` text);\n" +
	"CREATE UNIQUE INDEX `user_email_unique` ON `user` (`email`);\n" +
	"CREATE TABLE `session` (`sessionToken` text PRIMARY KEY NOT NULL, `userId` text NOT NULL, `expires` integer NOT NULL);\n"
