package mysqlstore

import (
	"fmt"
	"sort"
	"strings"

	"github.com/authscope/authscope/resolver/store"
)

// Layout names an adapter's tables and columns; it is the SQL layout
// type the PostgreSQL store uses, with MySQL's own presets.
type Layout = store.Layout

// presets are the MySQL layouts of the adapters in the wild. MySQL table
// names are case-sensitive on Linux (lower_case_table_names=0), so
// Prisma's "User" and Drizzle's "user" are different tables.
var presets = map[string]Layout{
	// @auth/prisma-adapter with the documented schema on provider "mysql":
	// VARCHAR(191) cuid ids, DATETIME(3) dates in UTC.
	"prisma": {
		Users: "User", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires", SessionUpdatedAt: "updatedAt",
	},
	// The Prisma docs' @@map/@map snake_case variant.
	"prisma-snake": {
		Users: "users", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "email_verified",
		Sessions: "sessions", SessionToken: "session_token", SessionUserID: "user_id", SessionExpires: "expires", SessionUpdatedAt: "updated_at",
	},
	// @auth/drizzle-adapter's default MySQL schema: "user"/"session",
	// VARCHAR(255) ids, TIMESTAMP dates.
	"drizzle": {
		Users: "user", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
	// @auth/kysely-adapter's documented MySQL migration: Prisma's names with
	// VARCHAR(36) uuid ids, TIMESTAMP(3) dates and no updatedAt.
	"kysely": {
		Users: "User", UserID: "id", UserName: "name", UserEmail: "email", UserImage: "image", UserEmailVerified: "emailVerified",
		Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", SessionExpires: "expires",
	},
}

// PresetNames lists the MySQL layouts, sorted.
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
		return Layout{}, fmt.Errorf("mysql: unknown schema %q (want auto or one of %s)", name, strings.Join(PresetNames(), ", "))
	}
	l.Name = name
	return l, nil
}

// schemas are the adapters' own DDL: what seed --create-schema runs on an
// empty database and what the tests build. Prisma's is prisma migrate's
// output; Drizzle's drizzle-kit's; Kysely's the adapter docs' migration.
var schemas = map[string]string{
	"prisma": "CREATE TABLE `User` (`id` VARCHAR(191) NOT NULL, `name` VARCHAR(191) NULL, `email` VARCHAR(191) NOT NULL, `emailVerified` DATETIME(3) NULL, `image` VARCHAR(191) NULL, `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), `updatedAt` DATETIME(3) NOT NULL, UNIQUE INDEX `User_email_key`(`email`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n" +
		"CREATE TABLE `Session` (`sessionToken` VARCHAR(191) NOT NULL, `userId` VARCHAR(191) NOT NULL, `expires` DATETIME(3) NOT NULL, `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), `updatedAt` DATETIME(3) NOT NULL, UNIQUE INDEX `Session_sessionToken_key`(`sessionToken`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n" +
		"ALTER TABLE `Session` ADD CONSTRAINT `Session_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE",
	"prisma-snake": "CREATE TABLE `users` (`id` VARCHAR(191) NOT NULL, `name` VARCHAR(191) NULL, `email` VARCHAR(191) NOT NULL, `email_verified` DATETIME(3) NULL, `image` VARCHAR(191) NULL, `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), `updated_at` DATETIME(3) NOT NULL, UNIQUE INDEX `users_email_key`(`email`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n" +
		"CREATE TABLE `sessions` (`id` VARCHAR(191) NOT NULL, `session_token` VARCHAR(191) NOT NULL, `user_id` VARCHAR(191) NOT NULL, `expires` DATETIME(3) NOT NULL, `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), `updated_at` DATETIME(3) NOT NULL, UNIQUE INDEX `sessions_session_token_key`(`session_token`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
	"drizzle": "CREATE TABLE `user` (`id` varchar(255) NOT NULL, `name` varchar(255), `email` varchar(255), `emailVerified` timestamp(3), `image` varchar(255), CONSTRAINT `user_id` PRIMARY KEY(`id`), CONSTRAINT `user_email_unique` UNIQUE(`email`));\n" +
		"CREATE TABLE `session` (`sessionToken` varchar(255) NOT NULL, `userId` varchar(255) NOT NULL, `expires` timestamp NOT NULL, CONSTRAINT `session_sessionToken` PRIMARY KEY(`sessionToken`));\n" +
		"ALTER TABLE `session` ADD CONSTRAINT `session_userId_user_id_fk` FOREIGN KEY (`userId`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action",
	"kysely": "CREATE TABLE `User` (`id` varchar(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, `name` varchar(255), `email` varchar(255) NOT NULL UNIQUE, `emailVerified` timestamp(3) NULL, `image` varchar(255));\n" +
		"CREATE TABLE `Session` (`id` varchar(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY, `userId` varchar(36) NOT NULL, `sessionToken` varchar(255) NOT NULL UNIQUE, `expires` timestamp(3) NOT NULL);\n" +
		"ALTER TABLE `Session` ADD CONSTRAINT `Session_userId_fk` FOREIGN KEY (`userId`) REFERENCES `User`(`id`) ON DELETE CASCADE",
}

// SchemaSQL returns a preset's DDL, statements separated by ";\n".
func SchemaSQL(preset string) (string, error) {
	s, ok := schemas[preset]
	if !ok {
		return "", fmt.Errorf("mysql: no schema for %q", preset)
	}
	return s, nil
}

// ident quotes a table or column name with backticks.
func ident(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
