package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// The SQL layouts live here, not in a driver, because every SQL driver
// (PostgreSQL, SQLite, MySQL) reads the same Auth.js adapter schemas and a
// profile names them the same way whichever database holds them.

// Layout names the tables and columns an Auth.js adapter uses. Table names
// may be schema-qualified ("auth.sessions"); every name is quoted exactly
// as given, so case matters ("User" is not user).
type Layout struct {
	Name string `json:"name,omitempty"`

	Users             string `json:"users"`
	UserID            string `json:"user_id"`
	UserName          string `json:"user_name"`
	UserEmail         string `json:"user_email"`
	UserImage         string `json:"user_image"`
	UserEmailVerified string `json:"user_email_verified"`

	Sessions       string `json:"sessions"`
	SessionToken   string `json:"session_token"`
	SessionUserID  string `json:"session_user_id"`
	SessionExpires string `json:"session_expires"`
	// SessionUpdatedAt, when set, is also written on extension, as Prisma's
	// @updatedAt does. Optional.
	SessionUpdatedAt string `json:"session_updated_at,omitempty"`
}

// Presets are the layouts of the adapters in the wild.
var presets = map[string]Layout{
	// @auth/pg-adapter: users/sessions, SERIAL ids, quoted camelCase columns.
	"pg-adapter": {
		Users: "users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "sessions", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
	// @auth/prisma-adapter with the documented schema: "User"/"Session",
	// cuid text ids, timestamp(3) without time zone holding UTC.
	"prisma": {
		Users: "User", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
		SessionUpdatedAt: "updatedAt",
	},
	// The Prisma docs' @@map/@map snake_case variant.
	"prisma-snake": {
		Users: "users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "email_verified",
		Sessions: "sessions", SessionToken: "session_token", SessionUserID: "user_id", SessionExpires: "expires",
		SessionUpdatedAt: "updated_at",
	},
	// @auth/drizzle-adapter's default PostgreSQL schema: "user"/"session".
	"drizzle": {
		Users: "user", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
	// @auth/kysely-adapter's documented migration: Prisma's names, but uuid
	// ids and timestamptz dates and no updatedAt.
	"kysely": {
		Users: "User", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
	// @auth/supabase-adapter: the pg-adapter's names in the next_auth schema
	// (uuid ids, timestamptz), beside next_auth.uid() for row-level security.
	"supabase": {
		Users: "next_auth.users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "next_auth.sessions", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
}

// DefaultPreset is the layout seed --create-schema, db migrate's fresh plan
// and serve's triggers use when no --schema names one.
const DefaultPreset = "pg-adapter"

// Preset returns a named layout.
func Preset(name string) (Layout, error) {
	l, ok := presets[name]
	if !ok {
		return Layout{}, fmt.Errorf("store: unknown schema %q (want auto, one of %s, or an explicit mapping)", name, strings.Join(PresetNames(), ", "))
	}
	l.Name = name
	return l, nil
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validate reports the first unset required name.
func (l Layout) Validate() error {
	for _, f := range []struct{ what, v string }{
		{"users table", l.Users}, {"user id column", l.UserID}, {"user name column", l.UserName},
		{"user email column", l.UserEmail}, {"user image column", l.UserImage},
		{"user emailVerified column", l.UserEmailVerified},
		{"sessions table", l.Sessions}, {"session token column", l.SessionToken},
		{"session user id column", l.SessionUserID}, {"session expires column", l.SessionExpires},
	} {
		if f.v == "" {
			return fmt.Errorf("store: layout %q: %s not set", l.Name, f.what)
		}
	}
	return nil
}

// Label names the layout in messages: its preset name, or "custom mapping".
func (l Layout) Label() string {
	if l.Name != "" {
		return l.Name
	}
	return "custom mapping"
}

// mappingKeys are the keys LayoutFromMapping accepts (Layout's json names).
var mappingKeys = map[string]func(*Layout) *string{
	"users": func(l *Layout) *string { return &l.Users }, "user_id": func(l *Layout) *string { return &l.UserID },
	"user_name": func(l *Layout) *string { return &l.UserName }, "user_email": func(l *Layout) *string { return &l.UserEmail },
	"user_image": func(l *Layout) *string { return &l.UserImage }, "user_email_verified": func(l *Layout) *string { return &l.UserEmailVerified },
	"sessions": func(l *Layout) *string { return &l.Sessions }, "session_token": func(l *Layout) *string { return &l.SessionToken },
	"session_user_id": func(l *Layout) *string { return &l.SessionUserID }, "session_expires": func(l *Layout) *string { return &l.SessionExpires },
	"session_updated_at": func(l *Layout) *string { return &l.SessionUpdatedAt },
}

// LayoutFromMapping builds a custom layout from a profile's mapping
// (keys: users, user_id, user_name, user_email, user_image,
// user_email_verified, sessions, session_token, session_user_id,
// session_expires, session_updated_at). Unset keys take the pg-adapter's
// names, so a mapping lists only what differs.
func LayoutFromMapping(m map[string]string) (Layout, error) {
	l, _ := Preset(DefaultPreset)
	l.Name = "custom"
	for k, v := range m {
		f, ok := mappingKeys[k]
		if !ok {
			return Layout{}, fmt.Errorf("store: mapping: unknown key %q", k)
		}
		*f(&l) = v
	}
	return l, l.Validate()
}

// OrphanUser is the user the layout's adapter returns beside a session
// whose user row is gone, or nil when the adapter returns null (then
// Auth.js clears the cookie and keeps the row). @auth/prisma-adapter on
// Prisma 7's client passes the include's null user on, so Auth.js answers
// {"user":{},…} and treats the session as valid: it prunes, extends and
// refreshes it. The live runs show it on SQLite, PostgreSQL and MariaDB; the
// schema's cascading foreign key normally prevents such a session.
func OrphanUser(layout string, sess *resolver.StoredSession) *resolver.StoredUser {
	if layout != "prisma" && layout != "prisma-snake" {
		return nil
	}
	return &resolver.StoredUser{ID: sess.UserID, NullsAbsent: true}
}
