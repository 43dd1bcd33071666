package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is every style the TUI uses, built for a light or dark terminal by
// NewStyles. It is the only place colours appear.
type Styles struct {
	IsDark bool

	App struct {
		Title, Tab, ActiveTab, Dim, Error, OK, Warn, Box, Heading, Key lipgloss.Style
	}
	Sessions struct {
		Header, Row, Selected, Placeholder, Active, Expired, Due lipgloss.Style
	}
	Status struct {
		Bar, Segment, Error lipgloss.Style
	}
	Dialog lipgloss.Style
	Chart  struct {
		Axis, Label lipgloss.Style
		// Series colours, one family per mode so local and proxy differ,
		// one colour per scenario within it (seriesStyle picks).
		Local, Proxy []lipgloss.Style
	}
	Help help.Styles
}

// NewStyles builds the styles for the terminal background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		fg     = ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
		dim    = ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
		accent = ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))
		good   = ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
		bad    = ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149"))
		warn   = ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
		selBg  = ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
		barBg  = ld(lipgloss.Color("#eaeef2"), lipgloss.Color("#21262d"))
		// Cool colours for local scenarios, warm ones for proxy.
		local = []color.Color{
			ld(lipgloss.Color("#0969da"), lipgloss.Color("#58a6ff")),
			ld(lipgloss.Color("#1b7c83"), lipgloss.Color("#39c5cf")),
			ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#56d364")),
			ld(lipgloss.Color("#6639ba"), lipgloss.Color("#bc8cff")),
		}
		proxy = []color.Color{
			ld(lipgloss.Color("#bc4c00"), lipgloss.Color("#ffa657")),
			ld(lipgloss.Color("#bf3989"), lipgloss.Color("#ff7b72")),
			ld(lipgloss.Color("#7d4e00"), lipgloss.Color("#e3b341")),
			ld(lipgloss.Color("#a40e26"), lipgloss.Color("#f778ba")),
		}
		border  = ld(lipgloss.Color("#d0d7de"), lipgloss.Color("#30363d"))
		onAccnt = ld(lipgloss.Color("#ffffff"), lipgloss.Color("#0d1117"))
	)
	s := &Styles{IsDark: isDark}
	base := lipgloss.NewStyle().Foreground(fg)
	s.App.Title = base.Bold(true).Foreground(accent)
	s.App.Tab = base.Foreground(dim).Padding(0, 1)
	s.App.ActiveTab = base.Bold(true).Foreground(onAccnt).Background(accent).Padding(0, 1)
	s.App.Dim = base.Foreground(dim)
	s.App.Error = base.Foreground(bad)
	s.App.OK = base.Foreground(good)
	s.App.Warn = base.Foreground(warn)
	s.App.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.App.Heading = base.Bold(true)
	s.App.Key = base.Bold(true).Foreground(accent)

	s.Sessions.Header = base.Bold(true).Foreground(dim)
	s.Sessions.Row = base
	s.Sessions.Selected = base.Background(selBg).Bold(true)
	s.Sessions.Placeholder = base.Foreground(dim)
	s.Sessions.Active = base.Foreground(good)
	s.Sessions.Expired = base.Foreground(bad)
	s.Sessions.Due = base.Foreground(warn)

	s.Status.Bar = base.Background(barBg)
	s.Status.Segment = base.Background(barBg).Padding(0, 1)
	s.Status.Error = base.Background(barBg).Foreground(bad).Padding(0, 1)

	s.Dialog = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(warn).Padding(1, 2)

	s.Chart.Axis = base.Foreground(dim)
	s.Chart.Label = base.Foreground(dim)
	for _, c := range local {
		s.Chart.Local = append(s.Chart.Local, lipgloss.NewStyle().Foreground(c))
	}
	for _, c := range proxy {
		s.Chart.Proxy = append(s.Chart.Proxy, lipgloss.NewStyle().Foreground(c))
	}

	s.Help = help.DefaultStyles(isDark)
	return s
}

// seriesStyle is the colour of a scenario in the chart and the table: its
// mode's family, the rank-th colour in it (the rank among the run's
// scenarios of that mode).
func (s *Styles) seriesStyle(proxy bool, rank int) lipgloss.Style {
	family := s.Chart.Local
	if proxy {
		family = s.Chart.Proxy
	}
	return family[max(rank, 0)%len(family)]
}
