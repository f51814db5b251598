package spec

// The garbage collector's side of the scheduler (features stw and gcwork):
// stopping and starting the world, forEachP's safe points, and GC mark
// work as a source of work next to goroutines and timers.
//
// A GC cycle is run by the goroutine that executes a gc instruction
// (runtime.GC), or by forcegc's helper when sysmon wakes it (gcStart). Its
// phases are World.GCPhase:
//
//	gcSweepTerm  stopTheWorldWithSema, then (gcwork) mark work appears and
//	             gcBlackenEnabled is set; startTheWorldWithSema
//	gcMark       (gcwork) the goroutine parks in gcWaitOnMark until the
//	             idle mark workers have drained the work
//	gcMarkDone   forEachP: every P passes a safe point (the ragged barrier
//	             of gcMarkDone)
//	gcMarkTerm   stopTheWorldWithSema again, gcBlackenEnabled cleared;
//	             startTheWorldWithSema; the cycle is over
//
// Stopping the world is a protocol between the stopper and every M that
// owns a P, over three words that sched.lock protects: sched.gcwaiting
// (set first, read racily by everyone), sched.stopwait (the Ps still to
// stop) and sched.stopnote (the stopper sleeps on it until stopwait
// reaches 0). The stopper takes the Ps it can reach itself under the lock
// (its own, the idle ones, the ones in syscalls), asks the running Gs to
// preempt, and every other P is stopped by its own M, at one of the places
// that read gcwaiting: findRunnable's top (gcstopm), dropP's re-check under
// the lock, stealWork, handoffp, and entersyscall. Whoever stops the last
// P wakes the note: "notewakeup - double wakeup" is the check that exactly
// one does. forEachP is the same shape with p.runSafePointFn,
// sched.safePointWait and sched.safePointNote, except that Ps keep running
// after they pass the safe point.
//
// Deliberate abstractions (docs/model.md): worldsema is not modelled (one
// goroutine stops the world, Config.Validate enforces it); the mark phase
// has one unit of mark work, drained by idle mark workers only (dedicated
// and fractional workers, findRunnableGCWorker and assignWaitingGCWorker
// are left out); the worker that drains the last unit readies the waiting
// goroutine, which then runs gcMarkDone's forEachP and the second stop
// itself (in the runtime the worker runs gcMarkDone); procresize keeps
// GOMAXPROCS and prefers no M (mgetSpecific's oldm is not kept).

// GC phases (World.GCPhase).
const (
	gcOff       = 0
	gcSweepTerm = 1
	gcMark      = 2
	gcMarkDone  = 3
	gcMarkTerm  = 4
)

// markUnits is the mark work a GC cycle finds when it starts the world.
const markUnits = 1

