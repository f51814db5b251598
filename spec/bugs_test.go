package spec

import (
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// Each bug switch that the model finds today, in the smallest shipped
// workload that shows it, with the shortest trace's length. The switches
// not listed here (no-needspinning, no-mreserveid, allocm-ready) need
// larger configurations; see docs/bugs.md.
var bugCases = []struct {
	bug, workload string
	steps         int
	live          bool
}{
	{BugNoRunqRecheck, "pingpong", 38, false},
	{BugResetspinningTwice, "pingpong", 20, false},
	{BugWakepNoUndo, "pingpong", 23, false},
	{BugGoparkUnlockFirst, "pingpong", 28, false},
	{BugNoTimerRecheck, "timers", 62, false},
	{BugCheckdeadNoNmsys, "deadlock", 0, false},
}

// TestBugSwitches: each switch makes the checker find its expected
// property violated, and the same workload without it is clean (see
// TestStateSpaces).
func TestBugSwitches(t *testing.T) {
	for _, bc := range bugCases {
		t.Run(bc.bug, func(t *testing.T) {
			c := load(t, bc.workload)
			c.Bugs = []string{bc.bug}
			c.Liveness = bc.live
			m, r := check(t, c, checker.Options{Symmetry: true, Workers: 1})
			want := bugByName[bc.bug].Expect
			if r.Violation == nil || r.Violation.Property != want {
				t.Fatalf("want %s violated, got %s %+v", want, r.Verdict, r.Violation)
			}
			if r.Violation.Kind == "sometimes" {
				return
			}
			if n := len(r.Violation.Trace); n != bc.steps {
				t.Errorf("shortest trace has %d steps; pinned %d", n, bc.steps)
			}
			path, _ := checker.ParsePath(r.Violation.Path)
			tr, err := checker.Replay[State, Action](m, path)
			if err != nil {
				t.Fatal(err)
			}
			if v := tr.FirstViolation(m, false); v == nil || v.Property != want {
				t.Errorf("replaying %s does not violate %s: %+v", r.Violation.Path, want, v)
			}
		})
	}
}
