package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authscope/authscope/resolver"
)

// Minimum terminal size; below it the app shows one "too small" line.
const (
	minWidth  = 60
	minHeight = 16
)

var errNoEngine = errors.New("resolver not ready")

// screen is one of the three top-level screens.
type screen int

const (
	screenSessions screen = iota
	screenResolver
	screenLoad
	numScreens
)

// String implements fmt.Stringer.
func (s screen) String() string {
	switch s {
	case screenResolver:
		return "Resolver"
	case screenLoad:
		return "Load"
	default:
		return "Sessions"
	}
}

// common is the state every screen reads, shared by pointer (Glow style).
type common struct {
	ctx    context.Context
	deps   Deps
	keys   KeyMap
	styles *Styles
	width  int
	height int
	now    time.Time

	settings Settings
	// red is the redaction policy; revealLocked forbids reveals entirely.
	red          *resolver.Redactor
	revealLocked bool

	// engine is the ready resolver (nil while the first build runs);
	// engineGen is the generation of the latest build requested.
	engine    *meteredEngine
	engineGen uint64
	building  bool
	// engineErr is why the latest build failed (shown on the Resolver
	// screen, where "not ready" alone would leave the user guessing).
	engineErr error

	// tick schedules timer messages (tea.Tick); tests replace it so timers
	// never fire behind their back.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// Model is the root Bubble Tea model: it routes messages to the three
// screens, owns the status bar, the help overlay and the confirmation
// dialog, and is the only place a tea.View is built.
type Model struct {
	c        *common
	screen   screen
	sessions sessionsModel
	resolver resolverModel
	load     loadModel
	status   statusBar
	help     help.Model
	showHelp bool
	confirm  *confirmDialog
}

// confirmDialog asks yes/no; yes dispatches msg.
type confirmDialog struct {
	prompt string
	msg    tea.Msg
}

// New builds the app; nothing is resolved or listed until the program runs
// Init's commands.
func New(d Deps) *Model {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.RefreshEvery <= 0 {
		d.RefreshEvery = 5 * time.Second
	}
	if d.Context == nil {
		d.Context = context.Background()
	}
	if d.Settings.Mode == "" {
		d.Settings.Mode = resolver.ModeLocal
	}
	if d.Settings.Strategy == "" {
		d.Settings.Strategy = resolver.StrategyJWT
	}
	c := &common{
		ctx:      d.Context,
		deps:     d,
		keys:     DefaultKeyMap(),
		styles:   NewStyles(true),
		now:      d.Clock(),
		settings: d.Settings,
		width:    80,
		height:   24,
		red:      d.Redactor,
		tick:     tea.Tick,
	}
	if c.red == nil {
		c.red = resolver.NewRedactor(resolver.RedactOptions{})
	}
	m := &Model{c: c, help: help.New()}
	m.sessions = newSessionsModel(c)
	m.resolver = resolverModel{c: c}
	m.load = newLoadModel(c)
	m.help.Styles = c.styles.Help
	m.layout()
	return m
}

// Init asks for the background colour, builds the resolver, lists the
// first window and starts the refresh tick.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(
		tea.RequestBackgroundColor,
		m.rebuild(),
		m.sessions.reload(),
		tickCmd(m.c, m.sessions.tickGen),
	)
}

// rebuild asks for a resolver for the current settings. Results of earlier
// builds are dropped by generation.
func (m *Model) rebuild() tea.Cmd {
	m.c.engineGen++
	m.c.building = true
	return buildEngineCmd(m.c.ctx, m.c.deps.Resolvers, m.c.deps.Latencies, m.c.engineGen, m.c.settings)
}

// Update routes msg: sizes to every screen, async results to their owner
// whatever screen is active, keys to the dialog, the help, global bindings
// or the active screen, in that order. It never does I/O.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.layout()
		return m, m.sessions.ensureWindow()
	case tea.BackgroundColorMsg:
		m.c.styles = NewStyles(msg.IsDark())
		m.help.Styles = m.c.styles.Help
		return m, nil
	case engineReadyMsg:
		return m, m.engineReady(msg)
	case statsMsg:
		if msg.gen != m.c.engineGen || m.c.engine == nil {
			return m, nil
		}
		m.resolver.stats = msg.stats
		m.resolver.hasStats = true
		return m, statsCmd(m.c, msg.gen)
	case tickMsg, listMsg, resolvedRowsMsg, detailMsg, revealMsg, revokeMsg, revokedMsg, revokeUserMsg, revokedUserMsg:
		var cmd tea.Cmd
		cmd, st := m.sessions.update(msg)
		m.status.apply(st)
		return m, cmd
	case runStartedMsg, snapshotMsg, runDoneMsg, capStartedMsg, capStepMsg, capDoneMsg, exportedMsg:
		cmd, st := m.load.update(msg)
		m.status.apply(st)
		return m, cmd
	case statusMsg:
		m.status.apply(&msg)
		return m, nil
	case unlockMsg:
		m.c.revealLocked = false
		m.status.apply(&statusMsg{text: "reveal unlocked: one session at a time, after a confirmation"})
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	if m.screen == screenSessions {
		cmd, st := m.sessions.update(msg)
		m.status.apply(st)
		return m, cmd
	}
	return m, nil
}

