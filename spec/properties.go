package spec

import (
	"fmt"

	"github.com/gmpspec/gmpspec/checker"
)

// A PropInfo documents a property for docs/invariants.md and the CLI.
type PropInfo struct {
	Name      string
	Kind      string // always, sometimes, eventually
	Statement string
	Source    string
}

// properties returns c's properties: every throw in scope, the structural
// invariants, checkdead's soundness, work conservation, the reachability
// goals that keep them from being vacuous, and (with c.Liveness) the
// liveness properties.
func properties(c *Config) []checker.Property[State] {
	var ps []checker.Property[State]
	for _, pi := range catalog(c) {
		f := propFuncs[pi.Name]
		switch pi.Kind {
		case "always":
			ps = append(ps, checker.Always(pi.Name, f.cond(c)))
		case "sometimes":
			ps = append(ps, checker.Sometimes(pi.Name, f.cond(c)))
		case "eventually":
			ps = append(ps, checker.LeadsTo(pi.Name, f.trigger(c), f.cond(c)))
		}
	}
	return ps
}

type propFunc struct {
	cond    func(c *Config) func(s *State) bool
	trigger func(c *Config) func(s *State) bool
}

var propFuncs = map[string]propFunc{}

// Catalog lists the properties of configuration c, in check order.
func Catalog(c *Config) []PropInfo { return catalog(c) }

func catalog(c *Config) []PropInfo {
	var ps []PropInfo
	for t := throwCode(1); t < numThrow; t++ {
		in := throws[t]
		ps = append(ps, PropInfo{"throw-" + in.name, "always",
			fmt.Sprintf("the runtime never throws %q", in.msg), in.source})
	}
	ps = append(ps, structural...)
	for _, p := range sometimes {
		if p.applies == nil || p.applies(c) {
			ps = append(ps, p.PropInfo)
		}
	}
	if c.Liveness {
		ps = append(ps, liveness...)
	}
	return ps
}

func init() {
	for t := throwCode(1); t < numThrow; t++ {
		code := t
		propFuncs["throw-"+throws[t].name] = propFunc{cond: func(*Config) func(*State) bool {
			return func(s *State) bool { return s.Throw != uint8(code) }
		}}
	}
	reg := func(name string, cond func(c *Config) func(s *State) bool) {
		propFuncs[name] = propFunc{cond: cond}
	}
	reg("g-in-one-place", func(c *Config) func(*State) bool { return func(s *State) bool { return gPlacesOK(c, s) } })
	reg("p-owned-once", func(c *Config) func(*State) bool { return func(s *State) bool { return pOwnershipOK(c, s) } })
	reg("npidle-matches-pidle", func(*Config) func(*State) bool {
		return func(s *State) bool { return int(s.Sched.NPidle) == countNonzero(s.Sched.Pidle[:]) }
	})
	reg("nmidle-matches-midle", func(*Config) func(*State) bool {
		return func(s *State) bool { return int(s.Sched.NMidle) == countNonzero(s.Sched.Midle[:]) }
	})
	reg("nmspinning-ledger", func(c *Config) func(*State) bool { return func(s *State) bool { return ledgerOK(c, s) } })
	reg("checkdead-no-false-deadlock", func(c *Config) func(*State) bool {
		return func(s *State) bool { return s.Report != reportAllAsleep || trueDeadlock(c, s) }
	})
	reg("checkdead-no-false-goexit", func(c *Config) func(*State) bool {
		return func(s *State) bool { return s.Report != reportNoGoroutines || allUserDead(c, s) }
	})
	reg("work-conservation", func(c *Config) func(*State) bool {
		return func(s *State) bool { return !(idleP(s) && queuedWork(c, s) && quiet(c, s)) }
	})
	reg("sysmon-wakeable", func(c *Config) func(*State) bool { return func(s *State) bool { return sysmonWakeableOK(c, s) } })
	reg("midle-ms-parked", func(c *Config) func(*State) bool { return func(s *State) bool { return midleParkedOK(c, s) } })
	reg("park-note-has-nextp", func(c *Config) func(*State) bool { return func(s *State) bool { return parkNoteOK(c, s) } })
	for _, p := range sometimes {
		propFuncs[p.Name] = propFunc{cond: p.cond}
	}
	propFuncs["checkdead-complete"] = propFunc{
		trigger: func(c *Config) func(*State) bool { return func(s *State) bool { return trueDeadlock(c, s) } },
		cond: func(*Config) func(*State) bool {
			return func(s *State) bool { return s.Report != reportNone || s.Throw != 0 }
		},
	}
	propFuncs["work-conservation-live"] = propFunc{
		trigger: func(c *Config) func(*State) bool {
			return func(s *State) bool { return idleP(s) && queuedWork(c, s) }
		},
		cond: func(c *Config) func(*State) bool {
			return func(s *State) bool { return !(idleP(s) && queuedWork(c, s)) || s.Throw != 0 || s.Exited }
		},
	}
}