func init() {
	lockDef(pcSTWLock, "stopTheWorldWithSema.lock", pcSTWStop)
	def(pcSTWStop, "stopTheWorldWithSema.preemptall", stepSTWStop)
	def(pcSTWSyscall, "stopTheWorldWithSema.setBlockOnExitSyscall", stepSTWSyscall).branches(func(x *exec) int { return popcount(x.unvisitedPs()) })
	def(pcSTWSyscallStop, "stopTheWorldWithSema.gcstopP", stepSTWSyscallStop)
	def(pcSTWSyscallResume, "stopTheWorldWithSema.resume", stepSTWSyscallResume)
	def(pcSTWIdle, "stopTheWorldWithSema.pidleget", stepSTWIdle)
	def(pcSTWSleep, "stopTheWorldWithSema.notetsleep", stepSTWSleep).when(func(x *exec) bool {
		return x.s.World.StopNote != 0 || x.preemptall(false)
	})
	def(pcSTWCheck, "stopTheWorldWithSema.check", stepSTWCheck)
	def(pcStartTW, "startTheWorldWithSema.netpoll", stepStartTW)
	lockDef(pcStartTWLock, "startTheWorldWithSema.lock", pcStartTWProcresize)
	def(pcStartTWProcresize, "procresize", stepStartTWProcresize)
	def(pcStartTWRunP, "startTheWorldWithSema.notewakeup", stepStartTWRunP).branches(func(x *exec) int { return popcount(x.mm.Visited) })
	lockDef(pcStartTWNewmLock, "startTheWorldWithSema.newm.lock", pcStartTWNewm)
	def(pcStartTWNewm, "startTheWorldWithSema.newm", stepStartTWNewm)

	lockDef(pcForEachPLock, "forEachP.lock", pcForEachP)
	def(pcForEachP, "forEachP.preemptall", stepForEachP)
	def(pcForEachPSyscall, "forEachP.setBlockOnExitSyscall", stepForEachPSyscall).branches(func(x *exec) int {
		return max(1, popcount(x.safePointPending()))
	})
	def(pcForEachPTakeP, "forEachP.takeP", stepForEachPTakeP)
	def(pcForEachPResume, "forEachP.resume", stepForEachPResume)
	def(pcForEachPSleep, "forEachP.notetsleep", stepForEachPSleep).when(func(x *exec) bool {
		return x.s.World.SafePointNote != 0 || x.preemptall(false)
	})
	def(pcForEachPCheck, "forEachP.check", stepForEachPCheck)
	lockDef(pcForEachPClearLock, "forEachP.clear.lock", pcForEachPClear)
	def(pcForEachPClear, "forEachP.clear", stepForEachPClear)
	def(pcRunSafePointFn, "runSafePointFn.cas", stepRunSafePointFn)
	lockDef(pcRunSafePointFnLock, "runSafePointFn.lock", pcRunSafePointFnDec)
	def(pcRunSafePointFnDec, "runSafePointFn.safePointWait", stepRunSafePointFnDec)

	def(pcGcstopm, "gcstopm.releasep", stepGcstopm)
	lockDef(pcGcstopmLock, "gcstopm.lock", pcGcstopmStop)
	def(pcGcstopmStop, "gcstopm.stopwait", stepGcstopmStop)
	def(pcEntersyscallGCWait, "reentersyscall.gcwaiting", stepEntersyscallGCWait)
	lockDef(pcEntersyscallGCWaitLock, "entersyscallHandleGCWait.lock", pcEntersyscallGCWaitStop)
	def(pcEntersyscallGCWaitStop, "entersyscallHandleGCWait", stepEntersyscallGCWaitStop)

	lockDef(pcEntersyscall114GCWaitLock, "entersyscall_gcwait.lock", pcEntersyscall114GCWait)
	def(pcEntersyscall114GCWait, "entersyscall_gcwait", stepEntersyscall114GCWait)
	def(pcStartTW114Wakep, "startTheWorldWithSema114.wakep?", stepWakeCheck114)
	def(pcSTWSyscall114, "stopTheWorldWithSema114.casPgcstop", stepSTWSyscall114).branches(func(x *exec) int { return popcount(x.unvisitedPs()) })
	def(pcForEachPSyscall114, "forEachP114.casPidle", stepForEachPSyscall114).branches(func(x *exec) int {
		return max(1, popcount(x.safePointPending()))
	})

	def(pcFRIdleGC, "findRunnable.idleMarkWorker", stepFRIdleGC)
	def(pcGCMarkWorker, "gcBgMarkWorker.gcDrain", stepGCMarkWorker)
	def(pcCheckIdleGC, "checkIdleGCNoP", stepCheckIdleGC)
	lockDef(pcCheckIdleGCLock, "checkIdleGCNoP.lock", pcCheckIdleGCGet)
	def(pcCheckIdleGCGet, "checkIdleGCNoP.pidlegetSpinning", stepCheckIdleGCGet)
	def(pcCheckIdleGCAcquire, "checkIdleGCNoP.acquirep", stepCheckIdleGCAcquire)
}

// gcStep reports whether p is a step of the stw feature (stwStep) or of the
// gcwork feature.
func stwStep(p pc) bool { return p >= pcSTWLock && p <= pcForEachPSyscall114 }

// stw126Step reports whether p is a stop-the-world step of Go 1.26 alone:
// the ones built on setBlockOnExitSyscall, and entersyscallHandleGCWait.
// Go 1.14 takes Ps in syscalls with a CAS on their _Psyscall status.
func stw126Step(p pc) bool {
	switch p {
	case pcSTWSyscall, pcSTWSyscallStop, pcSTWSyscallResume, pcForEachPSyscall, pcForEachPTakeP, pcForEachPResume,
		pcEntersyscallGCWait, pcEntersyscallGCWaitLock, pcEntersyscallGCWaitStop:
		return true
	}
	return false
}

func gcworkStep(p pc) bool { return p >= pcFRIdleGC && p <= pcCheckIdleGCAcquire }

