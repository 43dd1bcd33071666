package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding, grouped by where it applies (Crush's nested
// groups). Conventions follow k9s and lazygit. Build it with DefaultKeyMap;
// bindings that do not apply right now are disabled so help stays truthful.
type KeyMap struct {
	Global struct {
		Help, Quit, Next, Prev, Screen1, Screen2, Screen3 key.Binding
		Mode, Strategy, Cache                             key.Binding
	}
	Nav struct {
		Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	}
	Sessions struct {
		Filter, Sort, Detail, Back, Refresh key.Binding
	}
	Detail struct {
		Reveal, Revoke, RevokeUser, Copy, Back key.Binding
	}
	Resolver struct {
		Redaction key.Binding
	}
	Load struct {
		StartStop, Capacity, Export key.Binding
	}
	Confirm struct {
		Yes, No key.Binding
	}
}

// DefaultKeyMap returns the bindings the README documents.
func DefaultKeyMap() KeyMap {
	var k KeyMap
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k.Global.Help = b([]string{"?"}, "?", "help")
	k.Global.Quit = b([]string{"q", "ctrl+c"}, "q", "quit")
	k.Global.Next = b([]string{"tab"}, "tab", "next screen")
	k.Global.Prev = b([]string{"shift+tab"}, "shift+tab", "prev screen")
	k.Global.Screen1 = b([]string{"1"}, "1", "sessions")
	k.Global.Screen2 = b([]string{"2"}, "2", "resolver")
	k.Global.Screen3 = b([]string{"3"}, "3", "load")
	k.Global.Mode = b([]string{"m"}, "m", "local/proxy")
	k.Global.Strategy = b([]string{"s"}, "s", "jwt/database")
	k.Global.Cache = b([]string{"c"}, "c", "cache on/off")

	k.Nav.Up = b([]string{"k", "up"}, "k/↑", "up")
	k.Nav.Down = b([]string{"j", "down"}, "j/↓", "down")
	k.Nav.Top = b([]string{"g", "home"}, "g", "top")
	k.Nav.Bottom = b([]string{"G", "end"}, "G", "bottom")
	k.Nav.PageUp = b([]string{"pgup", "ctrl+b"}, "pgup", "page up")
	k.Nav.PageDown = b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down")

	k.Sessions.Filter = b([]string{"/"}, "/", "filter")
	k.Sessions.Sort = b([]string{"o"}, "o", "sort (see below)")
	k.Sessions.Detail = b([]string{"enter"}, "enter", "detail")
	k.Sessions.Back = b([]string{"esc"}, "esc", "clear filter")
	k.Sessions.Refresh = b([]string{"ctrl+r"}, "ctrl+r", "refresh")

	k.Detail.Reveal = b([]string{"r"}, "r", "reveal (confirm)")
	k.Detail.Revoke = b([]string{"x"}, "x", "revoke (confirm)")
	k.Detail.RevokeUser = b([]string{"X"}, "X", "revoke all the user's (confirm)")
	k.Detail.Copy = b([]string{"y"}, "y", "copy (redacted)")
	k.Detail.Back = b([]string{"esc"}, "esc", "back")

	k.Resolver.Redaction = b([]string{"r"}, "r", "lock reveal / unlock (confirm)")

	k.Load.StartStop = b([]string{"space"}, "space", "start/stop run")
	k.Load.Capacity = b([]string{"p"}, "p", "capacity search")
	k.Load.Export = b([]string{"e"}, "e", "export report")

	k.Confirm.Yes = b([]string{"y", "enter"}, "y", "confirm")
	k.Confirm.No = b([]string{"n", "esc"}, "n/esc", "cancel")
	return k
}

// globalColumn is the help column every screen shares.
func (k KeyMap) globalColumn() []key.Binding {
	return []key.Binding{k.Global.Next, k.Global.Prev, k.Global.Screen1, k.Global.Screen2, k.Global.Screen3, k.Global.Help, k.Global.Quit}
}

// settingsColumn is the resolver toggles column.
func (k KeyMap) settingsColumn() []key.Binding {
	return []key.Binding{k.Global.Mode, k.Global.Strategy, k.Global.Cache}
}

// navColumn is the movement column.
func (k KeyMap) navColumn() []key.Binding {
	return []key.Binding{k.Nav.Up, k.Nav.Down, k.Nav.Top, k.Nav.Bottom, k.Nav.PageUp, k.Nav.PageDown}
}