func (m *Model) engineReady(msg engineReadyMsg) tea.Cmd {
	if msg.gen != m.c.engineGen {
		// A newer toggle superseded this build: release it.
		if msg.engine != nil {
			return closeEngineCmd(msg.engine)
		}
		return nil
	}
	m.c.building = false
	m.c.engineErr = msg.err
	if msg.err != nil {
		m.status.apply(&statusMsg{err: msg.err})
		old := m.c.engine
		m.c.engine = nil
		return closeEngineCmd(old)
	}
	old := m.c.engine
	m.c.engine = msg.engine
	m.resolver.hasStats = false
	// The settings are on the left of the status bar already: say where
	// resolution happens instead of repeating them.
	ready := "resolver ready"
	if msg.engine.Describe != "" {
		ready += ": " + msg.engine.Describe
	}
	m.status.apply(&statusMsg{text: ready})
	return tea.Batch(closeEngineCmd(old), m.sessions.resolveWindow(), statsCmd(m.c, m.c.engineGen))
}

// key handles a key press.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	// Bindings that do not apply are disabled so help stays truthful.
	m.c.keys.Detail.Revoke.SetEnabled(m.c.canRevoke())
	m.c.keys.Detail.RevokeUser.SetEnabled(m.c.canRevoke())
	k := m.c.keys
	// ctrl+c quits from anywhere: a dialog, the help, the filter.
	if key.Matches(msg, k.Global.Quit) && msg.String() == "ctrl+c" {
		return m.quit()
	}
	if m.confirm != nil {
		switch {
		case key.Matches(msg, k.Confirm.Yes):
			d := m.confirm
			m.confirm = nil
			_, cmd := m.Update(d.msg)
			return cmd
		case key.Matches(msg, k.Confirm.No):
			m.confirm = nil
			m.status.apply(&statusMsg{text: "cancelled"})
		}
		return nil
	}
	if m.showHelp {
		if key.Matches(msg, k.Global.Help, k.Global.Quit, k.Sessions.Back) {
			m.showHelp = false
		}
		return nil
	}
	// A focused filter gets every key but ctrl+c.
	if m.screen == screenSessions && m.sessions.filtering {
		cmd, st := m.sessions.key(msg)
		m.status.apply(st)
		return cmd
	}
	switch {
	case key.Matches(msg, k.Global.Quit):
		return m.quit()
	case key.Matches(msg, k.Global.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.Global.Next):
		m.screen = (m.screen + 1) % numScreens
		return nil
	case key.Matches(msg, k.Global.Prev):
		m.screen = (m.screen + numScreens - 1) % numScreens
		return nil
	case key.Matches(msg, k.Global.Screen1):
		m.screen = screenSessions
		return nil
	case key.Matches(msg, k.Global.Screen2):
		m.screen = screenResolver
		return nil
	case key.Matches(msg, k.Global.Screen3):
		m.screen = screenLoad
		return nil
	case key.Matches(msg, k.Global.Mode):
		if m.c.settings.Mode == resolver.ModeLocal {
			m.c.settings.Mode = resolver.ModeProxy
		} else {
			m.c.settings.Mode = resolver.ModeLocal
		}
		return m.settingsChanged(false)
	case key.Matches(msg, k.Global.Strategy):
		if m.c.settings.Strategy == resolver.StrategyJWT {
			m.c.settings.Strategy = resolver.StrategyDatabase
		} else {
			m.c.settings.Strategy = resolver.StrategyJWT
		}
		return m.settingsChanged(true)
	case key.Matches(msg, k.Global.Cache):
		m.c.settings.Cache = !m.c.settings.Cache
		return m.settingsChanged(false)
	}
	var (
		cmd tea.Cmd
		st  *statusMsg
	)
	switch m.screen {
	case screenSessions:
		cmd, st = m.sessions.key(msg)
		if d := m.sessions.pendingConfirm; d != nil {
			m.confirm, m.sessions.pendingConfirm = d, nil
		}
	case screenResolver:
		st = m.resolver.key(msg)
		if d := m.resolver.pendingConfirm; d != nil {
			m.confirm, m.resolver.pendingConfirm = d, nil
		}
	case screenLoad:
		cmd, st = m.load.key(msg)
	}
	m.status.apply(st)
	return cmd
}