// gc runs one phase of the GC cycle for goroutine g, the one step of the
// gc instruction (runtime.GC; or gcStart for forcegc's helper). Each phase
// ends with g running again at this instruction; the last one moves g past
// it.
func (x *exec) gc(g int) {
	w := &x.s.World
	switch w.GCPhase {
	case gcOff:
		w.GCPhase = gcSweepTerm
		x.stopTheWorld(g)
	case gcSweepTerm:
		w.GCPhase = gcMark
		if w.MarkWork > 0 {
			// gcWaitOnMark (mgc.go): under work.sweepWaiters.lock,
			// queue g and goparkunlock. The waker (the worker that
			// drains the last unit) takes the same lock, so the
			// check, the queueing and park_m's status change are
			// one step here.
			x.casgstatus(g, _Grunning, _Gwaiting)
			x.s.G[g].Wait = waitGCMark
			x.dropg()
			w.MarkWaiter = gref(g)
			x.clearLocals()
			x.goTo(pcSchedule)
			return
		}
		x.gc(g)
	case gcMark:
		w.GCPhase = gcMarkDone
		x.forEachP(g)
	case gcMarkDone:
		w.GCPhase = gcMarkTerm
		x.stopTheWorld(g)
	case gcMarkTerm:
		w.GCPhase = gcOff
		x.s.G[g].PC++
	}
}

// casGToWaitingForSuspendG (proc.go:1642, 2125): the stopper's G waits
// while its M stops the world or runs forEachP, so that a mark worker
// could scan it.
func (x *exec) suspendG(g int) {
	x.casgstatus(g, _Grunning, _Gwaiting)
	x.s.G[g].Wait = waitSTW
}

// resumeG is the casgstatus back to _Grunning (proc.go:1743, 2127).
func (x *exec) resumeG() {
	g := x.curg()
	if x.casgstatus(g, _Gwaiting, _Grunning) {
		x.s.G[g].Wait = waitNone
	}
}

func (x *exec) stopTheWorld(g int) {
	x.suspendG(g)
	x.s.World.Stopper = mref(x.m)
	x.goTo(pcSTWLock)
}

// preemptall (proc.go:6842-6855): set the preempt flag of the G running on
// every _Prunning P but the caller's (preemptone skips getg().m). The model's
// G.Preempt is what a computing goroutine acts on; a G in a syscall or in
// the runtime gets it too, as in the source, and ignores it. It reports
// whether it set a flag that was clear; with set false it only reports
// that, which makes the 100µs timeout of the stopper's notetsleep a step
// only when it would change something.
func (x *exec) preemptall(set bool) bool {
	s := x.s
	changed := false
	for p := 0; p < x.c.GOMAXPROCS; p++ {
		if s.P[p].Status != _Prunning || s.P[p].M == 0 || s.P[p].M == mref(x.m) {
			continue
		}
		if g := int(s.M[s.P[p].M-1].CurG) - 1; g >= 0 && !s.G[g].Preempt {
			changed = true
			if !set {
				return true
			}
			s.G[g].Preempt = true
		}
	}
	return changed
}

// stopTheWorldWithSema under sched.lock (proc.go:1656-1666): stopwait =
// gomaxprocs, gcwaiting, preemptall, and the stopper's own P to _Pgcstop
// (it stays the stopper's m.p: "Pgcstop is only diagnostic").
func stepSTWStop(x *exec) {
	w := &x.s.World
	w.StopWait = int8(x.c.GOMAXPROCS)
	w.GCWaiting = true
	x.preemptall(true)
	x.s.P[x.myP()].Status = _Pgcstop
	w.StopWait--
	x.mm.Visited = 0
	x.goTo(x.pick114(pcSTWSyscall, pcSTWSyscall114))
}

// pick114 is p126 in the go1.26 profile and p114 in go1.14's.
func (x *exec) pick114(p126, p114 pc) pc {
	if x.c.go114() {
		return p114
	}
	return p126
}

// "Try to retake all P's in syscalls" (proc.go:1668-1674), one P per step,
// in any order, still under sched.lock: setBlockOnExitSyscall, then
// gcstopP and resume.
func stepSTWSyscall(x *exec) {
	p := nthBit(x.unvisitedPs(), x.ch)
	x.mm.Visited |= 1 << p
	x.mm.LP = pref(p)
	x.call(pcSBRead, pcSTWSyscallStop)
}

