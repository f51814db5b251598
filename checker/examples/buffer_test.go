package examples

import (
	"fmt"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

type bufModel = checker.Model[BufState, BufAction]

// TestBufferCounts pins the state spaces. With count c in 0..K: both
// processes at pc 0 with the lock free (K+1 states), the consumer holding
// the lock (c in 1..K: K states), the producer holding it (c in 0..K-1
// when fixed, 0..K when buggy, which also locks a full buffer): 3K+1 and
// 3K+2 states. The farthest state is the consumer holding the lock on a
// full buffer: K rounds of "p lock", "p put", then "c lock": depth 2K+1.
// The liveness properties are dropped here so the buggy runs complete.
func TestBufferCounts(t *testing.T) {
	for k := 1; k <= 4; k++ {
		for _, bug := range []bool{false, true} {
			t.Run(fmt.Sprintf("K%d/bug=%v", k, bug), func(t *testing.T) {
				m := Buffer{K: k, Bug: bug}
				mm := withProps[BufState, BufAction]{m, m.Properties()[:2]} // bounds, full
				g := explore(bufModel(mm), false)
				want := int64(3*k + 1)
				if bug {
					want++
				}
				res := check(t, mm, checker.Options{})
				wantComplete(t, res, g, want, 2*k+1)
				wantExamples(t, res, g, mm)
			})
		}
	}
}

// TestBufferLivenessFixed: in the fixed variant every liveness property
// holds under weak fairness, and the reference shows that each one fails
// without fairness (the spinning process's self-loop is an unfair cycle),
// so the checker's "ok" really rests on its fairness.
func TestBufferLivenessFixed(t *testing.T) {
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("K%d", k), func(t *testing.T) {
			m := Buffer{K: k}
			g := explore(bufModel(m), false)
			for _, name := range []string{"start", "drain", "fill"} {
				p := prop(t, m, name)
				if g.liveViolated(p, true) {
					t.Errorf("reference: %s fails under weak fairness", name)
				}
				if !g.liveViolated(p, false) {
					t.Errorf("reference: %s holds even without fairness", name)
				}
			}
			res := check(t, m, checker.Options{})
			wantComplete(t, res, g, int64(3*k+1), 2*k+1)
			if res.LivenessStates != res.DistinctStates {
				t.Errorf("%d liveness states, %d distinct", res.LivenessStates, res.DistinctStates)
			}
		})
	}
}

// TestBufferLivenessBug: the buggy producer starves the consumer on a full
// buffer even under weak fairness. The full-buffer region has one fair
// component, {A, B}: A is the full buffer with the lock free, B the same
// with the producer holding it; "p lock" goes A to B, "p full" B to A, and
// the consumer's "c lock" is enabled in A only. The nearest state of the
// component is A, after K rounds of "p lock", "p full": the stem has 2K
// steps (Loop = 2K), and every cycle in the component repeats "p lock",
// "p full" (the shortest is one round: 2K+3 trace entries; the checker may
// take more rounds, as it does now, and that is not pinned). "start" and
// "fill" still hold, alone or together.
func TestBufferLivenessBug(t *testing.T) {
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("K%d", k), func(t *testing.T) {
			m := Buffer{K: k, Bug: true}
			g := explore(bufModel(m), false)
			for _, name := range []string{"start", "drain", "fill"} {
				if got := g.liveViolated(prop(t, m, name), true); got != (name == "drain") {
					t.Errorf("reference: %s violated under weak fairness = %v", name, got)
				}
			}
			res := check(t, m, checker.Options{})
			v := res.Violation
			if res.Verdict != checker.VerdictViolation || v == nil {
				t.Fatalf("verdict %s (%s), want violation", res.Verdict, res.Incomplete)
			}
			if res.DistinctStates != int64(3*k+2) {
				t.Errorf("%d distinct states, want %d", res.DistinctStates, 3*k+2)
			}
			checkLasso(t, bufModel(m), v, prop(t, m, "drain"))
			if v.Loop != 2*k {
				t.Errorf("lasso: loop at %d, want %d (the shortest stem)", v.Loop, 2*k)
			}
			var cycle []string
			for _, st := range v.Trace[v.Loop+1:] {
				cycle = append(cycle, st.Action)
			}
			if len(cycle) == 0 || len(cycle)%2 != 0 {
				t.Errorf("cycle %q has odd length", cycle)
			}
			for i, a := range cycle {
				if want := [2]string{"p lock", "p full"}[i%2]; a != want {
					t.Errorf("cycle %q: step %d is %q, want %q", cycle, i, a, want)
					break
				}
			}
			if len(cycle) != 2 {
				t.Logf("cycle %q: %d rounds where one would do", cycle, len(cycle)/2)
			}
			// The other properties hold on their own.
			for _, name := range []string{"start", "fill"} {
				mm := withProps[BufState, BufAction]{m, []checker.Property[BufState]{prop(t, m, name)}}
				if r := check(t, mm, checker.Options{}); r.Verdict != checker.VerdictOK {
					t.Errorf("%s alone: verdict %s, violation %+v", name, r.Verdict, r.Violation)
				}
			}
		})
	}
}