// settingsChanged rebuilds the resolver; a strategy change also relists,
// since jwt and database sessions come from different populations.
func (m *Model) settingsChanged(relist bool) tea.Cmd {
	cmds := []tea.Cmd{m.rebuild()}
	m.sessions.results = map[string]rowResult{}
	if relist {
		m.sessions.closeDetail()
		m.sessions.fitSort()
		cmds = append(cmds, m.sessions.reload())
	}
	return tea.Batch(cmds...)
}

// quit stops runs before quitting so no goroutine outlives the program.
func (m *Model) quit() tea.Cmd {
	m.load.stopAll()
	return tea.Sequence(closeEngineCmd(m.c.engine), tea.Quit)
}

// layout pushes the inner size to every screen.
func (m *Model) layout() {
	w, h := m.c.width, m.bodyHeight()
	m.sessions.setSize(w, h)
	m.help.SetWidth(w - 4)
}

// bodyHeight is the height between the tab bar and the status bar.
func (m *Model) bodyHeight() int { return max(m.c.height-2, 1) }

// View renders the whole screen.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = m.title()
	v.SetContent(m.render())
	return v
}

// title is the terminal title: the screen and what it is doing, so a
// glance at the tab or window tells whether a run is still going.
func (m *Model) title() string {
	t := "authscope · " + m.screen.String()
	switch {
	case m.screen == screenSessions && m.sessions.detail != nil:
		t += " · session"
	case m.screen == screenLoad && m.load.running:
		t += " · running"
	case m.screen == screenLoad && m.load.snap != nil:
		t += " · finished"
	}
	return t
}

// render builds the screen content; split from View for tests and benchmarks.
func (m *Model) render() string {
	w, h := m.c.width, m.c.height
	if w < minWidth || h < minHeight {
		return ansi.Truncate(fmt.Sprintf("terminal too small: %dx%d (need %dx%d)", w, h, minWidth, minHeight), w, "…")
	}
	var body string
	switch {
	case m.confirm != nil:
		body = m.dialogView(m.confirm.prompt + "\n\n[y] confirm   [n/esc] cancel")
	case m.showHelp:
		body = m.helpView()
	default:
		switch m.screen {
		case screenResolver:
			body = m.resolver.view(w, m.bodyHeight())
		case screenLoad:
			body = m.load.view(w, m.bodyHeight())
		default:
			body = m.sessions.view()
		}
	}
	body = fitBlock(body, w, m.bodyHeight())
	return m.tabsView() + "\n" + body + "\n" + m.status.view(m.c, w)
}

// tabsView is the top line: app name and the three screens.
func (m *Model) tabsView() string {
	st := m.c.styles
	parts := []string{st.App.Title.Render("authscope") + " "}
	for s := screenSessions; s < numScreens; s++ {
		label := fmt.Sprintf("%d %s", int(s)+1, s)
		if s == m.screen {
			parts = append(parts, st.App.ActiveTab.Render(label))
		} else {
			parts = append(parts, st.App.Tab.Render(label))
		}
	}
	return ansi.Truncate(strings.Join(parts, ""), m.c.width, "")
}

// helpView is the full key list for the active screen plus the globals.
func (m *Model) helpView() string {
	m.c.keys.Detail.Revoke.SetEnabled(m.c.canRevoke())
	m.c.keys.Detail.RevokeUser.SetEnabled(m.c.canRevoke())
	k := m.c.keys
	cols := [][]key.Binding{k.globalColumn(), append(k.settingsColumn(), k.navColumn()...)}
	note := ""
	switch m.screen {
	case screenSessions:
		if m.sessions.detail != nil {
			cols = append(cols, []key.Binding{k.Detail.Reveal, k.Detail.Revoke, k.Detail.RevokeUser, k.Detail.Copy, k.Detail.Back})
			break
		}
		cols = append(cols, []key.Binding{k.Sessions.Filter, k.Sessions.Sort, k.Sessions.Detail, k.Sessions.Back, k.Sessions.Refresh,
			k.Detail.Revoke, k.Detail.RevokeUser})
		note = "\n\n" + m.c.styles.App.Dim.Render(wrapText(sortNote(m.sessions.sorts()), max(m.c.width-10, 30)))
	case screenResolver:
		cols = append(cols, []key.Binding{k.Resolver.Redaction})
	case screenLoad:
		cols = append(cols, []key.Binding{k.Load.StartStop, k.Load.Capacity, k.Load.Export})
	}
	title := m.c.styles.App.Heading.Render("Keys · " + m.screen.String())
	return m.c.styles.App.Box.Render(title + "\n\n" + m.help.FullHelpView(cols) + note + "\n\n" + m.c.styles.App.Dim.Render("? or esc closes"))
}

func (m *Model) dialogView(text string) string {
	box := m.c.styles.Dialog.Render(text)
	return lipgloss.Place(m.c.width, m.bodyHeight(), lipgloss.Center, lipgloss.Center, box)
}

// fitBlock pads or cuts s to exactly w columns by h lines so the status
// bar stays at the bottom whatever a screen renders.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