// Go 1.14 (the design documents' code, [14] proc.go:916-926): "if s ==
// _Psyscall && atomic.Cas(&p.status, s, _Pgcstop) { stopwait-- }", the
// read and the CAS one step (they decide as the CAS alone would).
func stepSTWSyscall114(x *exec) {
	p := nthBit(x.unvisitedPs(), x.ch)
	x.mm.Visited |= 1 << p
	if x.s.P[p].Status == _Psyscall {
		x.s.P[p].Status = _Pgcstop
		x.s.World.StopWait--
	}
	x.stwNextSyscall()
}

// gcstopP (proc.go:6796-6807): releaseP(_Pgcstop) and stopwait--.
func stepSTWSyscallStop(x *exec) {
	if !x.sbTaken(x.stwNextSyscall) {
		return
	}
	if x.c.Has(BugSTWTakeP) {
		x.releasePFrom(_Pidle) // takeP where gcstopP was meant
	} else {
		x.releasePFrom(_Pgcstop)
	}
	x.s.World.StopWait--
	x.goTo(pcSTWSyscallResume)
}

// sbTaken is the test after setBlockOnExitSyscall: on failure forget the
// P and go on with next; on success the caller holds the scan bit.
func (x *exec) sbTaken(next func()) bool {
	if !x.flag(fSBOK) {
		x.mm.LP = 0
		next()
		return false
	}
	x.setFlag(fSBOK, false)
	return true
}

func stepSTWSyscallResume(x *exec) {
	x.resume()
	x.mm.LP = 0
	x.stwNextSyscall()
}

func (x *exec) stwNextSyscall() {
	if x.unvisitedPs() != 0 {
		x.goTo(x.pick114(pcSTWSyscall, pcSTWSyscall114))
		return
	}
	x.mm.Visited = 0
	x.goTo(pcSTWIdle)
}

// releasePFrom is releaseP(state) by the holder of the scan bit of the
// syscalling G in LG, whose M is LM (proc.go:6814-6831).
func (x *exec) releasePFrom(state uint8) {
	s := x.s
	p := x.lp()
	s.P[p].M = 0
	s.P[p].Status = state
	s.M[x.lm()].P = 0
}

// "Stop idle Ps" (proc.go:1676-1685), then "wait := sched.stopwait > 0;
// unlock".
func stepSTWIdle(x *exec) {
	s := x.s
	for {
		p := s.pidleget()
		if p < 0 {
			break
		}
		s.P[p].Status = _Pgcstop
		if !x.c.Has(BugSTWIdleNoCount) {
			s.World.StopWait--
		}
	}
	wait := s.World.StopWait > 0
	x.unlock()
	if wait && !x.c.Has(BugSTWNoWait) {
		x.goTo(pcSTWSleep)
		return
	}
	x.goTo(pcSTWCheck)
}

// "Wait for remaining Ps to stop voluntarily" (proc.go:1688-1700):
// notetsleep(&sched.stopnote, 100µs); on a timeout, preemptall and again.
// Enabled when the note is set (then noteclear) or when the timeout would
// change something.
func stepSTWSleep(x *exec) {
	w := &x.s.World
	if w.StopNote != 0 {
		w.StopNote = 0
		x.goTo(pcSTWCheck)
		return
	}
	x.preemptall(true)
}

// The checks (proc.go:1710-1734) and casgstatus back to _Grunning
// (proc.go:1743). In the sweep-termination stop the GC then enables
// marking (gcBlackenEnabled, with work to mark); in the mark-termination
// stop it disables it.
func stepSTWCheck(x *exec) {
	s, w := x.s, &x.s.World
	if w.StopWait != 0 && !x.c.Has(BugSTWNoWait) {
		x.throw(throwSTWNotStopped)
		return
	}
	for p := 0; p < x.c.GOMAXPROCS && !x.c.Has(BugSTWNoWait); p++ {
		if s.P[p].Status != _Pgcstop {
			x.throw(throwSTWNotStoppedStatus)
			return
		}
	}
	w.Stopped = true
	x.resumeG()
	if x.c.GCWork {
		if w.GCPhase == gcSweepTerm {
			w.GCBlacken = true
			w.MarkWork = markUnits
		} else {
			w.GCBlacken = false
		}
	}
	x.goTo(pcStartTW)
}

