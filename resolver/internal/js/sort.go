package js

// V8's Array.prototype.sort (third_party/v8/builtins/array-sort.tq), as
// SessionStore.value runs it over the chunk names. Auth.js's comparator is
// not a consistent order (an un-numbered name is "equal" to every other),
// so the result depends on the exact algorithm: TimSort with V8's run
// detection, binary insertion sort for short runs, the run-stack
// invariants, and galloping merges with the adaptive minGallop. This is a
// transliteration; testdata/v8_chunk_sort*.json hold orders recorded from
// Node 20 that the resolver's cookie tests replay, including long arrays
// that merge and gallop.

// minGallopWins is V8's kMinGallopWins, also the initial minGallop.
const minGallopWins = 7

// timSort sorts a (indices) with cmp, whose result is only ever tested
// against 0 (NaN must already be mapped to 0, as SortCompare does).
type timSort struct {
	a         []int
	cmp       func(x, y int) float64
	minGallop int
	runBase   []int
	runLen    []int
}

// Sort sorts a (indices into the caller's data) as V8's
// Array.prototype.sort does with the comparator cmp, whose result is only
// tested against 0; the caller maps a NaN result to 0 as SortCompare does.
func Sort(a []int, cmp func(x, y int) float64) {
	n := len(a)
	if n < 2 {
		return
	}
	s := &timSort{a: a, cmp: cmp, minGallop: minGallopWins}
	minRun := computeMinRun(n)
	low, remaining := 0, n
	for remaining != 0 {
		runLen := countAndMakeRun(a, low, low+remaining, cmp)
		if runLen < minRun {
			forced := min(minRun, remaining)
			binaryInsertionSort(a, low, low+runLen, low+forced, func(x, y int) bool { return cmp(x, y) < 0 })
			runLen = forced
		}
		s.runBase = append(s.runBase, low)
		s.runLen = append(s.runLen, runLen)
		s.mergeCollapse()
		low += runLen
		remaining -= runLen
	}
	s.mergeForceCollapse()
}

// runInvariantEstablished: len[n-2] > len[n-1] + len[n].
func (s *timSort) runInvariantEstablished(n int) bool {
	if n < 2 {
		return true
	}
	return s.runLen[n-2] > s.runLen[n-1]+s.runLen[n]
}

func (s *timSort) mergeCollapse() {
	for len(s.runLen) > 1 {
		n := len(s.runLen) - 2
		if !s.runInvariantEstablished(n+1) || !s.runInvariantEstablished(n) {
			if n > 0 && s.runLen[n-1] < s.runLen[n+1] {
				n--
			}
			s.mergeAt(n)
		} else if s.runLen[n] <= s.runLen[n+1] {
			s.mergeAt(n)
		} else {
			break
		}
	}
}

func (s *timSort) mergeForceCollapse() {
	for len(s.runLen) > 1 {
		n := len(s.runLen) - 2
		if n > 0 && s.runLen[n-1] < s.runLen[n+1] {
			n--
		}
		s.mergeAt(n)
	}
}

func (s *timSort) mergeAt(i int) {
	a := s.a
	baseA, lenA := s.runBase[i], s.runLen[i]
	baseB, lenB := s.runBase[i+1], s.runLen[i+1]
	s.runLen[i] = lenA + lenB
	// Drop run i+1 (shifting i+2 down when it exists).
	s.runBase = append(s.runBase[:i+1], s.runBase[i+2:]...)
	s.runLen = append(s.runLen[:i+1], s.runLen[i+2:]...)

	k := s.gallopRight(a, a[baseB], baseA, lenA, 0)
	baseA += k
	lenA -= k
	if lenA == 0 {
		return
	}
	lenB = s.gallopLeft(a, a[baseA+lenA-1], baseB, lenB, lenB-1)
	if lenB == 0 {
		return
	}
	if lenA <= lenB {
		s.mergeLow(baseA, lenA, baseB, lenB)
	} else {
		s.mergeHigh(baseA, lenA, baseB, lenB)
	}
}

