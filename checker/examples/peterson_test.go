package examples

import (
	"fmt"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// withProps is a model with its properties replaced, for counting the full
// state space of a buggy variant or adding a property.
type withProps[S, A any] struct {
	checker.Model[S, A]
	props []checker.Property[S]
}

func (w withProps[S, A]) Properties() []checker.Property[S] { return w.props }

// TestPetersonCounts pins the size of every variant's full state space.
// The buggy variants are checked without their "mutex" invariant, so that
// the run explores everything instead of stopping at the violation.
//
// Hand check: with no await (nowait) and N = 2, each process cycles
// freely through ncs, second, wait and cs (the first-write pc is only used
// from N = 3 on), its level is a function of its pc, and the victim is 0
// or 1: 4*4*2 = 32 states, all reachable. The other numbers come from the
// reference explorer.
func TestPetersonCounts(t *testing.T) {
	for _, tc := range []struct {
		n        int
		bug      PetersonBug
		distinct int64
		depth    int
	}{
		{2, PetersonCorrect, 20, 6},
		{2, PetersonNoWait, 32, 8},
		{2, PetersonVictimFirst, 32, 7},
		{3, PetersonCorrect, 417, 17},
		{3, PetersonNoWait, 2583, 23},
		{3, PetersonVictimFirst, 2430, 21},
		{4, PetersonCorrect, 9272, 31},
	} {
		t.Run(fmt.Sprintf("N%d/%s", tc.n, tc.bug), func(t *testing.T) {
			m := Peterson{N: tc.n, Bug: tc.bug}
			var mm checker.Model[PetersonState, PetersonAction] = m
			if tc.bug != PetersonCorrect {
				mm = withProps[PetersonState, PetersonAction]{m, m.Properties()[1:]} // drop "mutex"
			}
			g := explore(mm, false)
			if _, bad := g.minAlways["mutex"]; bad {
				t.Fatal("the reference counts a mutex violation in a model without the property")
			}
			res := check(t, mm, checker.Options{})
			wantComplete(t, res, g, tc.distinct, tc.depth)
			wantExamples(t, res, g, mm)
			if g.minDeadlock >= 0 {
				t.Errorf("the reference finds a deadlock at depth %d", g.minDeadlock)
			}
			// Mutual exclusion: violated exactly in the buggy variants.
			if _, bad := explore(checker.Model[PetersonState, PetersonAction](m), false).minAlways["mutex"]; bad != (tc.bug != PetersonCorrect) {
				t.Errorf("reference: mutex violated = %v", bad)
			}
		})
	}
}

// TestPetersonShortestCounterexample pins the length of the shortest
// mutual-exclusion violation of each bug, checks that it is the smallest
// depth of a violating state in the reference, that the path has the
// fewest process switches among the shortest ones (the reference computes
// the minimum by dynamic programming), and that replaying it reproduces the
// violation.
//
// Lengths, by hand: a process needs 3 steps to enter when N = 2 (two
// writes and the await) and 6 when N = 3 (two writes and the await at each
// of 2 levels, with a pass between), and both bugs let two processes in
// with no step wasted: 2*3 = 6 and 2*6 = 12 actions, traces of 7 and 13
// steps counting "init".
func TestPetersonShortestCounterexample(t *testing.T) {
	for _, tc := range []struct {
		n        int
		bug      PetersonBug
		traceLen int
	}{
		{2, PetersonNoWait, 7},
		{2, PetersonVictimFirst, 7},
		{3, PetersonNoWait, 13},
		{3, PetersonVictimFirst, 13},
	} {
		t.Run(fmt.Sprintf("N%d/%s", tc.n, tc.bug), func(t *testing.T) {
			m := Peterson{N: tc.n, Bug: tc.bug}
			g := explore(checker.Model[PetersonState, PetersonAction](m), false)
			if d := g.minAlways["mutex"]; d+1 != tc.traceLen {
				t.Errorf("reference: the nearest mutex violation is at depth %d, pinned trace length %d", d, tc.traceLen)
			}
			res := check(t, m, checker.Options{})
			v := res.Violation
			if res.Verdict != checker.VerdictViolation || v == nil {
				t.Fatalf("verdict %s, want violation", res.Verdict)
			}
			if v.Property != "mutex" || v.Kind != "always" || v.Loop != -1 {
				t.Errorf("violation %s %q loop %d, want always \"mutex\" loop -1", v.Kind, v.Property, v.Loop)
			}
			if len(v.Trace) != tc.traceLen || res.Depth != tc.traceLen-1 {
				t.Errorf("trace length %d, depth %d; want %d, %d", len(v.Trace), res.Depth, tc.traceLen, tc.traceLen-1)
			}
			wantFewestSwitches(t, g, m, v)
			tr := replayViolation(t, m, v)
			if got := m.InCritical(&tr.States[len(tr.States)-1]); got != 2 {
				t.Errorf("the trace ends with %d processes in the critical section", got)
			}
			again := tr.FirstViolation(m, false)
			if again == nil || again.Property != "mutex" || again.Kind != "always" || again.Path != v.Path || len(again.Trace) != len(v.Trace) {
				t.Errorf("FirstViolation on the replay = %+v, want the same violation", again)
			}
			for i := range v.Trace {
				if again != nil && i < len(again.Trace) && again.Trace[i] != v.Trace[i] {
					t.Errorf("step %d: replay %+v, checker %+v", i, again.Trace[i], v.Trace[i])
				}
			}
		})
	}
}

// TestPetersonVictimFirstTrace pins the counterexample of the
// swapped-writes bug for two processes, which reads as the classic story:
// p0 writes the victim, p1 writes the victim and its level and enters (p0's
// level is still 0), then p0 raises its level and enters (the victim is p1).
func TestPetersonVictimFirstTrace(t *testing.T) {
	m := Peterson{N: 2, Bug: PetersonVictimFirst}
	res := check(t, m, checker.Options{})
	if res.Violation == nil {
		t.Fatalf("verdict %s, want violation", res.Verdict)
	}
	var got []string
	for _, st := range res.Violation.Trace {
		got = append(got, st.Action)
	}
	want := []string{"init", "p0 victim", "p1 victim", "p1 level", "p1 enter", "p0 level", "p0 enter"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("trace %q, want %q", got, want)
	}
}

// TestPetersonProgress checks the liveness of the filter lock under weak
// fairness: once p0 starts its entry protocol it enters. The reference
// agrees, and shows that for N = 3 the property depends on fairness (a
// process can stop forever in the middle of its entry protocol while the
// others cycle), while for N = 2 it holds even without fairness: a waiting
// process has its flag up, so the other cannot re-enter without first
// making it the non-victim, and then the other blocks.
func TestPetersonProgress(t *testing.T) {
	for _, tc := range []struct {
		n          int
		unfairFail bool
		distinct   int64
	}{
		{2, false, 20},
		{3, true, 417},
	} {
		t.Run(fmt.Sprintf("N%d", tc.n), func(t *testing.T) {
			m := Peterson{N: tc.n, Progress: true}
			g := explore(checker.Model[PetersonState, PetersonAction](m), false)
			p := prop(t, m, "progress")
			if g.liveViolated(p, true) {
				t.Fatal("reference: progress fails under weak fairness")
			}
			if got := g.liveViolated(p, false); got != tc.unfairFail {
				t.Errorf("reference: progress fails without fairness = %v, want %v", got, tc.unfairFail)
			}
			res := check(t, m, checker.Options{})
			if res.Verdict != checker.VerdictOK {
				t.Fatalf("verdict %s, violation %+v", res.Verdict, res.Violation)
			}
			if res.DistinctStates != tc.distinct || res.LivenessStates != tc.distinct {
				t.Errorf("%d distinct, %d liveness states; want %d", res.DistinctStates, res.LivenessStates, tc.distinct)
			}
		})
	}
}

// TestPetersonCritical checks the Sometimes witness: a process enters
// after its 3 (N = 2) or 6 (N = 3) steps, and the checker's example is the
// canonical one (p0 alone, every action index 0).
func TestPetersonCritical(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{2, "0/0/0/0"},
		{3, "0/0/0/0/0/0/0"},
	} {
		m := Peterson{N: tc.n}
		res := check(t, m, checker.Options{})
		if got := res.Examples["critical"]; got != tc.want {
			t.Errorf("N=%d: critical example %q, want %q", tc.n, got, tc.want)
		}
	}
}