// startTheWorldWithSema (proc.go:1760-1832): first a non-blocking netpoll
// whose result is injected (the Gs go on the stopper's P, still
// _Pgcstop, or the global queue), then procresize and the restart under
// sched.lock.
func stepStartTW(x *exec) {
	if x.c.Netpoll && x.s.Sched.NetReady != 0 {
		x.mm.List = x.netpollTake()
		x.call(pcNetpollAdjust, pcStartTWLock)
		x.call(pcInjectglist, pcNetpollAdjust)
		return
	}
	x.goTo(pcStartTWLock)
}

// procresize(gomaxprocs) (proc.go:6030-6262) with the same number of Ps:
// the caller's P runs again; every other P becomes _Pidle and goes on the
// idle list if its queue is empty, or else gets an idle M (mget, maybe
// none) and joins runnablePs (the M's Visited set). Then gcwaiting is
// cleared and sysmon woken if it sleeps deeply (proc.go:1777-1781).
func stepStartTWProcresize(x *exec) {
	s, w := x.s, &x.s.World
	s.P[x.myP()].Status = _Prunning
	x.mm.Visited = 0
	for p := x.c.GOMAXPROCS - 1; p >= 0; p-- {
		if p == x.myP() {
			continue
		}
		s.P[p].Status = _Pidle
		if s.runqempty(p) {
			x.pidleput(p)
			continue
		}
		if m := x.mget(); m >= 0 {
			s.P[p].M = mref(m)
		}
		x.mm.Visited |= 1 << p
	}
	w.GCWaiting = false
	w.Stopped = false
	w.Stopper = 0
	x.wakeSysmon()
	x.unlock()
	x.startTWNext()
}

// startTWNext hands the next runnable P to its M, or, with none left,
// "wakeup an additional proc in case we have excessive runnable
// goroutines" (wakep, proc.go:1824) and returns to the G.
//
// Go 1.14 wakes only "if atomic.Load(&sched.npidle) != 0 &&
// atomic.Load(&sched.nmspinning) == 0" ([14] proc.go:1030-1032).
func (x *exec) startTWNext() {
	if x.mm.Visited != 0 {
		x.goTo(pcStartTWRunP)
		return
	}
	x.clearLocals()
	if x.c.go114() {
		x.call(pcStartTW114Wakep, pcUser)
		return
	}
	x.call(pcWakep, pcUser)
}

// One P of runnablePs (proc.go:1786-1800): with an M, p.m = 0, check and
// set mp.nextp, wake it; without, newm(nil, p, -1). The Ps are taken in
// any order (the source's is allp's).
func stepStartTWRunP(x *exec) {
	s := x.s
	p := nthBit(x.mm.Visited, x.ch)
	x.mm.Visited &^= 1 << p
	if s.P[p].M == 0 {
		x.mm.LP = pref(p)
		x.goTo(pcStartTWNewmLock)
		return
	}
	mp := int(s.P[p].M) - 1
	s.P[p].M = 0
	x.handNextp(mp, p)
	x.startTWNext()
}

// handNextp is "if mp.nextp != 0 { throw }; mp.nextp.set(p);
// notewakeup(&mp.park)".
func (x *exec) handNextp(mp, p int) {
	n := &x.s.M[mp]
	if x.c.Has(BugStartTWNextpFirst) {
		n.NextP = pref(p) // handed over before the check
	}
	if n.NextP != 0 {
		x.throw(throwStartTWNextp)
		return
	}
	n.NextP = pref(p)
	x.notewakeup(&n.Park)
}

// newm(nil, p, -1) (proc.go:2857-2904): allocm reserves an id under
// sched.lock (mReserveID) and the thread starts with m.nextp = p. At the
// model's thread bound (see reserveM) an M that has gone idle meanwhile
// stands in for the new one; with none, the stopper releases the lock and
// tries again, its reservation counted as startm's is.
func stepStartTWNewm(x *exec) {
	p := x.lp()
	if x.reserveM() {
		x.spendMWait()
		x.unlock()
		x.newThread(x.lm(), p, false)
		x.mm.LP, x.mm.LM = 0, 0
		x.startTWNext()
		return
	}
	if m := x.mget(); m >= 0 {
		x.spendMWait()
		x.unlock()
		x.mm.LP = 0
		x.handNextp(m, p)
		x.startTWNext()
		return
	}
	x.holdMWait()
	x.unlock()
	x.goTo(pcStartTWNewmLock)
}

