package checker

import (
	"context"
	"testing"
)

// Two interchangeable counters, each incremented up to 3; the
// representative sorts them. symEnc adds EncodeRepresentative
// (SymmetricEncoder), which the checker must use instead of Representative
// and Encode, with the same results.
type pairSym struct{}

type pairState struct{ a, b uint8 }

func (pairSym) Init() []pairState { return []pairState{{0, 0}} }
func (pairSym) Actions(s *pairState, dst []int) []int {
	if s.a < 3 {
		dst = append(dst, 0)
	}
	if s.b < 3 {
		dst = append(dst, 1)
	}
	return dst
}
func (pairSym) Next(s *pairState, a int) pairState {
	t := *s
	if a == 0 {
		t.a++
	} else {
		t.b++
	}
	return t
}
func (pairSym) Encode(s *pairState, dst []byte) []byte { return append(dst, s.a, s.b) }
func (pairSym) Properties() []Property[pairState] {
	return []Property[pairState]{Always("le3", func(s *pairState) bool { return s.a <= 3 && s.b <= 3 })}
}
func (pairSym) ActionKinds() []string     { return []string{"inc"} }
func (pairSym) Kind(int) int              { return 0 }
func (pairSym) Process(a int) int         { return a }
func (pairSym) FormatAction(a int) string { return "inc" }
func (pairSym) Terminal(*pairState) bool  { return true }
func (pairSym) Representative(s *pairState) pairState {
	if s.a > s.b {
		return pairState{s.b, s.a}
	}
	return *s
}

type symEnc struct {
	pairSym
	calls *int
}

func (m symEnc) EncodeRepresentative(s *pairState, dst []byte) []byte {
	*m.calls++
	r := m.Representative(s)
	return m.Encode(&r, dst)
}

func TestSymmetricEncoder(t *testing.T) {
	calls := 0
	plain := Check(context.Background(), Model[pairState, int](pairSym{}), Options{Symmetry: true})
	enc := Check(context.Background(), Model[pairState, int](symEnc{calls: &calls}), Options{Symmetry: true, Workers: 1}) // calls is not atomic
	if calls == 0 {
		t.Fatal("EncodeRepresentative was not used")
	}
	if plain.DistinctStates != 10 || enc.DistinctStates != plain.DistinctStates || enc.Depth != plain.Depth || enc.Verdict != plain.Verdict {
		t.Fatalf("states %d/%d, depth %d/%d, verdict %s/%s", plain.DistinctStates, enc.DistinctStates, plain.Depth, enc.Depth, plain.Verdict, enc.Verdict)
	}
}
