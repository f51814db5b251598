package properties

import (
	"github.com/gmpspec/gmpspec/spec"
	"pgregory.net/rapid"
)

// CheckedStep draws and takes a step as Step does, then checks every Always
// property of the spec and the conservation of goroutines (Ledger) on it,
// failing t with the trace on the first violation. It returns false if no
// accepted action is enabled.
func (w *Walk) CheckedStep(t *rapid.T, keep func(a spec.Action) bool) bool {
	t.Helper()
	if !w.Step(t, keep) {
		return false
	}
	if p := w.CheckInvariants(); p != "" {
		w.Fatalf(t, "invariant %s violated after %d steps", p, w.Len())
	}
	n := w.Len()
	if msg := w.ledger.Check(&w.States[n-1], w.Acts[n-1], w.Actor(w.Acts[n-1]), &w.States[n]); msg != "" {
		w.Fatalf(t, "conservation of goroutines: %s, after %d steps", msg, n)
	}
	return true
}

// Run takes checked steps until the run ends (a terminal state, or nothing
// enabled) or the walk has maxLen steps. It reports whether the run ended.
func (w *Walk) Run(t *rapid.T, maxLen int) (ended bool) {
	t.Helper()
	for w.Len() < maxLen {
		if !w.CheckedStep(t, nil) {
			return true
		}
	}
	return w.Terminal()
}

// An End is how a run ended.
type End uint8

const (
	EndBudget End = iota // out of steps
	EndExit              // main returned
	EndReport            // checkdead reported
	EndThrow             // the runtime threw
	EndStuck             // nothing enabled, not terminal: every M blocked for good
)

func (e End) String() string {
	return [...]string{"out of steps", "program exited", "checkdead reported", "runtime threw", "stuck"}[e]
}

// End says how the walk has ended so far.
func (w *Walk) End() End {
	s := w.Last()
	switch {
	case s.Throw != 0:
		return EndThrow
	case s.Report != 0:
		return EndReport
	case s.Exited:
		return EndExit
	case len(w.Enabled()) == 0:
		return EndStuck
	}
	return EndBudget
}

// reportAllAsleep is spec's checkdead report "all goroutines are asleep -
// deadlock!" (spec/state.go).
const reportAllAsleep = 2

// blockedInNetpoll reports whether some M is in a blocking netpoll.
func (w *Walk) blockedInNetpoll() bool {
	s := w.Last()
	for i := range s.M {
		if w.StepName(s, i) == "netpoll(block)" {
			return true
		}
	}
	return false
}

// CheckEnd compares how the run ended with the ground truth tr of its
// workload (see "Ground truth for checkdead" in truth.go):
//
//   - Soundness: checkdead reports "all goroutines are asleep" only in a
//     deadlock of the programs that the ground truth reaches (the same
//     goroutines blocked at the same instructions on the same objects, with
//     the same pending wakeups), so never for a workload that cannot
//     deadlock; it never reports "no goroutines" (main cannot Goexit).
//   - The program exits only if the workload can exit.
//   - Completeness where the runtime promises it: a run never gets stuck
//     (every M blocked for good without a report or an exit), except with an
//     M blocked in netpoll on a workload that deadlocks: checkdead counts that
//     M as running and the runtime hangs instead of reporting (see
//     TestCheckdeadNetpollHang). A run out of steps is settled (see
//     Settle): if the programs are then in one of their deadlocks, no M is
//     in netpoll and checkdead has not reported, nothing will ever call it
//     again with a different count, and that is a missed deadlock. A run that
//     does not settle decides nothing.
//
// It returns how the run ended.
func (w *Walk) CheckEnd(t *rapid.T, tr *Truth) End {
	t.Helper()
	e := w.End()
	if e == EndBudget && w.Settle(t, w.Len()+settleSteps) {
		if key, ok := Deadlock(w.C, w.Last()); ok && tr.Deadlocks[key] && !w.blockedInNetpoll() {
			w.Fatalf(t, "checkdead missed a deadlock: the scheduler is quiescent, the programs are deadlocked (%s) and checkdead has not reported", key.String(w.C))
		}
	}
	e = w.End()
	s := w.Last()
	switch e {
	case EndReport:
		if s.Report != reportAllAsleep {
			w.Fatalf(t, "checkdead reported %d (no goroutines), but main cannot Goexit; the workload %s", s.Report, tr.Verdict)
		}
		key, ok := Deadlock(w.C, s)
		if !ok {
			w.Fatalf(t, "checkdead reported a deadlock while some goroutine can still run (the workload %s)", tr.Verdict)
		}
		if !tr.Deadlocks[key] {
			w.Fatalf(t, "checkdead reported a deadlock the programs cannot reach: %s (the workload %s)", key.String(w.C), tr.Verdict)
		}
	case EndExit:
		if tr.Verdict == MustDeadlock {
			w.Fatalf(t, "main exited, but every run of the programs deadlocks")
		}
	case EndStuck:
		key, ok := Deadlock(w.C, s)
		if !ok || !tr.Deadlocks[key] || !w.blockedInNetpoll() {
			w.Fatalf(t, "every M is blocked for good, without a checkdead report or an exit (the workload %s)", tr.Verdict)
		}
	}
	return e
}
