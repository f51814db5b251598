package checker

import "slices"

// A Decoder is a Model that can rebuild a state from its encoding. The
// checker then keeps the states it has yet to expand (the frontier and the
// candidates of the next level) as encodings rather than values. That
// saves memory when the encoding is smaller than the value, as it is for a
// model whose state has fixed-size arrays of which a configuration uses a
// prefix: the frontier of a large model can outweigh its visited set.
type Decoder[S any] interface {
	// Decode sets *s to the state that Encode encoded as b.
	Decode(b []byte, s *S)
}

// An InvariantFilter is a Model that can say, in one test cheaper than all
// of them, that a state breaks none of its Always properties. When
// AlwaysHold(s) is true the checker does not evaluate them one by one;
// when it is false, it does, to name the first that fails. AlwaysHold must
// be true exactly when every Always property's Cond is: a model with many
// invariants that share a cheap common test (a runtime model's "no throw
// was recorded" standing for one invariant per throw) saves most of their
// cost per state.
type InvariantFilter[S any] interface {
	AlwaysHold(s *S) bool
}

// A NextIntoer is a Model that can write a successor into memory the
// checker provides. The checker then computes successors in place, which
// saves copying each one (and, for a model whose Next must allocate its
// result, an allocation per successor).
type NextIntoer[S, A any] interface {
	// NextInto sets *dst to Next(s, a). dst and s do not overlap.
	NextInto(s *S, a A, dst *S)
}

// A stateList holds states in order: as values, or, with a decoder, as
// their encodings back to back in chunks. A list with a chunk size (the
// frontier, which can hold millions of states) allocates chunks of that
// size and never copies itself as it grows, so a level costs no more than
// its states plus one chunk, and reset keeps the chunks for the next level;
// an encoding never straddles two chunks. A list without one (a block's
// candidates, a few hundred states) keeps a single growing chunk.
type stateList[S any] struct {
	vals []S

	chunkSize int      // 0: a single chunk that grows
	chunks    [][]byte // chunks[:used] hold encodings; the last is being filled
	used      int
	maxEnc    int      // the longest encoding seen, to leave room for the next
	loc       []uint64 // state i: chunk index<<32 | end of its encoding in the chunk

	// disk, if not nil, holds the encodings instead of chunks (see
	// spill.go); loc[i] is then the end of encoding i in the file.
	disk *diskList
}

const frontierChunk = 4 << 20

func (l *stateList[S]) reset() {
	l.vals, l.loc = l.vals[:0], l.loc[:0]
	if l.disk != nil {
		l.disk.reset()
		return
	}
	for i := range l.chunks[:l.used] {
		l.chunks[i] = l.chunks[i][:0]
	}
	l.used = 0
}

// len is the number of states; one of vals and loc is always empty.
func (l *stateList[S]) len() int { return len(l.vals) + len(l.loc) }

// room returns the chunk to append an encoding of n bytes to (n < 0: of
// at most maxEnc bytes), starting a new one when the current one is full.
func (l *stateList[S]) room(n int) *[]byte {
	if n < 0 {
		n = l.maxEnc
	}
	if d := l.disk; d != nil {
		if len(d.buf)+n > cap(d.buf) {
			d.flush()
			if cap(d.buf) < n {
				d.buf = make([]byte, 0, n)
			}
		}
		return &d.buf
	}
	if l.used > 0 {
		c := &l.chunks[l.used-1]
		if l.chunkSize == 0 && len(*c)+n > cap(*c) {
			// Double: an append by the encoder would grow a large
			// chunk by a quarter, and copy it again soon after.
			*c = slices.Grow(*c, max(n, cap(*c)))
		}
		if l.chunkSize == 0 || len(*c)+n <= cap(*c) {
			return c
		}
	}
	switch {
	case l.used == len(l.chunks):
		l.chunks = append(l.chunks, make([]byte, 0, max(l.chunkSize, n)))
	case cap(l.chunks[l.used]) < n:
		// A chunk kept from an earlier level, too small for what
		// place reserves (a block's new states can outgrow a chunk).
		l.chunks[l.used] = make([]byte, 0, max(l.chunkSize, n))
	}
	l.used++
	return &l.chunks[l.used-1]
}