// newThread creates M id with m.nextp = p, starting in mstart1 (and, if
// spinning, with mstartfn = mspinning).
func (x *exec) newThread(id, p int, spinning bool) {
	nm := &x.s.M[id]
	*nm = M{Created: true, PC: uint8(pcMstart), NextP: pref(p)}
	if spinning {
		nm.StartFn = 1
	}
}

// forEachP (proc.go:2111-2130) and forEachPInternal under sched.lock
// (proc.go:2140-2174): throw if a forEachP is in progress; ask every
// other P to run the safe point function; preemptall; run it for the idle
// Ps. fn(pp) for the stopper's own P does nothing the model sees.
func (x *exec) forEachP(g int) {
	x.suspendG(g)
	x.s.World.Stopper = mref(x.m)
	x.goTo(pcForEachPLock)
}

func stepForEachP(x *exec) {
	s, w := x.s, &x.s.World
	if w.SafePointWait != 0 {
		x.throw(throwForEachPWaitNonzero)
		return
	}
	w.SafePointWait = int8(x.c.GOMAXPROCS - 1)
	w.SafePointFn = true
	w.RunSafePointFn = uint8(1<<x.c.GOMAXPROCS-1) &^ (1 << x.myP())
	if x.c.Has(BugForEachPSelfBit) {
		w.RunSafePointFn |= 1 << x.myP()
	}
	x.preemptall(true)
	for _, r := range s.Sched.Pidle {
		if r == 0 {
			continue
		}
		p := int(r) - 1
		if w.RunSafePointFn&(1<<p) != 0 {
			w.RunSafePointFn &^= 1 << p
			w.SafePointWait--
		}
	}
	wait := w.SafePointWait > 0
	x.unlock()
	x.setFlag(fSafePointWait, wait)
	x.mm.Visited = 0
	x.forEachPNextSyscall()
}

// safePointPending is the set of Ps whose runSafePointFn is still 1 and
// that forEachP's syscall loop has not visited.
func (x *exec) safePointPending() uint8 {
	return x.s.World.RunSafePointFn &^ x.mm.Visited
}

// "Force Ps currently in a system call into _Pidle and hand them off to
// induce safe point function execution" (proc.go:2176-2191): for each P
// whose runSafePointFn is still 1, setBlockOnExitSyscall; takeP; resume;
// handoffp. The load of runSafePointFn picks the P (any order).
func (x *exec) forEachPNextSyscall() {
	if x.safePointPending() != 0 {
		x.goTo(x.pick114(pcForEachPSyscall, pcForEachPSyscall114))
		return
	}
	x.mm.Visited = 0
	if x.c.Has(BugForEachPNoChecks) {
		x.setFlag(fSafePointWait, false)
		x.goTo(pcForEachPClearLock) // no wait, no checks
		return
	}
	if x.flag(fSafePointWait) {
		x.goTo(pcForEachPSleep)
		return
	}
	x.goTo(pcForEachPCheck)
}

func stepForEachPSyscall(x *exec) {
	pend := x.safePointPending()
	if pend == 0 {
		// The bits went while we looked: nothing to visit.
		x.forEachPNextSyscall()
		return
	}
	p := nthBit(pend, x.ch)
	x.mm.Visited |= 1 << p
	x.mm.LP = pref(p)
	x.call(pcSBRead, pcForEachPTakeP)
}

// Go 1.14 ([14] proc.go:1279-1288): "if s == _Psyscall && p.runSafePointFn
// == 1 && atomic.Cas(&p.status, s, _Pidle) { handoffp(p) }", one step.
func stepForEachPSyscall114(x *exec) {
	pend := x.safePointPending()
	if pend == 0 {
		x.forEachPNextSyscall()
		return
	}
	p := nthBit(pend, x.ch)
	x.mm.Visited |= 1 << p
	if x.s.P[p].Status == _Psyscall {
		x.s.P[p].Status = _Pidle
		x.mm.LP = pref(p)
		x.call(pcHandoffp, pcForEachPSyscall114)
		return
	}
	x.forEachPNextSyscall()
}

func stepForEachPTakeP(x *exec) {
	if !x.sbTaken(x.forEachPNextSyscall) {
		return
	}
	x.takeP()
	x.goTo(pcForEachPResume)
}