var structural = []PropInfo{
	{"g-in-one-place", "always", "every goroutine is in exactly one place: a run queue slot, a runnext, the global queue, an M's local variable, on an M (running or in a syscall), waiting, or dead", "runtime2.go:36-117 (G status comments)"},
	{"p-owned-once", "always", "every P has one owner: the idle list, an M's p (then p.m is that M and the P is _Prunning), an M's nextp, or a thread that holds it in transit", "runtime2.go:634-644 (m.p, m.nextp comments)"},
	{"npidle-matches-pidle", "always", "sched.npidle equals the length of sched.pidle", "proc.go:7373-7418"},
	{"nmidle-matches-midle", "always", "sched.nmidle equals the length of sched.midle", "proc.go:7200-7221"},
	{"nmspinning-ledger", "always", "sched.nmspinning = the Ms with m.spinning + the threads holding an increment not yet handed over (wakep/handoffp after the CAS, startm's spinning argument) + the new Ms to run mspinning", "proc.go:3664-3671 (transient increments), 1073-1077, 3013-3016"},
	{"checkdead-no-false-deadlock", "always", "when checkdead reports \"all goroutines are asleep - deadlock!\", no user goroutine can run again: none is runnable, running, in a syscall or held by an M, none waits on the network or a timer, and some waits", "proc.go:6467-6468"},
	{"checkdead-no-false-goexit", "always", "when checkdead reports \"no goroutines (main called runtime.Goexit) - deadlock!\", every user goroutine is dead", "proc.go:6424-6427"},
	{"work-conservation", "always", "no stable state has an idle P and queued work (the global queue, the local queue of a P whose M runs user code, runnext and ring, except the Gs its owner moved into the ring from the global queue, or an expired timer on an idle P) while no M spins or is being started and no spinning M is owed: every M is parked, blocked in netpoll, running user code or in a syscall, nmspinning and needspinning are 0 and sysmon is between rounds", "proc.go:36-116 (\"Worker thread parking/unparking\"), 3622-3657 (\"Delicate dance\")"},
	{"sysmon-wakeable", "always", "sysmon never sleeps deeply on sysmonnote while a goroutine is in a syscall holding a P", "proc.go:4710-4714, 6523-6548"},
	{"midle-ms-parked", "always", "every M on sched.midle is in stopm between mput and its wakeup: asleep on its park note, which is clear, holding no P and no nextp, not spinning", "proc.go:2992-3011 (stopm), 3109-3121 (startm's checks), 7200-7221 (mput, mget)"},
	{"park-note-has-nextp", "always", "an M whose park note is set (woken by startm, not yet past notesleep) is off sched.midle and has m.nextp: startm hands the P over before the wakeup", "proc.go:3109-3121, 3009-3010"},
}

type sometimesProp struct {
	PropInfo
	applies func(c *Config) bool
	cond    func(c *Config) func(s *State) bool
}

