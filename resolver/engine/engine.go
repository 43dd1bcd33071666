package engine

import (
	"fmt"
	"strings"
)

// Name is an engine choice.
type Name string

// Engines.
const (
	AuthJS     Name = "authjs"
	BetterAuth Name = "better-auth"
	Auto       Name = "auto"
)

// Names lists the choices, for help texts and errors.
var Names = []Name{AuthJS, BetterAuth, Auto}

// Parse reads an engine name; "" is Auth.js, the default.
func Parse(s string) (Name, error) {
	switch n := Name(strings.TrimSpace(s)); n {
	case "":
		return AuthJS, nil
	case AuthJS, BetterAuth, Auto:
		return n, nil
	}
	return "", fmt.Errorf("engine %q: want authjs, better-auth or auto", s)
}

// Valid reports whether n is a known engine ("" counts: the default).
func (n Name) Valid() bool {
	_, err := Parse(string(n))
	return err == nil
}

// Uses reports whether n involves engine e (Auto uses both).
func (n Name) Uses(e Name) bool {
	if n == "" {
		n = AuthJS
	}
	return n == e || n == Auto
}
