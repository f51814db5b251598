package checker

import (
	"context"
	"testing"
)

// Liveness on the quotient graph (SymmetricProcs), against the concrete
// graph. The models pass a token among n interchangeable processes; the
// processes without it wait (Waiter: enabled, with nothing to do), and the
// property "never" can only fail on a fair cycle. The representative
// renames the holder to process 0, so the quotient has one state and one
// self-loop by process 0: whether that loop is fair depends on which
// processes the renamings let process 0 stand for, which is what the orbit
// test decides.
//
//   - ring: the holder passes to the next process (h+1 mod n); the model is
//     symmetric under rotations, and the loop's renaming is one: every
//     process takes the token in turn, the cycle is fair, and "never"
//     fails. A quotient test that ignored the renamings would see processes
//     1..n-1 always enabled and never stepping, and miss the violation.
//     (A first version of this test renamed the ring by swaps, under which
//     it is not symmetric, and the quotient rightly disagreed.)
//   - pair: the holder passes to its partner and back; the others never
//     get the token. The renaming swaps 0 and 1, whose orbit steps, but
//     processes 2..n-1 are always enabled and never step: no fair cycle.

type token struct {
	n    uint8
	ring bool
}

type tokState struct{ h, q uint8 } // holder, partner (pair only)

func (m token) Init() []tokState { return []tokState{{0, 1}} }
func (m token) Actions(s *tokState, dst []int) []int {
	return append(dst, 0)
}
func (m token) Next(s *tokState, _ int) tokState {
	if m.ring {
		return tokState{(s.h + 1) % m.n, 0}
	}
	return tokState{s.q, s.h}
}
func (m token) Encode(s *tokState, dst []byte) []byte { return append(dst, s.h, s.q) }
func (m token) Properties() []Property[tokState] {
	return []Property[tokState]{Eventually("never", func(*tokState) bool { return false })}
}
func (m token) ActionKinds() []string      { return []string{"pass"} }
func (m token) Kind(int) int               { return 0 }
func (m token) Process(a int) int          { return 0 } // overridden by tokenProc
func (m token) FormatAction(a int) string  { return "pass" }
func (m token) Waiting(s *tokState) uint64 { return (1<<m.n - 1) &^ (1 << s.h) }
func (m token) Representative(s *tokState) tokState {
	var t tokState
	return *m.RepresentativeProcs(s, &t, make([]uint8, maxProcs))
}

// RepresentativeProcs renames the holder to 0. The ring is symmetric under
// rotations only (passing goes to the next process), so it rotates; the
// pair is symmetric under every renaming, so it renames the partner to 1
// and keeps the others in order.
func (m token) RepresentativeProcs(s, dst *tokState, perm []uint8) *tokState {
	if m.ring {
		for p := uint8(0); p < m.n; p++ {
			perm[p] = (p + m.n - s.h) % m.n
		}
		*dst = tokState{0, 0}
		return dst
	}
	front := []uint8{s.h}
	if !m.ring {
		front = append(front, s.q)
	}
	next := uint8(0)
	for _, p := range front {
		perm[p] = next
		next++
	}
	for p := uint8(0); p < m.n; p++ {
		if p != s.h && (m.ring || p != s.q) {
			perm[p] = next
			next++
		}
	}
	*dst = tokState{perm[s.h], 0}
	if !m.ring {
		dst.q = perm[s.q]
	}
	return dst
}

// tokenProc makes the holder the process that passes: the action's
// process is the state's, so Process needs the state; the model keeps it
// in the action.
type tokenProc struct{ token }

func (m tokenProc) Actions(s *tokState, dst []int) []int { return append(dst, int(s.h)) }
func (m tokenProc) Process(a int) int                    { return a }
func (m tokenProc) FormatAction(a int) string            { return "p" + string(rune('0'+a)) + " pass" }
func (m tokenProc) RepresentativeProcs(s, dst *tokState, perm []uint8) *tokState {
	return m.token.RepresentativeProcs(s, dst, perm)
}
func (m tokenProc) Representative(s *tokState) tokState { return m.token.Representative(s) }

func TestQuotientLiveness(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         tokenProc
		violation bool
		quotient  int64 // liveness graph states on the quotient
	}{
		{"ring", tokenProc{token{n: 4, ring: true}}, true, 1},
		{"pair", tokenProc{token{n: 4}}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var model Model[tokState, int] = tc.m
			conc := Check(context.Background(), model, Options{Symmetry: true, ConcreteLiveness: true})
			quot := Check(context.Background(), model, Options{Symmetry: true})
			for _, r := range []*Result{conc, quot} {
				if (r.Verdict == VerdictViolation) != tc.violation {
					t.Fatalf("verdict %s, want violation %v", r.Verdict, tc.violation)
				}
			}
			if quot.LivenessStates != tc.quotient || conc.LivenessStates <= quot.LivenessStates {
				t.Errorf("liveness graph: quotient %d states (want %d), concrete %d", quot.LivenessStates, tc.quotient, conc.LivenessStates)
			}
			if !tc.violation {
				return
			}
			v := quot.Violation
			if err := replayed(t, model, v.Path).CheckLasso(model, v.Property, v.Loop); err != nil {
				t.Errorf("the quotient's lasso %s (loop %d) is not a fair concrete lasso: %v", v.Path, v.Loop, err)
			}
			if len(v.Trace) != len(conc.Violation.Trace) {
				t.Errorf("lasso length: quotient %d, concrete %d", len(v.Trace), len(conc.Violation.Trace))
			}
		})
	}
}
