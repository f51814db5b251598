package checker

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The visited set's large tables live outside the Go heap.
//
// A table is an array without pointers that the set replaces by one 5/4 as
// large when it fills. On the Go heap the old table would be garbage until
// the next collection and its pages kept by the runtime afterwards, and the
// collector would let the heap grow to twice the set before collecting: on
// a large run the resident memory would be about twice the set. Tables of
// at least bigTable bytes are instead mapped from the operating system and
// unmapped the moment they are replaced (where the system allows it; see
// mmap_unix.go), so the set's resident memory is its tables, no more. Small
// tables stay on the heap: a small search then makes no mappings at all.

const bigTable = 1 << 20

// tableMem owns a set's mapped tables. It is separate from the set so that
// a cleanup can unmap the tables of a set that was dropped without release.
type tableMem struct {
	mu   sync.Mutex
	live map[*uint64]int // first word -> length, of each mapped table
	// mapped is the bytes of the live mapped tables, which the Go heap's
	// statistics do not include (the memory limit adds them).
	mapped atomic.Int64
}

func newTableMem() *tableMem { return &tableMem{live: make(map[*uint64]int)} }

// alloc returns a zeroed table of n words.
func (m *tableMem) alloc(n int) []uint64 {
	if n*8 < bigTable {
		return make([]uint64, n)
	}
	t, ok := mapWords(n)
	if !ok {
		return make([]uint64, n)
	}
	m.mu.Lock()
	m.live[&t[0]] = n
	m.mu.Unlock()
	m.mapped.Add(int64(n) * 8)
	return t
}

// free releases t, which the caller no longer reads.
func (m *tableMem) free(t []uint64) {
	if len(t) == 0 {
		return
	}
	m.mu.Lock()
	n, ok := m.live[&t[0]]
	delete(m.live, &t[0])
	m.mu.Unlock()
	if ok {
		unmapWords(t[:n:n])
		m.mapped.Add(-int64(n) * 8)
	}
}

// freeAll releases every mapped table.
func (m *tableMem) freeAll() {
	m.mu.Lock()
	live := m.live
	m.live = make(map[*uint64]int)
	m.mu.Unlock()
	for p, n := range live {
		unmapWords(unsafeWords(p, n))
		m.mapped.Add(-int64(n) * 8)
	}
}

// watchTables unmaps the tables of s when s becomes unreachable, for the
// searches whose set is dropped without release.
func watchTables(s *fpSet) {
	runtime.AddCleanup(s, func(m *tableMem) { m.freeAll() }, s.mem)
}
