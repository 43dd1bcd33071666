package profiles

import (
	"slices"
	"strings"
)

// nearestKey is the known key an unknown one most likely meant, or "":
// a typo (tll → ttl, sesions → sessions), or a key written without its
// qualifier (prefix → key_prefix). Ties go to the key sorted first, so
// the hint is stable.
func nearestKey(unknown string, known []string) string {
	u := normalizeKey(unknown)
	if u == "" {
		return ""
	}
	known = slices.Sorted(slices.Values(known))
	// The one known key that contains the unknown one as a whole word
	// (key_prefix for prefix) is the likeliest meaning; with several
	// (age: max_age, update_age) none is.
	var holders []string
	for _, k := range known {
		if slices.Contains(strings.Split(k, "_"), strings.ToLower(unknown)) {
			holders = append(holders, k)
		}
	}
	if len(holders) == 1 {
		return holders[0]
	}
	best, bestDist := "", 0
	for _, k := range known {
		d := editDistance(u, normalizeKey(k))
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	// Beyond about a third of the word, the "nearest" key is a guess.
	if best == "" || bestDist > max(1, len(u)/3) {
		return ""
	}
	return best
}

// normalizeKey folds case and separators: maxAge, max-age and max_age
// are one key to a reader.
func normalizeKey(s string) string {
	return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
