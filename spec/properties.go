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
	if c.STW {
		ps = append(ps, stwStructural...)
	}
	if c.Locked {
		ps = append(ps, lockedStructural...)
	}
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
	reg("stopwait-counts-ps", func(c *Config) func(*State) bool { return func(s *State) bool { return stopwaitOK(c, s) } })
	reg("stw-no-idle-p", func(c *Config) func(*State) bool {
		return func(s *State) bool {
			return !s.World.GCWaiting || s.Sched.Lock == s.World.Stopper || s.Sched.Pidle[0] == 0
		}
	})
	reg("safepoint-no-idle-p", func(c *Config) func(*State) bool {
		return func(s *State) bool {
			w := &s.World
			if !w.SafePointFn || s.Sched.Lock == w.Stopper {
				return true
			}
			for _, r := range s.Sched.Pidle {
				if r != 0 && w.RunSafePointFn&(1<<(r-1)) != 0 {
					return false
				}
			}
			return true
		}
	})
	reg("stw-world-stopped", func(c *Config) func(*State) bool { return func(s *State) bool { return worldStoppedOK(c, s) } })
	reg("stopnote-woken", func(c *Config) func(*State) bool {
		return func(s *State) bool {
			w := &s.World
			return w.Stopper == 0 || s.M[w.Stopper-1].PC != uint8(pcSTWSleep) || w.StopWait != 0 || w.StopNote != 0
		}
	})
	reg("safepointnote-woken", func(c *Config) func(*State) bool {
		return func(s *State) bool {
			w := &s.World
			if w.SafePointWait != 0 || w.SafePointNote != 0 {
				return true
			}
			return !anyM(c, s, func(m *M) bool { return m.PC == uint8(pcForEachPSleep) })
		}
	})
	reg("locked-both-ways", func(c *Config) func(*State) bool { return func(s *State) bool { return lockedBothWaysOK(c, s) } })
	reg("nmidlelocked-ledger", func(c *Config) func(*State) bool { return func(s *State) bool { return nmidlelockedOK(c, s) } })
	reg("locked-m-runs-only-its-g", func(c *Config) func(*State) bool { return func(s *State) bool { return lockedMOK(c, s) } })
	reg("locked-exit-thread-exits", func(c *Config) func(*State) bool {
		return func(s *State) bool {
			for i := 0; i < c.nm(); i++ {
				if s.World.LockedExit&(1<<i) != 0 && (s.M[i].CurG != 0 || s.M[i].Spinning) {
					return false
				}
			}
			return true
		}
	})
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
	{"nmidlelocked-ledger", "always", "sched.nmidlelocked equals the locked Ms asleep in stoplockedm (after their incidlelocked(1); none without the locked feature), less those whose waker has already called incidlelocked(-1), less one while sysmon is inside an incidlelocked(-1) ... incidlelocked(1) bracket", "proc.go:3261, 3287, 6355-6362, 6577-6583, 6681-6720"},
	{"park-note-has-nextp", "always", "an M whose park note is set (woken by startm, not yet past notesleep) is off sched.midle and has m.nextp: startm hands the P over before the wakeup", "proc.go:3109-3121, 3009-3010"},
}

