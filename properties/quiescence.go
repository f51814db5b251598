package properties

import (
	"github.com/gmpspec/gmpspec/spec"
	"pgregory.net/rapid"
)

// Work conservation at quiescence.
//
// The runtime's promise ("Worker thread parking/unparking", proc.go:36-116)
// is about the scheduler at rest: once every thread has finished what it was
// doing in the scheduler, no P is idle while there is work it could run.
// Quiescence is that rest, defined by what may still happen: a state is
// quiescent when no scheduler step is enabled, where a scheduler step is
// any step of an M except
//
//   - user code (the "user" step: the goroutine's next instruction; the
//     forcegc helper's step is not user code but forcegchelper's loop,
//     runtime code that parks the helper, so it is a scheduler step),
//   - the return of a system call (exitsyscall's first step, which the
//     kernel decides),
//   - sysmon leaving its rest (its loop head or its sleep on sysmonnote:
//     sysmon runs on a timer, and a round may start at any time),
//   - a blocking netpoll returning with nothing ready, no netpollBreak
//     pending and no expired timer: its timeout passed, which time decides
//     (its timeout is the earliest timer, so once a timer has expired the
//     return is no longer time's choice),
//
// and the environment's events (a descriptor becoming ready, a timer
// firing) are not scheduler steps either. So at quiescence every worker M
// runs user code, is in a system call, is parked in stopm or is blocked in
// netpoll, and sysmon is between rounds. Settle drives a walk there by
// drawing only scheduler steps.
//
// The work a quiescent scheduler must not leave behind while a P is idle is
// the spec's queuedWork: a goroutine in the global run queue, in the local
// queue (runnext or ring) of a P whose M runs user code, or an expired
// timer on an idle P. Two exceptions come from the findings in docs/bugs.md
// and are Go 1.26.8's behaviour, not the model's: the goroutines of a
// batch its owner took from the global queue into its ring (they land there
// without a wakeup; sched.Batched marks them), and states where
// sched.needspinning is set (handoffp does not honour it; the flag records
// the debt, paid at the next schedule or preemption).

// settleSteps bounds one Settle: a scheduler settles in tens of steps.
const settleSteps = 1000

// restingSysmon is where sysmon rests between rounds.
var restingSysmon = map[string]bool{"sysmon.npidle?": true, "notetsleep(sysmonnote)": true}

// SchedulerStep reports whether a is a scheduler step (see "Work
// conservation at quiescence").
func (w *Walk) SchedulerStep(a spec.Action) bool {
	i := w.Actor(a)
	if i < 0 {
		return false
	}
	s := w.Last()
	switch name := w.StepName(s, i); {
	case name == "user":
		return w.C.Forcegc && int(s.M[i].CurG)-1 == ng(w.C)-1
	case name == "exitsyscall.casgstatus":
		return false
	case i == w.sysmon && restingSysmon[name]:
		return false
	case name == "netpoll(block)":
		return s.Sched.NetReady != 0 || s.Sched.NetBreak || w.expiredTimer()
	}
	return true
}

// Settle takes checked scheduler steps until none is enabled (the state is
// quiescent) or the walk has maxLen steps. It reports whether the state is
// quiescent.
func (w *Walk) Settle(t *rapid.T, maxLen int) bool {
	t.Helper()
	for w.Len() < maxLen {
		if w.Terminal() {
			return false
		}
		if !w.CheckedStep(t, w.SchedulerStep) {
			return true
		}
	}
	return false
}

// StrandedWork describes the work that a quiescent state leaves while a P
// is idle, or returns "" if there is none (or no idle P, or needspinning is
// set).
func (w *Walk) StrandedWork() string {
	s := w.Last()
	if s.Sched.NPidle == 0 || s.Sched.NeedSpinning {
		return ""
	}
	if s.Sched.RunqN > 0 {
		return "the global run queue holds a goroutine"
	}
	for p := 0; p < w.C.GOMAXPROCS; p++ {
		pp := &s.P[p]
		if pp.M != 0 && w.StepName(s, int(pp.M-1)) == "user" && pp.Runnext != 0 {
			return "the runnext of P" + itoa(p) + ", whose M runs user code, holds " + gLabel(w.C, int(pp.Runnext-1))
		}
		if pp.M != 0 && w.StepName(s, int(pp.M-1)) == "user" {
			for _, g := range pp.Runq[:pp.RunqN] {
				if s.Sched.Batched&(1<<(g-1)) == 0 {
					return "the local queue of P" + itoa(p) + ", whose M runs user code, holds " + gLabel(w.C, int(g-1))
				}
			}
		}
		if pp.M == 0 && pp.Status == 0 { // _Pidle
			for g := 0; g < ng(w.C); g++ {
				if pp.Timers&(1<<g) != 0 && s.G[g].Expired {
					return "an expired timer of " + gLabel(w.C, g) + " sits on the idle P" + itoa(p)
				}
			}
		}
	}
	return ""
}

// expiredTimer reports whether some P's heap holds an expired timer.
func (w *Walk) expiredTimer() bool {
	s := w.Last()
	for p := 0; p < w.C.GOMAXPROCS; p++ {
		for g := 0; g < ng(w.C); g++ {
			if s.P[p].Timers&(1<<g) != 0 && s.G[g].Expired {
				return true
			}
		}
	}
	return false
}

func itoa(i int) string { return string(rune('0' + i)) }