// resume, then handoffp(p2): handoffp's critical section runs the safe
// point function for the P it holds (proc.go:3168-3174).
func stepForEachPResume(x *exec) {
	x.resume()
	x.call(pcHandoffp, pcForEachPSyscall)
}

// "Wait for remaining Ps to run fn" (proc.go:2193-2205).
func stepForEachPSleep(x *exec) {
	w := &x.s.World
	if w.SafePointNote != 0 {
		w.SafePointNote = 0
		x.setFlag(fSafePointWait, false)
		x.goTo(pcForEachPCheck)
		return
	}
	x.preemptall(true)
}

// forEachP's checks (proc.go:2206-2213).
func stepForEachPCheck(x *exec) {
	w := &x.s.World
	if w.SafePointWait != 0 {
		x.throw(throwForEachPNotDone)
		return
	}
	if w.RunSafePointFn != 0 {
		x.throw(throwForEachPDidNotRun)
		return
	}
	x.goTo(pcForEachPClearLock)
}

// "sched.safePointFn = nil" under the lock (proc.go:2215-2217), then
// casgstatus back to _Grunning.
func stepForEachPClear(x *exec) {
	x.s.World.SafePointFn = false
	x.s.World.Stopper = 0
	x.unlock()
	x.resumeG()
	x.clearLocals()
	x.goTo(pcUser)
}

// runSafePointFn (proc.go:2232-2247): the CAS 1 -> 0 on the M's P; the
// function; then under sched.lock safePointWait-- and, at 0, the wakeup.
// Called where the source checks pp.runSafePointFn (findRunnable's top,
// reentersyscall).
func (x *exec) safePointDue() bool {
	p := x.myP()
	return x.c.STW && p >= 0 && x.s.World.RunSafePointFn&(1<<p) != 0
}

func stepRunSafePointFn(x *exec) {
	w := &x.s.World
	p := x.myP()
	if w.RunSafePointFn&(1<<p) == 0 {
		x.ret()
		return
	}
	w.RunSafePointFn &^= 1 << p
	x.goTo(pcRunSafePointFnLock)
}

func stepRunSafePointFnDec(x *exec) {
	x.safePointDone()
	x.unlock()
	x.ret()
}

// safePointDone is "sched.safePointWait--; if sched.safePointWait == 0 {
// notewakeup(&sched.safePointNote) }" under sched.lock.
func (x *exec) safePointDone() {
	w := &x.s.World
	w.SafePointWait--
	if w.SafePointWait == 0 && !x.c.Has(BugSafePointNoWakeup) || x.c.Has(BugSafePointWakesEarly) {
		x.notewakeup(&w.SafePointNote)
	}
}

// stopwaitDone is "sched.stopwait--; if sched.stopwait == 0 {
// notewakeup(&sched.stopnote) }" under sched.lock, for the P p the M
// stops; gcstopm says the caller is gcstopm, whose bug switches change it.
func (x *exec) stopwaitDone(p int, gcstopm bool) {
	w := &x.s.World
	x.s.P[p].Status = _Pgcstop
	w.StopWait--
	if w.StopWait == 0 && !(gcstopm && x.c.Has(BugGcstopmNoWakeup)) || gcstopm && x.c.Has(BugGcstopmWakesEarly) {
		x.notewakeup(&w.StopNote)
	}
}

// gcstopm (proc.go:3296-3320): "if !sched.gcwaiting { throw }"; stop
// spinning (nmspinning--, "OK to just drop nmspinning here,
// startTheWorld will unpark threads as necessary"); releasep; then under
// the lock the P to _Pgcstop and stopwait--; stopm. findRunnable goes to
// its top again when the world restarts.
func stepGcstopm(x *exec) {
	s := x.s
	if !s.World.GCWaiting {
		x.throw(throwGcstopmNotWaiting)
		return
	}
	if x.mm.Spinning {
		x.mm.Spinning = false
		s.Sched.NMSpinning--
		if x.c.Has(BugGcstopmSpinningTwice) {
			s.Sched.NMSpinning--
		}
		if s.Sched.NMSpinning < 0 {
			x.throw(throwGcstopmNegative)
			return
		}
	}
	p := x.releasep()
	if p < 0 {
		return
	}
	x.mm.LP = pref(p)
	x.goTo(pcGcstopmLock)
}