// push records the encoding that was just appended to chunk c, from start.
func (l *stateList[S]) push(c *[]byte, start int) {
	l.maxEnc = max(l.maxEnc, len(*c)-start)
	if d := l.disk; d != nil {
		l.loc = append(l.loc, uint64(d.size)+uint64(len(*c)))
		return
	}
	l.loc = append(l.loc, uint64(l.used-1)<<32|uint64(len(*c)))
}

// add appends st, encoded if dec is not nil.
func (l *stateList[S]) add(st *S, m encoder[S], dec Decoder[S]) {
	if dec == nil {
		l.vals = append(l.vals, *st)
		return
	}
	c := l.room(-1)
	start := len(*c)
	// If the encoding is longer than any before, the chunk may be
	// reallocated by the append: still correct, only a copy.
	*c = m.Encode(st, *c)
	l.push(c, start)
}

// copyFrom appends state i of src, a list in memory.
func (l *stateList[S]) copyFrom(src *stateList[S], i int, dec Decoder[S]) {
	if dec == nil {
		l.vals = append(l.vals, src.vals[i])
		return
	}
	l.addEncoding(src.encoding(i))
}

// addEncoding appends the state encoded as e.
func (l *stateList[S]) addEncoding(e []byte) {
	c := l.room(len(e))
	start := len(*c)
	*c = append(*c, e...)
	l.push(c, start)
}

// place reserves room at the list's end, in memory, for n states whose
// encodings take size bytes in all, back to back in one chunk, for put to
// fill in (several workers may fill different places at once). It returns
// the chunk, the offset there and the index of the first state.
func (l *stateList[S]) place(n, size int) (chunk, off, first int) {
	first = l.len()
	if n == 0 {
		return 0, 0, first
	}
	c := l.room(size)
	off = len(*c)
	*c = (*c)[:off+size]
	l.loc = slices.Grow(l.loc, n)[:first+n]
	return l.used - 1, off, first
}

// put writes encoding e as state i, at offset off of chunk ch (reserved by
// place), and returns the offset after it.
func (l *stateList[S]) put(i, ch, off int, e []byte) int {
	end := off + copy(l.chunks[ch][off:], e)
	l.loc[i] = uint64(ch)<<32 | uint64(end)
	return end
}

// placeValues reserves n states at the end of a list of values, for the
// caller to set, and returns the index of the first.
func (l *stateList[S]) placeValues(n int) (first int) {
	first = len(l.vals)
	l.vals = slices.Grow(l.vals, n)[:first+n]
	return first
}

// seal makes the list readable: a spilled list's buffer is written out.
func (l *stateList[S]) seal() {
	if l.disk != nil {
		l.disk.flush()
	}
}

// enc returns the encoding of state i; rd is the caller's buffer for a
// spilled list, which must be sealed.
func (l *stateList[S]) enc(i int, rd *listReader) []byte {
	if l.disk != nil {
		return l.spilledEncoding(i, rd)
	}
	return l.encoding(i)
}

// encoding returns the encoding of state i of a list in memory.
func (l *stateList[S]) encoding(i int) []byte {
	ch, start, end := l.span(i)
	return l.chunks[ch][start:end]
}

// span returns where the encoding of state i of a list in memory is: its
// chunk and its bounds in the chunk.
func (l *stateList[S]) span(i int) (ch, start, end int) {
	ch, end = int(l.loc[i]>>32), int(uint32(l.loc[i]))
	if i > 0 && int(l.loc[i-1]>>32) == ch {
		start = int(uint32(l.loc[i-1]))
	}
	return ch, start, end
}

// at returns state i: in place, or decoded into scratch (rd as for enc).
func (l *stateList[S]) at(i int, scratch *S, dec Decoder[S], rd *listReader) *S {
	if dec == nil {
		return &l.vals[i]
	}
	dec.Decode(l.enc(i, rd), scratch)
	return scratch
}

type encoder[S any] interface {
	Encode(s *S, dst []byte) []byte
}