var sometimes = []sometimesProp{
	{PropInfo{"steal-succeeds", "sometimes", "a spinning M steals a goroutine from another P", "proc.go:3883-3887"},
		func(c *Config) bool { return c.GOMAXPROCS > 1 },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return anyM(c, s, func(m *M) bool { return m.Flags&fStole != 0 }) }
		}},
	{PropInfo{"needspinning-set", "sometimes", "pidlegetSpinning finds no idle P and sets sched.needspinning", "proc.go:7438"},
		func(c *Config) bool { return !c.go114() && c.GOMAXPROCS > 1 },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.Sched.NeedSpinning } }},
	{PropInfo{"sysmon-retakes-p", "sometimes", "sysmon takes a P from a goroutine in a syscall", "proc.go:6710-6715"},
		func(c *Config) bool { return c.Sysmon && hasOp(c, OpSyscall) && !c.go114() },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return s.M[c.sysmonM()].PC == uint8(pcRetakeTakePResume) }
		}},
	{PropInfo{"sysmon-deep-sleep", "sometimes", "sysmon sleeps on sysmonnote with every P idle", "proc.go:6529-6542"},
		func(c *Config) bool { return c.Sysmon },
		func(c *Config) func(*State) bool {
			return func(s *State) bool {
				return s.M[c.sysmonM()].PC == uint8(pcSysmonSleep) && s.Sched.SysmonWait
			}
		}},
	{PropInfo{"newm-creates-m", "sometimes", "startm finds no idle M and newm creates one", "proc.go:3073-3104"},
		func(c *Config) bool { return c.Ms > 1 },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return int(s.Sched.MNext) > c.nm()-c.Ms+1 }
		}},
	{PropInfo{"m-parked-on-midle", "sometimes", "an M sleeps in stopm on sched.midle (what midle-ms-parked speaks of)", "proc.go:2992-3011, 7200-7206"},
		func(c *Config) bool { return c.Ms > 1 },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return s.Sched.Midle[0] != 0 }
		}},
	{PropInfo{"netpoll-blocks", "sometimes", "an M without a P blocks in netpoll", "proc.go:3732-3754"},
		func(c *Config) bool { return c.Netpoll },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return anyM(c, s, func(m *M) bool { return m.PC == uint8(pcFRPollBlock) }) }
		}},
	{PropInfo{"timer-runs", "sometimes", "an expired timer readies its goroutine", "proc.go:3415, 3860-3879"},
		func(c *Config) bool { return c.Timers },
		func(c *Config) func(*State) bool {
			return func(s *State) bool {
				for g := 0; g < c.ng(); g++ {
					if s.G[g].Wait == waitTimer && s.G[g].Status == _Grunnable {
						return true
					}
				}
				return anyM(c, s, func(m *M) bool {
					return m.PC == uint8(pcReady) && m.Flags&fNext != 0 && m.LG != 0 && s.G[m.LG-1].Wait == waitTimer
				})
			}
		}},
	{PropInfo{"forcegc-runs", "sometimes", "sysmon injects the forcegc helper and it runs", "proc.go:6603-6610, 366-383"},
		func(c *Config) bool { return c.Forcegc && c.Sysmon },
		func(c *Config) func(*State) bool {
			return func(s *State) bool { return s.G[c.ng()-1].Status == _Grunning }
		}},
	{PropInfo{"checkdead-reports", "sometimes", "checkdead reports \"all goroutines are asleep - deadlock!\"", "proc.go:6467-6468"},
		func(c *Config) bool { return c.ExpectDeadlock },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.Report == reportAllAsleep } }},
	{PropInfo{"program-exits", "sometimes", "main returns and the program exits", "proc.go:149-334 (runtime.main)"},
		func(c *Config) bool { return !c.ExpectDeadlock },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.Exited } }},
}

var liveness = []PropInfo{
	{"checkdead-complete", "eventually", "once the user goroutines truly deadlock, checkdead reports it (under weak fairness of the Ms)", "proc.go:6367-6469, 7200-7206"},
	{"work-conservation-live", "eventually", "an idle P with queued work does not stay so: some M picks the work up or the P (under weak fairness)", "proc.go:36-116"},
}

func hasOp(c *Config, op Op) bool {
	for _, p := range c.Gs {
		for _, in := range p.Code {
			if in.Op == op {
				return true
			}
		}
	}
	return false
}

func anyM(c *Config, s *State, f func(m *M) bool) bool {
	for i := 0; i < c.nm(); i++ {
		if s.M[i].Created && f(&s.M[i]) {
			return true
		}
	}
	return false
}

func countNonzero(b []uint8) int {
	n := 0
	for _, x := range b {
		if x != 0 {
			n++
		}
	}
	return n
}