// stwStructural are the structural invariants of stop-the-world and safe
// points (feature stw).
var stwStructural = []PropInfo{
	{"stopwait-counts-ps", "always", "while the world stops (sched.gcwaiting), sched.stopwait equals the Ps not yet given up to the stopper: a P is given up once it is _Pgcstop, or once no M but the stopper holds it (no m.p, m.nextp or local variable of another M refers to it, p.m is 0, and it is not idle) [stw]", "proc.go:1658-1686, 3158-3166, 3296-3320, 4755-4777, 6796-6807"},
	{"stw-no-idle-p", "always", "while the world stops, no P is on sched.pidle once the stopper has released sched.lock: the stopper took the idle Ps, and every M that would make its P idle gives it to the stopper instead [stw]", "proc.go:1676-1686, 3158-3166, 3595-3598"},
	{"safepoint-no-idle-p", "always", "while forEachP runs, no P on sched.pidle still owes the safe point function once forEachP has released sched.lock: forEachP ran it for the idle Ps, and every M that makes its P idle runs it first (findRunnable goes back to its top, handoffp runs it) [stw]", "proc.go:2162-2170, 2228-2231, 3168-3174, 3595-3598"},
	{"stw-world-stopped", "always", "while the world is stopped (between stopTheWorld's checks and procresize) every P is _Pgcstop and no M but the stopper holds a P or runs user code [stw]", "proc.go:1710-1734 (\"Double-check we actually stopped everything\")"},
	{"stopnote-woken", "always", "the stopper never sleeps on sched.stopnote with stopwait at 0 and the note clear: the M that stopped the last P woke it [stw]", "proc.go:1688-1700, 3162-3164, 3315-3317, 4772-4774"},
	{"safepointnote-woken", "always", "forEachP never sleeps on sched.safePointNote with safePointWait at 0 and the note clear: the M that ran the last safe point function woke it [stw]", "proc.go:2193-2205, 2242-2245, 3170-3173"},
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
		mAt(pcFRPollBlock)},
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
	{PropInfo{"world-stops", "sometimes", "stopTheWorldWithSema stops every P and its checks pass", "proc.go:1710-1743"},
		func(c *Config) bool { return c.STW },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.World.Stopped } }},
	{PropInfo{"stopper-waits", "sometimes", "the stopper sleeps on sched.stopnote: some P had to be stopped by its own M", "proc.go:1688-1700"},
		func(c *Config) bool { return c.STW && c.GOMAXPROCS > 1 },
		mAt(pcSTWSleep)},
	{PropInfo{"gcstopm-runs", "sometimes", "an M stops its P for the GC in gcstopm", "proc.go:3296-3320"},
		func(c *Config) bool { return c.STW && c.GOMAXPROCS > 1 },
		mAt(pcGcstopmLock)},
	{PropInfo{"foreachp-waits", "sometimes", "forEachP sleeps on sched.safePointNote: some P runs the safe point function itself", "proc.go:2193-2205"},
		func(c *Config) bool { return c.STW && c.GOMAXPROCS > 1 },
		mAt(pcForEachPSleep)},
	{PropInfo{"mark-worker-runs", "sometimes", "an idle mark worker drains mark work", "proc.go:3540-3558"},
		func(c *Config) bool { return c.GCWork },
		mAt(pcGCMarkWorker)},
	{PropInfo{"stoplockedm-parks", "sometimes", "a locked M sleeps in stoplockedm, counted in sched.nmidlelocked [locked]", "proc.go:3261-3263"},
		func(c *Config) bool { return c.Locked },
		func(c *Config) func(*State) bool {
			return func(s *State) bool {
				return anyM(c, s, func(m *M) bool { return m.PC == uint8(pcStoplockedmPark) && m.Park == 0 }) && s.Sched.NMidleLocked > 0
			}
		}},
	{PropInfo{"startlockedm-hands-off", "sometimes", "an M finds a goroutine locked to another M and hands it its P [locked]", "proc.go:3286-3292"},
		func(c *Config) bool { return c.Locked && !c.ExpectDeadlock },
		mAt(pcStartlockedmWake)},
	{PropInfo{"locked-thread-exits", "sometimes", "a goroutine exits locked and its thread exits (mexit) [locked]", "proc.go:4546-4569, 2062-2071"},
		func(c *Config) bool { return c.Locked && lockedExits(c) && !c.ExpectDeadlock },
		func(c *Config) func(*State) bool { return func(s *State) bool { return s.World.NMFreed > 0 } }},
	{PropInfo{"checkdead-reports", "sometimes", "checkdead reports \"all goroutines are asleep - deadlock!\"", "proc.go:6467-6468"},
		func(c *Config) bool { return c.ExpectDeadlock },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.Report == reportAllAsleep } }},
	{PropInfo{"program-exits", "sometimes", "main returns and the program exits", "proc.go:149-334 (runtime.main)"},
		func(c *Config) bool { return !c.ExpectDeadlock },
		func(*Config) func(*State) bool { return func(s *State) bool { return s.Exited } }},
}

