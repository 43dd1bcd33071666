package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/authscope/authscope/resolver/store"
)

// Schemas are the adapters' own DDL for each preset: what `authscope seed
// --create-schema` runs on an empty database, and what the tests build.
// They are the upstream schemas verbatim in substance (no indexes beyond
// the adapters' own), so lookups and browsing behave as on a real
// deployment until `authscope db migrate` is run.
var schemas = map[string]string{
	// packages/adapter-pg/schema.sql
	"pg-adapter": `CREATE TABLE IF NOT EXISTS verification_token (identifier TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL, token TEXT NOT NULL, PRIMARY KEY (identifier, token));
CREATE TABLE IF NOT EXISTS accounts (id SERIAL, "userId" INTEGER NOT NULL, type VARCHAR(255) NOT NULL, provider VARCHAR(255) NOT NULL, "providerAccountId" VARCHAR(255) NOT NULL, refresh_token TEXT, access_token TEXT, expires_at BIGINT, id_token TEXT, scope TEXT, session_state TEXT, token_type TEXT, PRIMARY KEY (id));
CREATE TABLE IF NOT EXISTS sessions (id SERIAL, "userId" INTEGER NOT NULL, expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL, PRIMARY KEY (id));
CREATE TABLE IF NOT EXISTS users (id SERIAL, name VARCHAR(255), email VARCHAR(255), "emailVerified" TIMESTAMPTZ, image TEXT, PRIMARY KEY (id));`,
	// prisma migrate's SQL for the documented Auth.js Prisma schema.
	"prisma": `CREATE TABLE IF NOT EXISTS "User" ("id" TEXT NOT NULL, "name" TEXT, "email" TEXT NOT NULL, "emailVerified" TIMESTAMP(3), "image" TEXT, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
CREATE TABLE IF NOT EXISTS "Session" ("sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" TIMESTAMP(3) NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" TIMESTAMP(3) NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX IF NOT EXISTS "Session_sessionToken_key" ON "Session"("sessionToken");
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;`,
	// The same with @@map("users"/"sessions") and snake_case @map columns.
	"prisma-snake": `CREATE TABLE IF NOT EXISTS "users" ("id" TEXT NOT NULL, "name" TEXT, "email" TEXT NOT NULL, "email_verified" TIMESTAMP(3), "image" TEXT, "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" TIMESTAMP(3) NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"));
CREATE TABLE IF NOT EXISTS "sessions" ("id" TEXT NOT NULL, "session_token" TEXT NOT NULL, "user_id" TEXT NOT NULL, "expires" TIMESTAMP(3) NOT NULL, "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" TIMESTAMP(3) NOT NULL, CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "users_email_key" ON "users"("email");
CREATE UNIQUE INDEX IF NOT EXISTS "sessions_session_token_key" ON "sessions"("session_token");`,
	// drizzle-kit's SQL for the adapter's default PostgreSQL schema.
	"drizzle": `CREATE TABLE IF NOT EXISTS "user" ("id" text PRIMARY KEY NOT NULL, "name" text, "email" text, "emailVerified" timestamp, "image" text, CONSTRAINT "user_email_unique" UNIQUE("email"));
CREATE TABLE IF NOT EXISTS "session" ("sessionToken" text PRIMARY KEY NOT NULL, "userId" text NOT NULL, "expires" timestamp NOT NULL);
ALTER TABLE "session" ADD CONSTRAINT "session_userId_user_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;`,
	// The @auth/kysely-adapter docs' PostgreSQL migration (Kysely's schema
	// builder output).
	"kysely": `CREATE TABLE IF NOT EXISTS "User" ("id" uuid DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY, "name" text, "email" text NOT NULL UNIQUE, "emailVerified" timestamptz, "image" text);
CREATE TABLE IF NOT EXISTS "Session" ("id" uuid DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY, "userId" uuid NOT NULL, "sessionToken" text NOT NULL UNIQUE, "expires" timestamptz NOT NULL);
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE;`,
	// The @auth/supabase-adapter docs' SQL (uuid_generate_v4() there;
	// gen_random_uuid() is the same without the uuid-ossp extension), with
	// its next_auth.uid() helper. Supabase grants on the schema are left to
	// the deployment.
	"supabase": `CREATE SCHEMA IF NOT EXISTS next_auth;
CREATE TABLE IF NOT EXISTS next_auth.users (id uuid NOT NULL DEFAULT gen_random_uuid(), name text, email text, "emailVerified" timestamp with time zone, image text, CONSTRAINT users_pkey PRIMARY KEY (id), CONSTRAINT email_unique UNIQUE (email));
CREATE TABLE IF NOT EXISTS next_auth.sessions (id uuid NOT NULL DEFAULT gen_random_uuid(), expires timestamp with time zone NOT NULL, "sessionToken" text NOT NULL, "userId" uuid, CONSTRAINT sessions_pkey PRIMARY KEY (id), CONSTRAINT "sessionToken_unique" UNIQUE ("sessionToken"));
CREATE OR REPLACE FUNCTION next_auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
ALTER TABLE next_auth.sessions ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES next_auth.users (id) ON UPDATE NO ACTION ON DELETE CASCADE;`,
}

// SchemaSQL returns a preset's DDL.
func SchemaSQL(preset string) (string, error) {
	s, ok := schemas[preset]
	if !ok {
		return "", fmt.Errorf("pgstore: no schema for %q", preset)
	}
	return s, nil
}

// CreateSchema runs a preset's DDL on the database at dsn (tables are
// created only if absent). It is for demo and load databases: `authscope
// seed --create-schema`.
func CreateSchema(ctx context.Context, dsn, preset string) error {
	ddl, err := SchemaSQL(preset)
	if err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return errors.New("pgstore: invalid PostgreSQL connection string")
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	defer conn.Close(ctx)
	// The ALTER TABLE … ADD CONSTRAINT of some presets is not idempotent:
	// run the DDL only when the sessions table is missing.
	l, _ := store.Preset(preset)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table(l.Sessions)).Scan(&exists); err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, ddl); err != nil {
		return fmt.Errorf("pgstore: create %s schema: %w", preset, err)
	}
	return nil
}