func stepGcstopmStop(x *exec) {
	x.stopwaitDone(x.lp(), true)
	x.unlock()
	x.mm.LP = 0
	x.call(pcStopm, pcFRTop)
}

// reentersyscall's "if sched.gcwaiting.Load()" (proc.go:4682-4690): give
// the P to the stopper at once (entersyscallHandleGCWait), then the CAS to
// _Gsyscall. The runSafePointFn check before it (proc.go:4645-4648) is
// merged into the syscall instruction's step.
func stepEntersyscallGCWait(x *exec) {
	if x.s.World.GCWaiting {
		x.goTo(pcEntersyscallGCWaitLock)
		return
	}
	x.entersyscallCas()
}

// entersyscallHandleGCWait (proc.go:4755-4777): if the stop is still
// waiting for Ps, the M's P goes to _Pgcstop (p.m = 0, m.p = 0).
func stepEntersyscallGCWaitStop(x *exec) {
	s := x.s
	if s.World.StopWait > 0 {
		p := x.myP()
		s.P[p].M = 0
		x.mm.P = 0
		x.stopwaitDone(p, false)
	}
	x.unlock()
	x.entersyscallCas()
}

// entersyscall_gcwait ([14] proc.go:2993-3010), after reentersyscall's
// _Psyscall store and its read of gcwaiting: "if sched.stopwait > 0 &&
// atomic.Cas(&_p_.status, _Psyscall, _Pgcstop) { stopwait--; ... }".
func stepEntersyscall114GCWait(x *exec) {
	s := x.s
	p := int(x.mm.OldP) - 1
	if s.World.StopWait > 0 && s.P[p].Status == _Psyscall {
		x.stopwaitDone(p, false)
	}
	x.unlock()
	x.goTo(pcInSyscall)
}

// findRunnable's idle mark worker (proc.go:3540-3558): with nothing else
// to do, "if gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp)", run an
// idle-priority mark worker on the P instead of dropping it. The worker G
// (from gcBgMarkWorkerPool) is not modelled as a goroutine: the M runs it
// (schedule resets spinning first, as for any G it found).
func stepFRIdleGC(x *exec) {
	w := &x.s.World
	if w.GCBlacken && w.MarkWork > 0 {
		x.setFlag(fMarkWorker, true)
		x.found(0, false)
		return
	}
	x.goTo(pcFRDropLock)
}

// gcBgMarkWorker (mgc.go): gcDrain takes a unit of mark work; the worker
// that finds the work exhausted ends the mark phase (gcMarkDone) by
// readying the goroutine waiting in gcWaitOnMark; then it parks and the M
// schedules.
func stepGCMarkWorker(x *exec) {
	w := &x.s.World
	x.clearLocals()
	if w.MarkWork > 0 {
		w.MarkWork--
	}
	if w.MarkWork == 0 && w.MarkWaiter != 0 {
		x.mm.LG = w.MarkWaiter
		w.MarkWaiter = 0
		x.setFlag(fNext, true)
		x.call(pcReady, pcSchedule)
		return
	}
	x.goTo(pcSchedule)
}

// checkIdleGCNoP (proc.go:3941-3990), after checkRunqsNoP: with mark work
// (two racy reads, merged), take an idle P under sched.lock
// (pidlegetSpinning), check gcBlackenEnabled again now that a P is held,
// and run an idle mark worker on it as a spinning M.
func stepCheckIdleGC(x *exec) {
	w := &x.s.World
	if w.GCBlacken && w.MarkWork > 0 && !x.c.Has(BugNoIdleGCRecheck) {
		x.goTo(pcCheckIdleGCLock)
		return
	}
	x.checkTimersNoPReally()
}

func stepCheckIdleGCGet(x *exec) {
	p := x.pidlegetSpinning()
	if p < 0 {
		x.unlock()
		x.checkTimersNoPReally()
		return
	}
	if !x.s.World.GCBlacken {
		x.pidleput(p)
		x.unlock()
		x.checkTimersNoPReally()
		return
	}
	x.unlock()
	x.mm.LP = pref(p)
	x.goTo(pcCheckIdleGCAcquire)
}

// acquirep(pp); becomeSpinning; run the worker (proc.go:3704-3717).
func stepCheckIdleGCAcquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.mm.LG = 0
	x.setFlag(fMarkWorker, true)
	x.call(pcBecomeSpinning, pcResetSpinning) // then schedule runs it, as found does
}
