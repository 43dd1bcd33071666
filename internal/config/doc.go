// Package config is where a command's resolver configuration is layered,
// once, in one order, and validated once: the profile (or, without one,
// Auth.js's own environment variables AUTH_SECRET, AUTH_SECRET_1..3 and
// AUTH_URL), then the resolver flags the command was given, then the
// command's own adjustments (serve's cache and proxy flags, upstream's
// fixed local mode), and only then resolver.Config.Validate.
//
// Why: each command used to validate the layered configuration, then apply
// its own flags and validate again (or not at all), so the same mistake
// could be reported at different points and an adjustment could leave an
// unchecked configuration. Layers here are plain functions over
// resolver.Config; the flag syntax and its error messages stay with the
// CLI, which owns the flags.
//
// It may import resolver and profiles, never the CLI.
package config