// lockedStructural are the structural invariants of locked threads
// (feature locked).
var lockedStructural = []PropInfo{
	{"locked-both-ways", "always", "m.lockedg and g.lockedm agree: an M locked to a goroutine is that goroutine's lockedm and the goroutine is not dead, and a goroutine locked to an M is that M's lockedg [locked]", "proc.go:5598-5605, 5650-5660, 4513-4515"},
	{"locked-m-runs-only-its-g", "always", "an M locked to a goroutine runs no other (its curg is that goroutine or none) and does not look for work: it does not spin and is not on sched.midle; a locked goroutine that runs, runs on its M [locked]", "proc.go:4142-4145 (schedule), 3250-3273 (stoplockedm), 5106-5113 (exitsyscallNoP)"},
	{"locked-exit-thread-exits", "always", "a thread that a goroutine exited locked to runs no goroutine again and does not look for one (it does not spin): it hands its P off and exits in mexit (m0 wedges) [locked]", "proc.go:4546-4569 (gdestroy), 1981-2099 (mexit); golang/go#20395"},
}

var liveness = []PropInfo{
	{"checkdead-complete", "eventually", "once the user goroutines truly deadlock, checkdead reports it (under weak fairness of the Ms)", "proc.go:6367-6469, 7200-7206"},
	{"work-conservation-live", "eventually", "an idle P with queued work does not stay so: some M picks the work up or the P (under weak fairness)", "proc.go:36-116"},
}

