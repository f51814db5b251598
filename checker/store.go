package checker

import "slices"

// The trace store: for every distinct state, in breadth-first discovery
// order, the id of the state it was first reached from and the index of the
// action that reached it. Ids are dense uint32s, so a state costs 5 bytes
// here (a uint32 parent and a uint8 action index; the rare index of 255 or
// more is kept in a side map). An initial state has parent noParent and its
// index among the initial states as its action.
//
// Entries live in fixed-size chunks, so the store never copies itself as it
// grows and wastes at most one chunk (the first chunk grows by appending, so
// small runs stay small).

const (
	storeChunkBits = 20
	storeChunk     = 1 << storeChunkBits
	noParent       = ^uint32(0)
	actEscape      = 255
)

type traceStore struct {
	parents [][]uint32
	acts    [][]uint8
	wide    map[uint32]int // action index of states whose acts entry is actEscape
	n       uint32
}

func (t *traceStore) add(parent uint32, act int) uint32 {
	id := t.n
	t.grow(1)
	if t.set(id, parent, act) {
		t.setWide(id, act)
	}
	return id
}

// grow adds n entries, for set to fill in.
func (t *traceStore) grow(n int) {
	for n > 0 {
		c := int(t.n >> storeChunkBits)
		if c == len(t.parents) {
			// The first chunk grows by appending; later ones are
			// allocated whole.
			size := storeChunk
			if c == 0 {
				size = 1024
			}
			t.parents = append(t.parents, make([]uint32, 0, size))
			t.acts = append(t.acts, make([]uint8, 0, size))
		}
		k := min(n, storeChunk-len(t.parents[c]))
		t.parents[c] = slices.Grow(t.parents[c], k)[:len(t.parents[c])+k]
		t.acts[c] = slices.Grow(t.acts[c], k)[:len(t.acts[c])+k]
		t.n += uint32(k)
		n -= k
	}
}

// set fills in entry id, which grow added. Workers may set different
// entries at once; an action index too large for the entry is left for
// setWide (the map is not safe for concurrent use), and set reports it.
func (t *traceStore) set(id, parent uint32, act int) (wide bool) {
	c, i := id>>storeChunkBits, id&(storeChunk-1)
	t.parents[c][i] = parent
	if act >= actEscape {
		t.acts[c][i] = actEscape
		return true
	}
	t.acts[c][i] = uint8(act)
	return false
}

// setWide records the action index of entry id, which set found too large.
func (t *traceStore) setWide(id uint32, act int) {
	if t.wide == nil {
		t.wide = make(map[uint32]int)
	}
	t.wide[id] = act
}

func (t *traceStore) get(id uint32) (parent uint32, act int) {
	c, i := id>>storeChunkBits, id&(storeChunk-1)
	parent, act = t.parents[c][i], int(t.acts[c][i])
	if act == actEscape {
		act = t.wide[id]
	}
	return parent, act
}

// path returns the replayable path of state id: the initial state's index,
// then the action indexes.
func (t *traceStore) path(id uint32) []int {
	var rev []int
	for {
		parent, act := t.get(id)
		rev = append(rev, act)
		if parent == noParent {
			break
		}
		id = parent
	}
	path := make([]int, len(rev))
	for i, x := range rev {
		path[len(rev)-1-i] = x
	}
	return path
}

// bytes is the memory the store occupies: 5 bytes per allocated entry.
func (t *traceStore) bytes() int64 {
	var b int64
	for c := range t.parents {
		b += int64(cap(t.parents[c]))*4 + int64(cap(t.acts[c]))
	}
	return b
}
