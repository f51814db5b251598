package examples

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// TestPhilosophersDeadlock: the naive table deadlocks with every
// philosopher holding its left fork. No shorter deadlock exists (see
// philosophers.go), so the trace has N steps after "init": N+1 entries,
// depth N, each one a different philosopher's "left".
func TestPhilosophersDeadlock(t *testing.T) {
	for n := 2; n <= 6; n++ {
		t.Run(fmt.Sprintf("N%d", n), func(t *testing.T) {
			m := Philosophers{N: n}
			g := explore(checker.Model[PhilState, PhilAction](m), false)
			if g.minDeadlock != n {
				t.Errorf("reference: nearest deadlock at depth %d, want %d", g.minDeadlock, n)
			}
			res := check(t, m, checker.Options{})
			v := res.Violation
			if res.Verdict != checker.VerdictViolation || v == nil {
				t.Fatalf("verdict %s, want violation", res.Verdict)
			}
			if v.Kind != "deadlock" || v.Property != "deadlock" || v.Loop != -1 {
				t.Errorf("violation %s %q loop %d, want a deadlock", v.Kind, v.Property, v.Loop)
			}
			if len(v.Trace) != n+1 || res.Depth != n {
				t.Errorf("trace length %d, depth %d; want %d, %d", len(v.Trace), res.Depth, n+1, n)
			}
			if want := g.path(firstSafety(g, m, false)); v.Path != want {
				t.Errorf("path %s, want the canonical %s (it has the fewest switches too)", v.Path, want)
			}
			wantFewestSwitches(t, g, m, v)
			var labels, want []string
			for i, st := range v.Trace[1:] {
				labels = append(labels, st.Action)
				want = append(want, fmt.Sprintf("p%d left", i))
			}
			slices.Sort(labels)
			if !slices.Equal(labels, want) {
				t.Errorf("trace actions %q, want each philosopher's left once", labels)
			}
			tr := replayViolation(t, m, v)
			last := tr.States[len(tr.States)-1]
			for p := 0; p < n; p++ {
				if last.PC[p] != philHungry || last.Fork[p] != uint8(p)+1 {
					t.Errorf("final state %s: p%d does not hold just its left fork", m.FormatState(&last), p)
				}
			}
			again := tr.FirstViolation(m, false)
			if again == nil || again.Kind != "deadlock" || again.Path != v.Path {
				t.Errorf("FirstViolation on the replay = %+v, want the deadlock", again)
			}
			if tr.FirstViolation(m, true) != nil {
				t.Error("FirstViolation with deadlocks allowed reports a violation")
			}
		})
	}
}

// TestPhilosophersCounts pins the state spaces.
//
// Naive (run with AllowDeadlock): a state gives each philosopher thinking,
// hungry (left fork) or eating (both), and is possible iff no eater's right
// neighbour is hungry or eating (they would share a fork). Every such
// state is reachable by taking forks only, eaters first, so the depth is
// the largest number of forks held, N. Counting circular words over
// {T,H,E} in which E is always followed by T: the trace of M^N with the
// transfer matrix M = [[1,1,1],[1,1,1],[1,0,0]], whose eigenvalues are
// 0 and 1±√2, so (1+√2)^N + (1-√2)^N: 6, 14, 34, 82, 198 for N = 2..6.
//
// Fixed: for N = 2 both philosophers take fork 0 first, so at most one
// holds a fork: TT, HT, TH, ET, TE, 5 states. The counts for N = 2..6, 5,
// 12, 29, 70, 169, come from the reference (they are the Pell numbers).
func TestPhilosophersCounts(t *testing.T) {
	naive := []int64{6, 14, 34, 82, 198}
	fixed := []int64{5, 12, 29, 70, 169}
	for n := 2; n <= 6; n++ {
		t.Run(fmt.Sprintf("N%d/naive", n), func(t *testing.T) {
			m := Philosophers{N: n}
			g := explore(checker.Model[PhilState, PhilAction](m), false)
			res := check(t, m, checker.Options{AllowDeadlock: true})
			wantComplete(t, res, g, naive[n-2], n)
			wantExamples(t, res, g, m)
		})
		t.Run(fmt.Sprintf("N%d/fixed", n), func(t *testing.T) {
			m := Philosophers{N: n, Fixed: true}
			g := explore(checker.Model[PhilState, PhilAction](m), false)
			if g.minDeadlock >= 0 {
				t.Errorf("reference: deadlock at depth %d", g.minDeadlock)
			}
			res := check(t, m, checker.Options{})
			wantComplete(t, res, g, fixed[n-2], n)
			wantExamples(t, res, g, m)
		})
	}
}
