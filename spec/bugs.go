package spec

import "sort"

// Bug switches. Each reverts one fix of the runtime (or, for synthetic ones,
// breaks one rule the model checks), so that the checker can show the
// property the fix protects failing.
const (
	BugNoNeedspinning     = "no-needspinning"
	BugNoMReserveID       = "no-mreserveid"
	BugAllocmReady        = "allocm-ready"
	BugNoTimerRecheck     = "no-timer-recheck"
	BugNoRunqRecheck      = "no-runq-recheck"
	BugResetspinningTwice = "resetspinning-twice"
	BugCheckdeadNoNmsys   = "checkdead-no-nmsys"
	BugGoparkUnlockFirst  = "gopark-unlock-first"
	BugWakepNoUndo        = "wakep-no-undo"
)

// A Bug describes a bug switch.
type Bug struct {
	Name string
	// Source is "golang/go#NNNNN", "CL NNNNNN" or "synthetic".
	Source string
	// Expect is the property the switch is expected to violate.
	Expect string
	Doc    string
	// Workload is the shipped workload (testdata/workloads/NAME.txt) in
	// which the switch is checked.
	Workload string
}

var bugList = []Bug{
	{BugNoNeedspinning, "golang/go#45867", "work-conservation",
		"Findrunnable's drop path ignores sched.needspinning and pidlegetSpinning never sets it: a spinning M that finds work after dropping its P, but no idle P, gives up, while a non-spinning M drops the last busy P. Go 1.17 to 1.19 shipped this after CL 310850 restricted the post-drop recheck to spinning Ms; Go 1.20 added the needspinning handshake.", "netpoll"},
	{BugNoMReserveID, "golang/go#40368", "throw-checkdead-no-runnable-g",
		"startm releases sched.lock before the new M is counted (no mReserveID): a thread that comes back with work and no P (from a syscall, or from netpoll), queues its G globally and parks sees run == 0 in checkdead with a runnable G. In 1.26 the one sysmon path to startm without an incidlelocked bracket is forcegc's injectglist.", "forcegc-netpoll"},
	{BugAllocmReady, "golang/go#10573", "throw-schedule-spinning-no-local-work",
		"newm's allocm may ready a goroutine (Go 1.5's GC assist while allocm borrowed the P) onto the P being handed to a new spinning M, after startm's emptiness check: the M starts spinning with local work.", "allocm"},
	{BugNoTimerRecheck, "CL 232298", "work-conservation",
		"The spinning M that drops its P does not recheck timers (checkTimersNoP), so it parks instead of waiting in netpoll for a timer on an idle P (Go 1.14-1.15).", "timers"},
	{BugNoRunqRecheck, "synthetic", "work-conservation",
		"The spinning M that drops its P skips checkRunqsNoP: work submitted while it was still counted as spinning is stranded.", "pingpong"},
	{BugResetspinningTwice, "synthetic", "throw-nmspinning-nonnegative",
		"resetspinning decrements nmspinning twice.", "pingpong"},
	{BugCheckdeadNoNmsys, "synthetic", "checkdead-reports",
		"checkdead forgets to subtract nmsys from mcount: sysmon counts as a running M, so a true deadlock is never reported.", "deadlock"},
	{BugWakepNoUndo, "synthetic", "nmspinning-ledger",
		"wakep keeps its nmspinning increment when pidlegetSpinning finds no idle P: nmspinning counts a spinning M that does not exist, and wakep never starts one again.", "pingpong"},
	{BugGoparkUnlockFirst, "synthetic", "throw-ready-g-waiting",
		"park_m releases the wait object's lock (unlockf) before the G is _Gwaiting, so a waker can ready a G that is still running.", "pingpong"},
}

var bugByName = func() map[string]*Bug {
	m := make(map[string]*Bug)
	for i := range bugList {
		m[bugList[i].Name] = &bugList[i]
	}
	return m
}()

// Bugs lists the bug switches.
func Bugs() []Bug { return append([]Bug(nil), bugList...) }

// BugNames lists the switches' names, sorted.
func BugNames() []string {
	var n []string
	for _, b := range bugList {
		n = append(n, b.Name)
	}
	sort.Strings(n)
	return n
}

// allocmReady is the allocm-ready bug's effect: while newm allocates the
// new M, a goroutine is readied onto the P being handed to it. The model
// readies the forcegc helper if it is parked (a GC triggered by the
// allocation wakes it).
func (x *exec) allocmReady() {
	s, c := x.s, x.c
	if !c.Forcegc || !x.flag(fSpinArg) {
		return
	}
	g := c.ng() - 1
	if s.G[g].Status != _Gwaiting || !s.Sched.ForcegcIdle {
		return
	}
	s.Sched.ForcegcIdle = false
	s.G[g].Status = _Grunnable
	s.G[g].Wait = waitNone
	s.P[x.lp()].Runnext = gref(g)
}
