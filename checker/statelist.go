package checker

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

// A NextIntoer is a Model that can write a successor into memory the
// checker provides. The checker then computes successors in place, which
// saves copying each one (and, for a model whose Next must allocate its
// result, an allocation per successor).
type NextIntoer[S, A any] interface {
	// NextInto sets *dst to Next(s, a). dst and s do not overlap.
	NextInto(s *S, a A, dst *S)
}

// A stateList holds states in order: as values, or, with a decoder, as
// their encodings back to back.
type stateList[S any] struct {
	vals []S
	data []byte
	ends []int // ends[i]: the end of state i's encoding in data
}

func (l *stateList[S]) reset() {
	l.vals, l.data, l.ends = l.vals[:0], l.data[:0], l.ends[:0]
}

// len is the number of states; one of vals and ends is always empty.
func (l *stateList[S]) len() int { return len(l.vals) + len(l.ends) }

// add appends st, encoded if dec is not nil.
func (l *stateList[S]) add(st *S, m encoder[S], dec Decoder[S]) {
	if dec == nil {
		l.vals = append(l.vals, *st)
		return
	}
	l.data = m.Encode(st, l.data)
	l.ends = append(l.ends, len(l.data))
}

// copyFrom appends state i of src.
func (l *stateList[S]) copyFrom(src *stateList[S], i int, dec Decoder[S]) {
	if dec == nil {
		l.vals = append(l.vals, src.vals[i])
		return
	}
	l.data = append(l.data, src.encoding(i)...)
	l.ends = append(l.ends, len(l.data))
}

func (l *stateList[S]) encoding(i int) []byte {
	lo := 0
	if i > 0 {
		lo = l.ends[i-1]
	}
	return l.data[lo:l.ends[i]]
}

// at returns state i: in place, or decoded into scratch.
func (l *stateList[S]) at(i int, scratch *S, dec Decoder[S]) *S {
	if dec == nil {
		return &l.vals[i]
	}
	dec.Decode(l.encoding(i), scratch)
	return scratch
}

type encoder[S any] interface {
	Encode(s *S, dst []byte) []byte
}
