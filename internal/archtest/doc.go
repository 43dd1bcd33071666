// Package archtest holds no code: its test keeps the import rules that
// ARCHITECTURE.md draws, so a shortcut across rooms fails `go test ./...`
// instead of eroding the layering one import at a time.
package archtest
