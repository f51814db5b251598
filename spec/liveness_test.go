package spec

import (
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// TestLivenessQuotient checks liveness on the quotient graph (the model's
// RepresentativeProcs; checker.SymmetricProcs) against the concrete graph
// on every pinned liveness configuration and liveness bug switch: the same
// verdicts, the quotient's lassos valid concrete lassos (CheckLasso), and
// both graphs' sizes and lasso lengths pinned. The quotient's lasso goes to
// the fair component with the shortest stem, the concrete one to the first
// Tarjan completes, which is why the quotient's are no longer.
func TestLivenessQuotient(t *testing.T) {
	for _, tc := range []struct {
		workload, bug        string
		concStates, quotient int64 // liveness graph states
		concLen, quotLen     int   // lasso lengths (0: no violation)
	}{
		{"pingpong", "", 108121, 34437, 0, 0},
		{"deadlock", "", 299151, 193519, 0, 0},
		{"timers-2m", BugStealSkipsIdleTimers, 74741, 28825, 79, 75},
		{"deadlock", BugMputNoCheckdead, 299775, 193649, 56, 55},
	} {
		name := tc.workload
		if tc.bug != "" {
			name += "/" + tc.bug
		}
		t.Run(name, func(t *testing.T) {
			c := load(t, tc.workload)
			c.Liveness = true
			if tc.bug != "" {
				c.Bugs = []string{tc.bug}
			}
			m, conc := check(t, c, checker.Options{Symmetry: true, ConcreteLiveness: true})
			_, quot := check(t, c, checker.Options{Symmetry: true})
			// The graph is built in parallel: one worker gives the same.
			_, one := check(t, c, checker.Options{Symmetry: true, Workers: 1})
			if one.Verdict != quot.Verdict || one.LivenessStates != quot.LivenessStates ||
				(one.Violation != nil && one.Violation.Path != quot.Violation.Path) {
				t.Errorf("one worker: %s, %d states, %+v; two: %s, %d, %+v", one.Verdict, one.LivenessStates, one.Violation, quot.Verdict, quot.LivenessStates, quot.Violation)
			}
			if conc.Verdict != quot.Verdict {
				t.Fatalf("verdicts differ: concrete %s, quotient %s", conc.Verdict, quot.Verdict)
			}
			if conc.LivenessStates != tc.concStates || quot.LivenessStates != tc.quotient {
				t.Errorf("liveness graphs: concrete %d states (pinned %d), quotient %d (pinned %d)", conc.LivenessStates, tc.concStates, quot.LivenessStates, tc.quotient)
			}
			if tc.concLen == 0 {
				if quot.Verdict != checker.VerdictOK {
					t.Fatalf("verdict %s: %+v", quot.Verdict, quot.Violation)
				}
				return
			}
			cv, qv := conc.Violation, quot.Violation
			if cv.Property != qv.Property || len(cv.Trace) != tc.concLen || len(qv.Trace) != tc.quotLen {
				t.Errorf("lassos: concrete %s %d steps (pinned %d), quotient %s %d steps (pinned %d)", cv.Property, len(cv.Trace), tc.concLen, qv.Property, len(qv.Trace), tc.quotLen)
			}
			path, err := checker.ParsePath(qv.Path)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := checker.Replay(checker.Model[State, Action](m), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.CheckLasso(checker.Model[State, Action](m), qv.Property, qv.Loop); err != nil {
				t.Errorf("the quotient's lasso is not a fair concrete lasso: %v", err)
			}
		})
	}
}
