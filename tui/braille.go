package tui

// brailleCanvas is a plot surface of w×h terminal cells, each a braille
// character of 2×4 dots (U+2800 plus one bit per dot), so a curve has
// twice the columns and four times the rows of a one-glyph-per-cell plot
// and reads as a line rather than a trail of marks (the technique
// ntcharts and drawille use). Each cell remembers which series drew in
// it, or that several did, so the renderer can colour it.
type brailleCanvas struct {
	w, h  int
	dots  []uint8 // per cell, the braille bits set
	owner []int   // per cell: the series drawing in it, sharedCell, or -1
}

// sharedCell marks a cell two or more series drew in.
const sharedCell = -2

func newBrailleCanvas(w, h int) *brailleCanvas {
	c := &brailleCanvas{w: w, h: h, dots: make([]uint8, w*h), owner: make([]int, w*h)}
	for i := range c.owner {
		c.owner[i] = -1
	}
	return c
}

// dotBits is the braille bit of the dot at column x (0-1) and row y (0-3)
// of a cell: dots 1-3 and 7 down the left, 4-6 and 8 down the right.
var dotBits = [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// set turns on the dot at (x, y) in dot coordinates (2w × 4h, y down)
// for series; dots outside the canvas are ignored.
func (c *brailleCanvas) set(x, y, series int) {
	if x < 0 || y < 0 || x >= 2*c.w || y >= 4*c.h {
		return
	}
	i := (y/4)*c.w + x/2
	c.dots[i] |= dotBits[x%2][y%4]
	switch c.owner[i] {
	case -1:
		c.owner[i] = series
	case series, sharedCell:
	default:
		c.owner[i] = sharedCell
	}
}

// vline sets the dots of column x from y0 to y1 (either order): joining
// a curve's consecutive points so a steep rise stays one line.
func (c *brailleCanvas) vline(x, y0, y1, series int) {
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	for y := y0; y <= y1; y++ {
		c.set(x, y, series)
	}
}

// cell is the character and owner of cell (col, row); a blank cell is 0.
func (c *brailleCanvas) cell(col, row int) (rune, int) {
	i := row*c.w + col
	if c.dots[i] == 0 {
		return 0, -1
	}
	return rune(0x2800 + int(c.dots[i])), c.owner[i]
}