// mAt is the condition "some M is at step p", for Sometimes goals.
func mAt(p pc) func(c *Config) func(*State) bool {
	return func(c *Config) func(*State) bool {
		return func(s *State) bool { return anyM(c, s, func(m *M) bool { return m.PC == uint8(p) }) }
	}
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
	case pcSBCas, pcSBCheck, pcExitTakeP, pcExitResume, pcPreemptSet, pcRetakeDecide, pcRetakeResume, pcRetakeTakeP, pcRetakeTakePResume, pcStealRunnext, pcExitNoPLockedRead:
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
	// Counts are small (a G is in at most a few dozen places), so bytes.
	var queued, onM [MaxG]uint8
	count := func(g uint8, where *[MaxG]uint8) {
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
	var held [MaxG]uint8
	nm, ng := c.nm(), c.ng()
	for i := 0; i < nm; i++ {
		m := &s.M[i]
		count(m.CurG, &onM)
		for h := heldG(m); h != 0; h &= h - 1 {
			held[nthBit(h, 0)]++
		}
		if g := s.World.LockedG[i]; g != 0 && m.Park != 0 {
			// startlockedm took the locked G off a run queue and
			// woke its M (which may not be asleep yet): the G is
			// that M's now.
			held[g-1]++
		}
		if m.CurG != 0 && s.G[m.CurG-1].M != mref(i) {
			return false
		}
	}
	for g := 0; g < ng; g++ {
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
			// The stopper's G waits on its M while it stops the world
			// or runs forEachP (casGToWaitingForSuspendG).
			if queued[g] != 0 || (onM[g] != 0 && s.G[g].Wait != waitSTW) || held[g] > 1 {
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
	np := c.GOMAXPROCS
	// For each P: how often it is on pidle, and the M whose p (asP) and
	// nextp (asNext) it is; two such Ms break the invariant. One pass over
	// pidle and the Ms for all Ps.
	var onIdleOf [MaxP]int
	for _, q := range s.Sched.Pidle {
		if q != 0 && int(q) <= np {
			onIdleOf[q-1]++
		}
	}
	var asPOf, asNextOf [MaxP]int
	for p := 0; p < np; p++ {
		asPOf[p], asNextOf[p] = -1, -1
	}
	for i := 0; i < c.nm(); i++ {
		if q := s.M[i].P; q != 0 && int(q) <= np {
			if asPOf[q-1] >= 0 {
				return false
			}
			asPOf[q-1] = i
		}
		if q := s.M[i].NextP; q != 0 && int(q) <= np {
			if asNextOf[q-1] >= 0 {
				return false
			}
			asNextOf[q-1] = i
		}
	}
	for p := 0; p < np; p++ {
		pp := &s.P[p]
		onIdle, asP, asNext := onIdleOf[p], asPOf[p], asNextOf[p]
		switch {
		case onIdle > 1:
			return false
		case onIdle == 1 && (pp.Status != _Pidle || pp.M != 0 || asP >= 0 || asNext >= 0 || !s.runqempty(p)):
			return false
		case asP >= 0 && pp.Status == _Pgcstop:
			// The stopper keeps its P, _Pgcstop, as m.p.
			if asNext >= 0 || pp.M != mref(asP) || s.World.Stopper != mref(asP) {
				return false
			}
		case asP >= 0 && (asNext >= 0 || pp.M != mref(asP) || pp.Status != _Prunning):
			return false
		case pp.Status == _Pgcstop && (pp.M != 0 || asNext >= 0 || onIdle != 0 || !s.World.GCWaiting):
			return false
		case pp.Status == _Pidle && pp.M != 0 && !procresizeAssigned(c, s, p):
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

// procresizeAssigned reports whether p is one of startTheWorld's runnable Ps
// whose p.m procresize set to an idle M it took with mget, not yet woken.
func procresizeAssigned(c *Config, s *State, p int) bool {
	m := int(s.P[p].M) - 1
	if m < 0 || pc(s.M[m].PC) != pcStopmSleep || s.M[m].Park != 0 {
		return false
	}
	return anyM(c, s, func(mm *M) bool {
		switch pc(mm.PC) {
		case pcStartTWRunP, pcStartTWNewmLock, pcStartTWNewm:
			return mm.Visited&(1<<p) != 0
		}
		return false
	})
}

// stopwaitOK checks stopwait-counts-ps.
func stopwaitOK(c *Config, s *State) bool {
	if !s.World.GCWaiting {
		return true
	}
	var held uint8
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		lp := m.LP
		if mref(i) == s.World.Stopper || !lpOwned(m) {
			lp = 0 // what the stopper holds is given up to it
		}
		for _, r := range []uint8{m.P, m.NextP, lp} {
			if r != 0 {
				held |= 1 << (r - 1)
			}
		}
	}
	n := 0
	for p := 0; p < c.GOMAXPROCS; p++ {
		givenUp := s.P[p].Status == _Pgcstop ||
			(held&(1<<p) == 0 && !s.idle(p) && s.P[p].M == 0 && s.P[p].Status != _Psyscall)
		if !givenUp {
			n++
		}
	}
	return int(s.World.StopWait) == n
}

// lpOwned reports whether the M's LP is a P it owns, not one it only probes:
// setBlockOnExitSyscall's steps and their callers' next steps, until the
// probe has succeeded, refer to another M's P.
func lpOwned(m *M) bool {
	switch pc(m.PC) {
	case pcSBRead, pcSBCas, pcSBCheck:
		return false
	case pcExitTakeP, pcSTWSyscallStop, pcForEachPTakeP, pcRetakeDecide:
		return m.Flags&fSBOK != 0
	}
	return m.LP != 0
}

// worldStoppedOK checks stw-world-stopped.
func worldStoppedOK(c *Config, s *State) bool {
	w := &s.World
	if !w.Stopped {
		return true
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		if s.P[p].Status != _Pgcstop {
			return false
		}
	}
	for i := 0; i < c.nm(); i++ {
		if mref(i) == w.Stopper {
			continue
		}
		if s.M[i].P != 0 || s.M[i].PC == uint8(pcUser) {
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
			if envWakeable(gs) || gs.Wait == waitSTW || gs.Wait == waitGCMark {
				// The stopper's G, and a G waiting for the mark
				// phase that idle workers end, will run again.
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
	if w := &s.World; w.GCBlacken && w.MarkWork > 0 {
		// Mark work for an idle mark worker (gcwork).
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
		case pcStopmSleep, pcStoplockedmPark:
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
	if sm < 0 || s.M[sm].PC != uint8(pcSysmonSleep) || !s.Sched.SysmonWait || s.Sched.SysmonNote != 0 || s.World.GCWaiting {
		// While the world stops, sysmon sleeps deeply on purpose;
		// startTheWorld wakes it.
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

// lockedBothWaysOK checks locked-both-ways.
func lockedBothWaysOK(c *Config, s *State) bool {
	w := &s.World
	for i := 0; i < c.nm(); i++ {
		if g := w.LockedG[i]; g != 0 && (w.LockedM[g-1] != mref(i) || s.G[g-1].Status == _Gdead) {
			return false
		}
	}
	for g := 0; g < c.ng(); g++ {
		if m := w.LockedM[g]; m != 0 && w.LockedG[m-1] != gref(g) {
			return false
		}
	}
	return true
}

// sysmonBracket are the steps at which sysmon (or a call it made) is
// between an incidlelocked(-1) and its incidlelocked(1): netpoll's
// injection and retake's look at a P.
var sysmonBracket = [numPC]bool{
	pcSysmonNetIncLock: true, pcSysmonNetInc: true,
	pcRetakeDecide: true, pcRetakeResume: true, pcRetakeTakeP: true, pcRetakeTakePResume: true,
	pcRetakeIncLock: true, pcRetakeInc: true, pcRetake114Cas: true,
}

// nmidlelockedOK checks nmidlelocked-ledger.
func nmidlelockedOK(c *Config, s *State) bool {
	n := 0
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		if i == c.sysmonM() {
			open := sysmonBracket[pc(m.PC)]
			for d := 0; d < int(m.Depth); d++ {
				open = open || sysmonBracket[pc(m.Ret[d])]
			}
			if open {
				n--
			}
			continue
		}
		if pc(m.PC) == pcStoplockedmPark {
			n++ // its incidlelocked(1)
		}
		if s.World.LockedG[i] != 0 && m.Park != 0 {
			n-- // its waker's incidlelocked(-1), and the wakeup
		}
		if pc(m.PC) == pcStartlockedmWake {
			n-- // incidlelocked(-1) done, the wakeup not yet
		}
	}
	return int(s.Sched.NMidleLocked) == n
}

// lockedMOK checks locked-m-runs-only-its-g.
func lockedMOK(c *Config, s *State) bool {
	w := &s.World
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		g := w.LockedG[i]
		if g == 0 {
			continue
		}
		if (m.CurG != 0 && m.CurG != g) || m.Spinning {
			return false
		}
		for _, r := range s.Sched.Midle {
			if r == mref(i) {
				return false
			}
		}
	}
	for g := 0; g < c.ng(); g++ {
		if m := w.LockedM[g]; m != 0 && s.G[g].Status&^_Gscan == _Grunning && s.G[g].M != m {
			return false
		}
	}
	return true
}

// lockedExits reports whether some goroutine's program can end with the
// goroutine locked (main's end exits the program instead).
func lockedExits(c *Config) bool {
	for g := 1; g < len(c.Gs); g++ {
		locked := false
		for _, in := range c.Gs[g].Code {
			switch in.Op {
			case OpLock:
				locked = true
			case OpUnlock:
				locked = false
			}
			if in.Op == OpExit {
				break
			}
		}
		if locked {
			return true
		}
	}
	return false
}
