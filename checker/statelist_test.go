package checker

import "testing"

// bytesModel encodes a state as its bytes (a variable-length encoding, to
// exercise chunk boundaries).
type bytesModel struct{}

type bstate struct {
	n   uint8
	buf [16]byte
}

func (bytesModel) Encode(s *bstate, dst []byte) []byte { return append(dst, s.buf[:s.n]...) }
func (bytesModel) Decode(b []byte, s *bstate) {
	*s = bstate{n: uint8(len(b))}
	copy(s.buf[:], b)
}

// TestStateListChunks: encodings of varying length fill small chunks, never
// straddle two, and come back intact, through add, copyFrom and reset.
func TestStateListChunks(t *testing.T) {
	mk := func(i int) bstate {
		s := bstate{n: uint8(1 + i%16)}
		for k := range s.buf[:s.n] {
			s.buf[k] = byte(i + k)
		}
		return s
	}
	var m bytesModel
	for _, chunk := range []int{0, 16, 40} {
		a := &stateList[bstate]{chunkSize: chunk}
		b := &stateList[bstate]{chunkSize: chunk}
		for round := 0; round < 2; round++ {
			a.reset()
			b.reset()
			for i := 0; i < 500; i++ {
				s := mk(i + round)
				a.add(&s, m, m)
			}
			for i := 499; i >= 0; i-- {
				b.copyFrom(a, i, m)
			}
			var got bstate
			for i := 0; i < 500; i++ {
				if want := mk(i + round); *a.at(i, &got, m, nil) != want || *b.at(499-i, &got, m, nil) != want {
					t.Fatalf("chunk %d, round %d: state %d came back as %v, want %v", chunk, round, i, got, want)
				}
			}
			if a.len() != 500 || b.len() != 500 {
				t.Fatalf("lengths %d, %d", a.len(), b.len())
			}
			if chunk > 0 && a.used < 500*8/chunk {
				t.Errorf("chunk %d: %d chunks for 500 states of 1-16 bytes", chunk, a.used)
			}
			if chunk == 0 && a.used != 1 {
				t.Errorf("unchunked list uses %d chunks", a.used)
			}
		}
	}
}
