package resolver

import (
	"strings"
	"testing"
)

func TestValidateNeverEchoesURLPasswords(t *testing.T) {
	for _, u := range []string{"ftp://user:hunter2pw@x", "http://u:hunter2pw@", "::bad u:hunter2pw@host"} {
		err := Config{Mode: ModeProxy, Strategy: StrategyJWT, BaseURL: u, BasePath: "/api/auth"}.Validate()
		if err == nil {
			t.Fatalf("%q accepted", u)
		}
		if strings.Contains(err.Error(), "hunter2pw") {
			t.Errorf("error echoes the password: %v", err)
		}
	}
}

func TestValidateCollectsEveryProblem(t *testing.T) {
	err := Config{Mode: "sideways", Strategy: "cookies", BasePath: "api"}.Validate()
	for _, want := range []string{`mode "sideways"`, `strategy "cookies"`, `base path "api"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	// All of them on one line: a CLI prints one line per error.
	if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("error spans lines: %q", err)
	}
	if err := (Config{Secrets: []string{"s"}}).WithDefaults().Validate(); err != nil {
		t.Errorf("defaults with a secret: %v", err)
	}
	if err := (Config{}).WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "needs a secret") {
		t.Errorf("no secret: %v", err)
	}
}
