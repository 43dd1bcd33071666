//go:build race

package bench

// raceEnabled: the race detector slows the generator several times over.
const raceEnabled = true
