package tui

import (
	"reflect"

	tea "charm.land/bubbletea/v2"
)

// sliceOfCmds unpacks tea's batch and sequence messages (both []Cmd).
func sliceOfCmds(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice {
		return nil
	}
	out := make([]tea.Cmd, 0, v.Len())
	for i := range v.Len() {
		if c, ok := v.Index(i).Interface().(tea.Cmd); ok {
			out = append(out, c)
		}
	}
	return out
}