// heldG reports the Gs an M holds in local variables as owner. Some steps
// keep a G in LG only as a reference to another M's G (setBlockOnExitSyscall,
// preemptone, and runqgrab's next, the victim's runnext before the CAS);
// those are not holdings.
func heldG(m *M) (held uint8) {
	switch pc(m.PC) {
	case pcSBCas, pcSBCheck, pcExitTakeP, pcExitResume, pcPreemptSet, pcRetakeDecide, pcRetakeResume, pcRetakeTakeP, pcRetakeTakePResume, pcStealRunnext:
	default:
		if m.LG != 0 {
			held |= 1 << (m.LG - 1)
		}
	}
	if m.LG2 != 0 {
		held |= 1 << (m.LG2 - 1)
	}
	for i := 0; i < int(m.QN); i++ {
		held |= 1 << (m.Q[i] - 1)
	}
	return held | m.List | m.List2
}

// gPlacesOK checks g-in-one-place.
func gPlacesOK(c *Config, s *State) bool {
	var queued, onM [MaxG]int
	count := func(g uint8, where *[MaxG]int) {
		if g != 0 {
			where[g-1]++
		}
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		for i := 0; i < int(pp.RunqN); i++ {
			count(pp.Runq[i], &queued)
		}
		count(pp.Runnext, &queued)
	}
	for i := 0; i < int(s.Sched.RunqN); i++ {
		count(s.Sched.Runq[i], &queued)
	}
	var held [MaxG]int
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		count(m.CurG, &onM)
		for h := heldG(m); h != 0; h &= h - 1 {
			held[nthBit(h, 0)]++
		}
		if m.CurG != 0 && s.G[m.CurG-1].M != mref(i) {
			return false
		}
	}
	for g := 0; g < c.ng(); g++ {
		st := s.G[g].Status &^ _Gscan
		switch st {
		case _Grunnable:
			if queued[g]+held[g] != 1 || onM[g] != 0 {
				return false
			}
		case _Grunning, _Gsyscall:
			if queued[g] != 0 || onM[g] != 1 {
				return false
			}
		case _Gwaiting:
			if queued[g] != 0 || onM[g] != 0 || held[g] > 1 {
				return false
			}
		case _Gdead:
			if queued[g]+held[g]+onM[g] != 0 {
				return false
			}
		}
	}
	return true
}

// pOwnershipOK checks p-owned-once.
func pOwnershipOK(c *Config, s *State) bool {
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		onIdle := 0
		for _, q := range s.Sched.Pidle {
			if q == pref(p) {
				onIdle++
			}
		}
		asP, asNext := -1, -1
		for i := 0; i < c.nm(); i++ {
			if s.M[i].P == pref(p) {
				if asP >= 0 {
					return false
				}
				asP = i
			}
			if s.M[i].NextP == pref(p) {
				if asNext >= 0 {
					return false
				}
				asNext = i
			}
		}
		switch {
		case onIdle > 1:
			return false
		case onIdle == 1 && (pp.Status != _Pidle || pp.M != 0 || asP >= 0 || asNext >= 0 || !s.runqempty(p)):
			return false
		case asP >= 0 && (asNext >= 0 || pp.M != mref(asP) || pp.Status != _Prunning):
			return false
		case asNext >= 0 && (pp.Status != _Pidle || pp.M != 0):
			return false
		case pp.Status == _Prunning && (pp.M == 0 || s.M[pp.M-1].P != pref(p)):
			return false
		case pp.Status == _Psyscall && (pp.M != 0 || asP >= 0 || asNext >= 0 || onIdle != 0):
			return false
		}
	}
	return true
}

// ledgerOK checks nmspinning-ledger. The increments in transit are wakep's
// and handoffp's after their CAS (the fSpinArg flag, which startm hands to
// the M it starts) and new Ms that will run mspinning.
func ledgerOK(c *Config, s *State) bool {
	n := 0
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		if m.Spinning {
			n++
		}
		if m.Flags&fSpinArg != 0 {
			n++
		}
		if m.Created && m.StartFn == 1 {
			n++
		}
	}
	return int(s.Sched.NMSpinning) == n
}

// active reports whether user goroutine g can still run without help:
// runnable, running, in a syscall, or about to be (a network or timer wait
// not yet committed, which then the environment can end).
func envWakeable(g *G) bool {
	return g.Status == _Gwaiting && (g.Wait == waitNet || g.Wait == waitTimer || g.Wait == waitNone || g.Wait == waitPolled)
}

