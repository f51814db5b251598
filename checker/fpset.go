package checker

// The visited set: 64-bit fingerprints in open-addressed Robin Hood tables.
//
// The set is split into fpShards shards by the fingerprint's top bits, so
// that workers can insert into disjoint shards without locks and so that a
// shard grows by rehashing only itself. Within a shard, a fingerprint's home
// slot is its low 32 bits scaled to the shard's capacity (the capacity need
// not be a power of two), and collisions probe forward. Robin Hood insertion
// keeps entries ordered by home slot (then by low bits), so a miss stops as soon as it meets an
// entry that is closer to its own home than the probe is, and the table can
// run at a high load: the set grows by 5/4 when it is 7/8 full, which keeps
// the load between 0.70 and 0.875 and the memory near 10 bytes per state.
// Probes never wrap: each table has a tail of fpTail spare slots, and a probe
// that would run past it grows the table instead.

const (
	fpShardBits = 6
	fpShards    = 1 << fpShardBits
	fpTail      = 64
	fpMinCap    = 64
)

type fpShard struct {
	slots []uint64 // capacity + fpTail; 0 is an empty slot
	cap   uint64   // slots that are home to some fingerprint
	n     uint64
	mem   *tableMem
}

type fpSet struct {
	shards [fpShards]fpShard
	mem    *tableMem // the large tables (tablemem.go)
}

func newFPSet() *fpSet {
	s := &fpSet{mem: newTableMem()}
	for i := range s.shards {
		s.shards[i].mem = s.mem
		s.shards[i].init(fpMinCap)
	}
	watchTables(s)
	return s
}

// release frees the set's large tables now; the set must not be used
// after it. A nil set has nothing to release.
func (s *fpSet) release() {
	if s == nil {
		return
	}
	for i := range s.shards {
		s.shards[i].slots = nil
	}
	s.mem.freeAll()
}

func fpShardOf(fp uint64) int { return int(fp >> (64 - fpShardBits)) }

func (sh *fpShard) init(c uint64) {
	sh.cap = c
	sh.slots = sh.mem.alloc(int(c + fpTail))
	sh.n = 0
}

func (sh *fpShard) home(fp uint64) uint64 {
	return (fp & 0xffffffff) * sh.cap >> 32
}

// contains reports whether fp is in the shard. It only reads.
//
// Homes are monotone in the low 32 bits and entries sit in home order, so
// the table is sorted by the fingerprints' low 32 bits (equal low halves in
// any order): a probe stops at the first entry whose low half is larger.
func (sh *fpShard) contains(fp uint64) bool {
	lo := uint32(fp)
	slots := sh.slots
	for i := sh.home(fp); i < uint64(len(slots)); i++ {
		e := slots[i]
		if e == fp {
			return true
		}
		if e == 0 || uint32(e) > lo {
			return false
		}
	}
	return false
}

// insert adds fp and reports whether it was new.
func (sh *fpShard) insert(fp uint64) bool {
	if sh.n+1 > sh.cap/8*7 {
		sh.grow()
	}
	lo := uint32(fp)
	slots := sh.slots
	for i := sh.home(fp); i < uint64(len(slots)); i++ {
		e := slots[i]
		if e == fp {
			return false
		}
		if e == 0 {
			slots[i] = fp
			sh.n++
			return true
		}
		if uint32(e) > lo {
			// fp is absent and belongs here. The entries from e to
			// the next empty slot are in order and each one can
			// move up a slot (that only lengthens its probe), so
			// Robin Hood displacement is a shift of that run.
			j := i + 1
			for j < uint64(len(slots)) && slots[j] != 0 {
				j++
			}
			if j == uint64(len(slots)) {
				break
			}
			copy(slots[i+1:j+1], slots[i:j])
			slots[i] = fp
			sh.n++
			return true
		}
	}
	// The probe or the shift would run past the tail.
	sh.grow()
	return sh.insert(fp)
}

// grow rehashes the shard into a table 5/4 as large. Homes are monotone in
// the low 32 bits and the old table is in home order, so the entries can be
// laid down in one forward pass: each goes to its home or just after the
// previous entry, whichever is later. That is a valid Robin Hood table.
func (sh *fpShard) grow() {
	old := sh.slots
	n := sh.n
	for c := sh.cap + sh.cap/4; ; c += c / 4 {
		sh.init(c)
		pos := uint64(0)
		ok := true
		for _, e := range old {
			if e == 0 {
				continue
			}
			pos = max(pos, sh.home(e))
			if pos >= uint64(len(sh.slots)) {
				ok = false
				break
			}
			sh.slots[pos] = e
			pos++
		}
		if ok {
			break
		}
		sh.mem.free(sh.slots)
	}
	sh.mem.free(old)
	sh.n = n
}

func (s *fpSet) contains(fp uint64) bool { return s.shards[fpShardOf(fp)].contains(fp) }

func (s *fpSet) insert(fp uint64) bool { return s.shards[fpShardOf(fp)].insert(fp) }

// touch loads the home slot of fp and returns it. Probes are cache misses;
// the search touches the fingerprints of a batch, or a few ahead of the one
// it probes, so that their misses overlap instead of following each other
// (Go has no prefetch instruction; an independent load does the same).
func (s *fpSet) touch(fp uint64) uint64 {
	sh := &s.shards[fpShardOf(fp)]
	return sh.slots[sh.home(fp)]
}

func (s *fpSet) bytes() int64 {
	var b int64
	for i := range s.shards {
		b += int64(cap(s.shards[i].slots)) * 8
	}
	return b
}