// gallopLeft returns the position of key in arr[base:base+length] (sorted),
// left of any equal elements, searching from hint.
func (s *timSort) gallopLeft(arr []int, key, base, length, hint int) int {
	lastOfs, ofs := 0, 1
	if s.cmp(arr[base+hint], key) < 0 {
		maxOfs := length - hint
		for ofs < maxOfs {
			if s.cmp(arr[base+hint+ofs], key) >= 0 {
				break
			}
			lastOfs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxOfs)
		lastOfs += hint
		ofs += hint
	} else {
		maxOfs := hint + 1
		for ofs < maxOfs {
			if s.cmp(arr[base+hint-ofs], key) < 0 {
				break
			}
			lastOfs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = hint-ofs, hint-lastOfs
	}
	lastOfs++
	for lastOfs < ofs {
		m := lastOfs + (ofs-lastOfs)>>1
		if s.cmp(arr[base+m], key) < 0 {
			lastOfs = m + 1
		} else {
			ofs = m
		}
	}
	return ofs
}

// gallopRight is gallopLeft landing right of any equal elements.
func (s *timSort) gallopRight(arr []int, key, base, length, hint int) int {
	lastOfs, ofs := 0, 1
	if s.cmp(key, arr[base+hint]) < 0 {
		maxOfs := hint + 1
		for ofs < maxOfs {
			if s.cmp(key, arr[base+hint-ofs]) >= 0 {
				break
			}
			lastOfs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = hint-ofs, hint-lastOfs
	} else {
		maxOfs := length - hint
		for ofs < maxOfs {
			if s.cmp(key, arr[base+hint+ofs]) < 0 {
				break
			}
			lastOfs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxOfs)
		lastOfs += hint
		ofs += hint
	}
	lastOfs++
	for lastOfs < ofs {
		m := lastOfs + (ofs-lastOfs)>>1
		if s.cmp(key, arr[base+m]) < 0 {
			ofs = m
		} else {
			lastOfs = m + 1
		}
	}
	return ofs
}

// mergeLow merges the adjacent runs A (shorter, copied out) and B forwards.
func (s *timSort) mergeLow(baseA, lenA, baseB, lenB int) {
	a := s.a
	tmp := append([]int(nil), a[baseA:baseA+lenA]...)
	dest, cursorTemp, cursorB := baseA, 0, baseB
	a[dest] = a[cursorB]
	dest++
	cursorB++
	lenB--
	if lenB == 0 {
		copy(a[dest:], tmp[cursorTemp:cursorTemp+lenA])
		return
	}
	if lenA == 1 {
		copy(a[dest:], a[cursorB:cursorB+lenB])
		a[dest+lenB] = tmp[cursorTemp]
		return
	}
	minGallop := s.minGallop
	for {
		winsA, winsB := 0, 0
		for {
			if s.cmp(a[cursorB], tmp[cursorTemp]) < 0 {
				a[dest] = a[cursorB]
				dest++
				cursorB++
				winsB++
				lenB--
				winsA = 0
				if lenB == 0 {
					goto succeed
				}
				if winsB >= minGallop {
					break
				}
			} else {
				a[dest] = tmp[cursorTemp]
				dest++
				cursorTemp++
				winsA++
				lenA--
				winsB = 0
				if lenA == 1 {
					goto copyB
				}
				if winsA >= minGallop {
					break
				}
			}
		}
		minGallop++
		for first := true; first || winsA >= minGallopWins || winsB >= minGallopWins; first = false {
			minGallop = max(1, minGallop-1)
			s.minGallop = minGallop
			winsA = s.gallopRight(tmp, a[cursorB], cursorTemp, lenA, 0)
			if winsA > 0 {
				copy(a[dest:], tmp[cursorTemp:cursorTemp+winsA])
				dest += winsA
				cursorTemp += winsA
				lenA -= winsA
				if lenA == 1 {
					goto copyB
				}
				if lenA == 0 {
					goto succeed
				}
			}
			a[dest] = a[cursorB]
			dest++
			cursorB++
			lenB--
			if lenB == 0 {
				goto succeed
			}
			winsB = s.gallopLeft(a, tmp[cursorTemp], cursorB, lenB, 0)
			if winsB > 0 {
				copy(a[dest:], a[cursorB:cursorB+winsB])
				dest += winsB
				cursorB += winsB
				lenB -= winsB
				if lenB == 0 {
					goto succeed
				}
			}
			a[dest] = tmp[cursorTemp]
			dest++
			cursorTemp++
			lenA--
			if lenA == 1 {
				goto copyB
			}
		}
		minGallop++
		s.minGallop = minGallop
	}
succeed:
	if lenA > 0 {
		copy(a[dest:], tmp[cursorTemp:cursorTemp+lenA])
	}
	return
copyB:
	copy(a[dest:], a[cursorB:cursorB+lenB])
	a[dest+lenB] = tmp[cursorTemp]
}

// mergeHigh merges A and B (shorter, copied out) backwards.
func (s *timSort) mergeHigh(baseA, lenA, baseB, lenB int) {
	a := s.a
	tmp := append([]int(nil), a[baseB:baseB+lenB]...)
	dest, cursorTemp, cursorA := baseB+lenB-1, lenB-1, baseA+lenA-1
	a[dest] = a[cursorA]
	dest--
	cursorA--
	lenA--
	if lenA == 0 {
		copy(a[dest-(lenB-1):], tmp[:lenB])
		return
	}
	if lenB == 1 {
		dest -= lenA
		cursorA -= lenA
		copy(a[dest+1:], a[cursorA+1:cursorA+1+lenA])
		a[dest] = tmp[cursorTemp]
		return
	}
	minGallop := s.minGallop
	for {
		winsA, winsB := 0, 0
		for {
			if s.cmp(tmp[cursorTemp], a[cursorA]) < 0 {
				a[dest] = a[cursorA]
				dest--
				cursorA--
				winsA++
				lenA--
				winsB = 0
				if lenA == 0 {
					goto succeed
				}
				if winsA >= minGallop {
					break
				}
			} else {
				a[dest] = tmp[cursorTemp]
				dest--
				cursorTemp--
				winsB++
				lenB--
				winsA = 0
				if lenB == 1 {
					goto copyA
				}
				if winsB >= minGallop {
					break
				}
			}
		}
		minGallop++
		for first := true; first || winsA >= minGallopWins || winsB >= minGallopWins; first = false {
			minGallop = max(1, minGallop-1)
			s.minGallop = minGallop
			k := s.gallopRight(a, tmp[cursorTemp], baseA, lenA, lenA-1)
			winsA = lenA - k
			if winsA > 0 {
				dest -= winsA
				cursorA -= winsA
				copy(a[dest+1:], a[cursorA+1:cursorA+1+winsA])
				lenA -= winsA
				if lenA == 0 {
					goto succeed
				}
			}
			a[dest] = tmp[cursorTemp]
			dest--
			cursorTemp--
			lenB--
			if lenB == 1 {
				goto copyA
			}
			k = s.gallopLeft(tmp, a[cursorA], 0, lenB, lenB-1)
			winsB = lenB - k
			if winsB > 0 {
				dest -= winsB
				cursorTemp -= winsB
				copy(a[dest+1:], tmp[cursorTemp+1:cursorTemp+1+winsB])
				lenB -= winsB
				if lenB == 1 {
					goto copyA
				}
				if lenB == 0 {
					goto succeed
				}
			}
			a[dest] = a[cursorA]
			dest--
			cursorA--
			lenA--
			if lenA == 0 {
				goto succeed
			}
		}
		minGallop++
		s.minGallop = minGallop
	}
succeed:
	if lenB > 0 {
		copy(a[dest-(lenB-1):], tmp[:lenB])
	}
	return
copyA:
	dest -= lenA
	cursorA -= lenA
	copy(a[dest+1:], a[cursorA+1:cursorA+1+lenA])
	a[dest] = tmp[cursorTemp]
}

// computeMinRun is V8's ComputeMinRunLength.
func computeMinRun(n int) int {
	r := 0
	for n >= 64 {
		r |= n & 1
		n >>= 1
	}
	return n + r
}

// countAndMakeRun is V8's CountAndMakeRun: the run starting at low; a
// strictly descending run ("order < 0" at each step) is reversed in place.
func countAndMakeRun(a []int, low, high int, cmp func(x, y int) float64) int {
	if low+1 == high {
		return 1
	}
	runLen := 2
	desc := cmp(a[low+1], a[low]) < 0
	prev := a[low+1]
	for i := low + 2; i < high; i++ {
		cur := a[i]
		order := cmp(cur, prev)
		if desc {
			if order >= 0 {
				break
			}
		} else if order < 0 {
			break
		}
		prev = cur
		runLen++
	}
	if desc {
		for i, j := low, low+runLen-1; i < j; i, j = i+1, j-1 {
			a[i], a[j] = a[j], a[i]
		}
	}
	return runLen
}

// binaryInsertionSort is V8's BinaryInsertionSort over a[low:high], where
// a[low:start] is already sorted.
func binaryInsertionSort(a []int, low, start, high int, less func(x, y int) bool) {
	if low == start {
		start++
	}
	for ; start < high; start++ {
		pivot := a[start]
		left, right := low, start
		for left < right {
			mid := left + (right-left)>>1
			if less(pivot, a[mid]) {
				right = mid
			} else {
				left = mid + 1
			}
		}
		copy(a[left+1:start+1], a[left:start])
		a[left] = pivot
	}
}