// trueDeadlock: no user goroutine can ever run again, and some waits.
// Only a running goroutine or the environment can ready a waiting one.
func trueDeadlock(c *Config, s *State) bool {
	waiting := false
	for g := 0; g < len(c.Gs); g++ {
		gs := &s.G[g]
		switch gs.Status &^ _Gscan {
		case _Grunnable, _Grunning, _Gsyscall:
			return false
		case _Gwaiting, _Gpreempted:
			if envWakeable(gs) {
				return false
			}
			waiting = true
		}
	}
	return waiting && s.Sched.NetReady == 0
}

func allUserDead(c *Config, s *State) bool {
	for g := 0; g < len(c.Gs); g++ {
		if s.G[g].Status != _Gdead {
			return false
		}
	}
	return true
}

func idleP(s *State) bool { return s.Sched.Pidle[0] != 0 }

// queuedWork: the global queue holds a goroutine, or the local queue of a
// P whose M runs user code does (runnext or the ring), or a timer on an
// idle P has expired. Excused, and only these: Gs that the owner moved into
// its ring from the global queue (findRunnable's globrunqgetbatch ->
// runqputbatch, proc.go:3474-3483), which wakes nobody and which
// docs/bugs.md records as a finding; sched.Batched marks them until they
// leave the ring.
func queuedWork(c *Config, s *State) bool {
	if s.Sched.RunqN > 0 {
		return true
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		if pp.M != 0 && s.M[pp.M-1].PC == uint8(pcUser) {
			if pp.Runnext != 0 {
				return true
			}
			for _, g := range pp.Runq[:pp.RunqN] {
				if s.Sched.Batched&(1<<(g-1)) == 0 {
					return true
				}
			}
		}
		if s.idle(p) {
			for t := pp.Timers; t != 0; t &= t - 1 {
				if s.G[nthBit(t, 0)].Expired {
					return true
				}
			}
		}
	}
	return false
}

// quiet: nothing in the scheduler is in motion, and it owes no spinning M
// (needspinning is clear: a set flag is the runtime's record that the next
// M to drop its P or to spin must look for this work; see "Delicate dance"
// and the handoffp finding in docs/bugs.md). Every worker M is parked
// (key clear), blocked in netpoll with nothing to return, running user
// code, or in a syscall; nobody spins; no new M is starting; sysmon is
// between rounds or sleeping.
func quiet(c *Config, s *State) bool {
	if s.Sched.NMSpinning != 0 || s.Sched.NeedSpinning || s.Throw != 0 || s.Report != 0 || s.Exited {
		return false
	}
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		if !m.Created {
			continue
		}
		if i == c.sysmonM() {
			if pc(m.PC) != pcSysmonLoop && pc(m.PC) != pcSysmonSleep {
				return false
			}
			continue
		}
		switch pc(m.PC) {
		case pcStopmSleep:
			if m.Park != 0 {
				return false
			}
		case pcFRPollBlock:
			if s.Sched.NetReady != 0 || s.Sched.NetBreak || s.Sched.PollUntil {
				return false
			}
		case pcUser, pcInSyscall:
		default:
			return false
		}
	}
	return true
}

// midleParkedOK checks midle-ms-parked.
func midleParkedOK(c *Config, s *State) bool {
	for _, r := range s.Sched.Midle {
		if r == 0 {
			continue
		}
		m := &s.M[r-1]
		if pc(m.PC) != pcStopmSleep || m.Park != 0 || m.P != 0 || m.NextP != 0 || m.Spinning {
			return false
		}
	}
	return true
}

// parkNoteOK checks park-note-has-nextp.
func parkNoteOK(c *Config, s *State) bool {
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		if m.Park == 0 {
			continue
		}
		if m.NextP == 0 {
			return false
		}
		for _, r := range s.Sched.Midle {
			if r == mref(i) {
				return false
			}
		}
	}
	return true
}

// sysmonWakeableOK: SW-1 of model-extraction §9.4.
func sysmonWakeableOK(c *Config, s *State) bool {
	sm := c.sysmonM()
	if sm < 0 || s.M[sm].PC != uint8(pcSysmonSleep) || !s.Sched.SysmonWait || s.Sched.SysmonNote != 0 {
		return true
	}
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		if m.PC == uint8(pcInSyscall) && m.P != 0 {
			return false
		}
	}
	return true
}
