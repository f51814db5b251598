package spec

// System calls.
//
// Go 1.26 (proc.go reentersyscall 4627-4716, exitsyscall 4883-5025): a G
// entering a syscall keeps its P; the P stays _Prunning with p.m = m, and
// "in a syscall" is the G's _Gsyscall status. Sysmon takes the P from a G
// that stays too long, but only after winning a CAS on the G's status
// (_Gsyscall -> _Gsyscall|_Gscan, setBlockOnExitSyscall); while the scan bit
// is set the G cannot leave _Gsyscall, and whoever holds it may rewrite
// p.m and m.p (takeP). The exiting G's CAS _Gsyscall -> _Grunning is
// therefore disabled while the bit is set (casgstatus spins). After the
// CAS the G runs on if m.p is still set (the fast path); else it tries to
// take its old P back from whoever has it (setBlockOnExitSyscall again, now
// against another syscalling M), then any idle P, and finally queues itself
// globally and stops its M (exitsyscallNoP).
//
// The go1.14 profile ([14] proc.go:2919-3270) uses the _Psyscall P status
// instead: the P is released to _Psyscall at entry, and retake and
// exitsyscallfast race on a CAS of the P's status.

func init() {
	def(pcEntersyscallSysmon, "reentersyscall.sysmonwait", stepEntersyscallSysmon)
	lockDef(pcEntersyscallWakeLock, "entersyscallWakeSysmon.lock", pcEntersyscallWake)
	def(pcEntersyscallWake, "entersyscallWakeSysmon", stepEntersyscallWake)
	def(pcEntersyscall114Release, "reentersyscall114.Psyscall", stepEntersyscall114Release)
	def(pcInSyscall, "exitsyscall.casgstatus", stepInSyscall).when(func(x *exec) bool {
		st := x.s.G[x.curg()].Status
		return st == _Gsyscall || (x.c.Has(BugExitsyscallIgnoresScan) && st&^_Gscan == _Gsyscall)
	})
	def(pcSBRead, "setBlockOnExitSyscall.read", stepSBRead)
	def(pcSBCas, "setBlockOnExitSyscall.castogscanstatus", stepSBCas)
	def(pcSBCheck, "setBlockOnExitSyscall.validate", stepSBCheck)
	def(pcExitTakeP, "exitsyscallTryGetP.takeP", stepExitTakeP)
	def(pcExitResume, "exitsyscallTryGetP.resume", stepExitResume)
	def(pcExitAcquire, "exitsyscall.acquirep", stepExitAcquire)
	lockDef(pcExitPidleLock, "exitsyscallTryGetP.lock", pcExitPidleGet)
	def(pcExitPidleGet, "exitsyscallTryGetP.pidleget", stepExitPidleGet)
	def(pcExitNoP, "exitsyscallNoP.casgstatus", stepExitNoP)
	lockDef(pcExitNoPLock, "exitsyscallNoP.lock", pcExitNoPGet)
	def(pcExitNoPGet, "exitsyscallNoP.pidleget", stepExitNoPGet)
	def(pcExitNoPAcquire, "exitsyscallNoP.acquirep", stepExitNoPAcquire)
	def(pcExit114Fast, "exitsyscallfast.cas", stepExit114Fast)
	def(pcExit114Wirep, "exitsyscallfast.wirep", stepExit114Wirep)
	def(pcExit114Cas, "exitsyscall114.casgstatus", stepExit114Cas)
	lockDef(pcExit114PidleLock, "exitsyscallfast_pidle.lock", pcExit114PidleGet)
	def(pcExit114PidleGet, "exitsyscallfast_pidle.pidleget", stepExit114PidleGet)
	def(pcExit114Acquire, "exitsyscallfast_pidle.acquirep", stepExit114Acquire)
	def(pcExit114Slow, "exitsyscall0.casgstatus", stepExit114Slow)
	lockDef(pcExit114SlowLock, "exitsyscall0.lock", pcExit114SlowGet)
	def(pcExit114SlowGet, "exitsyscall0.pidleget", stepExit114SlowGet)
	def(pcExit114SlowAcquire, "exitsyscall0.acquirep", stepExitNoPAcquire)
}

// entersyscall's first step: m.oldp = pp (private), then the CAS
// _Grunning -> _Gsyscall, from which on sysmon may take the P.
//
// With the stw feature the source's order shows: "if pp.runSafePointFn !=
// 0 { runSafePointFn() }" (proc.go:4645-4648, read in this step), m.oldp,
// the gcwaiting check (pcEntersyscallGCWait), and then the CAS.
func (x *exec) entersyscall(g int) {
	if x.c.STW && !x.c.go114() {
		x.mm.OldP = x.mm.P
		if x.safePointDue() {
			x.call(pcRunSafePointFn, pcEntersyscallGCWait)
			return
		}
		x.goTo(pcEntersyscallGCWait)
		return
	}
	if !x.casgstatus(g, _Grunning, _Gsyscall) {
		return
	}
	x.mm.OldP = x.mm.P
	x.goTo(pcEntersyscallSysmon)
}

// entersyscallCas is the CAS _Grunning -> _Gsyscall after the gcwaiting
// check (proc.go:4694-4696).
func (x *exec) entersyscallCas() {
	if !x.casgstatus(x.curg(), _Grunning, _Gsyscall) {
		return
	}
	x.goTo(pcEntersyscallSysmon)
}

// "if sched.sysmonwait.Load()" (proc.go:4710): a racy read; sysmon sleeps
// deeply only when every P is idle, and this P is not, so wake it.
func stepEntersyscallSysmon(x *exec) {
	if x.s.Sched.SysmonWait && !x.c.Has(BugEntersyscallNoWake) {
		x.goTo(pcEntersyscallWakeLock)
		return
	}
	x.afterEntersyscall()
}

func (x *exec) afterEntersyscall() {
	if x.c.go114() {
		if x.safePointDue() {
			// go1.14 runs it after the sysmonwait check, before
			// giving up the P ([14] proc.go:2951-2954).
			x.call(pcRunSafePointFn, pcEntersyscall114Release)
			return
		}
		x.goTo(pcEntersyscall114Release)
		return
	}
	x.goTo(pcInSyscall)
}

// entersyscallWakeSysmon (proc.go:4746-4753).
func stepEntersyscallWake(x *exec) {
	x.wakeSysmon()
	x.unlock()
	x.afterEntersyscall()
}

// wakeSysmon: with sched.lock held, "if sched.sysmonwait { sysmonwait =
// false; notewakeup(&sched.sysmonnote) }". Clearing the flag in the same
// critical section is what keeps the note from a double wakeup.
func (x *exec) wakeSysmon() {
	if x.s.Sched.SysmonWait {
		if !x.c.Has(BugWakeSysmonKeepsWait) {
			x.s.Sched.SysmonWait = false
		}
		x.notewakeup(&x.s.Sched.SysmonNote)
	}
}

// go1.14: pp.m = 0; m.oldp = pp; m.p = 0; atomic.Store(&pp.status,
// _Psyscall) ([14] proc.go:2964-2971): p.m and m.p are private until the
// status store publishes the P, so this is one step.
//
// With stw, the read of gcwaiting that follows the store ([14]
// proc.go:2966) is merged into it: if the stopper sets gcwaiting in
// between, it either takes the P by its CAS (and entersyscall_gcwait's CAS
// then fails) or finds it still _Prunning, and then gcwaiting is already
// set when it is read.
func stepEntersyscall114Release(x *exec) {
	p := x.myP()
	x.s.P[p].M = 0
	x.s.P[p].Status = _Psyscall
	x.mm.P = 0
	x.mm.OldP = pref(p)
	if x.c.STW && x.s.World.GCWaiting {
		x.goTo(pcEntersyscall114GCWaitLock)
		return
	}
	x.goTo(pcInSyscall)
}

// The syscall returns (the environment), and exitsyscall's CAS
// _Gsyscall -> _Grunning (proc.go:4913-4930): enabled only while the scan
// bit is clear.
func stepInSyscall(x *exec) {
	g := x.curg()
	oldp := x.mm.OldP
	x.mm.OldP = 0
	if x.c.go114() {
		x.mm.LP = oldp
		x.goTo(pcExit114Fast)
		return
	}
	if x.mm.P == 0 || !x.c.Has(BugExitsyscallNoCas) {
		x.casgstatus(g, _Gsyscall, _Grunning)
	}
	if x.mm.P != 0 && !x.c.Has(BugExitsyscallSlowWithP) {
		x.clearLocals()
		x.goTo(pcUser)
		return
	}
	// The slow path: exitsyscallTryGetP(oldp).
	x.mm.LP = oldp
	x.call(pcSBRead, pcExitTakeP)
}

// setBlockOnExitSyscall(pp) (proc.go:6750-6794): read pp's status, its M,
// that M's G and the G's status (one step of four racy reads; the ABA the
// validation guards against stays visible because the CAS and the
// validation are separate steps), CAS the G's status to set the scan bit,
// and validate that the G is still that M's and the M still has pp.
func stepSBRead(x *exec) {
	s := x.s
	x.setFlag(fSBOK, false)
	p := x.lp()
	pp := &s.P[p]
	if pp.Status != _Prunning || pp.M == 0 {
		x.ret()
		return
	}
	mp := int(pp.M) - 1
	gp := int(s.M[mp].CurG) - 1
	if gp < 0 || s.G[gp].Status&^_Gscan != _Gsyscall {
		x.ret()
		return
	}
	x.mm.LM = mref(mp)
	x.mm.LG = gref(gp)
	x.goTo(pcSBCas)
}

func stepSBCas(x *exec) {
	g := &x.s.G[x.lg()]
	if g.Status != _Gsyscall {
		x.mm.LM, x.mm.LG = 0, 0
		x.ret()
		return
	}
	g.Status |= _Gscan
	x.goTo(pcSBCheck)
}

func stepSBCheck(x *exec) {
	s := x.s
	g := x.lg()
	if s.G[g].M != x.mm.LM || s.M[x.lm()].P != x.mm.LP {
		s.G[g].Status &^= _Gscan
		x.mm.LM, x.mm.LG = 0, 0
		x.ret()
		return
	}
	x.setFlag(fSBOK, true)
	x.ret()
}

// takeP (releaseP(_Pidle), proc.go:6810-6831) by the holder of the scan bit:
// the P is now the caller's, neither idle nor running.
func (x *exec) takeP() {
	s := x.s
	p := x.lp()
	s.P[p].M = 0
	s.P[p].Status = _Pidle
	s.M[x.lm()].P = 0
	if x.c.Has(BugTakePResumes) {
		x.s.G[x.lg()].Status &^= _Gscan // takeP resumes; its caller resumes again
	}
}

// resume (proc.go:6834-6836): clear the scan bit; it must be set
// ("casfrom_Gscanstatus: gp->status is not in scan state").
func (x *exec) resume() {
	g := &x.s.G[x.lg()]
	if g.Status&_Gscan == 0 {
		x.throw(throwCasfromGscan)
		return
	}
	g.Status &^= _Gscan
	x.mm.LM, x.mm.LG = 0, 0
}

// exitsyscallTryGetP (proc.go:5033-5059): with the old P's syscalling M
// held, take the P; else look for an idle P (a racy read of sched.pidle).
func stepExitTakeP(x *exec) {
	if x.flag(fSBOK) {
		x.setFlag(fSBOK, false)
		x.takeP()
		x.goTo(pcExitResume)
		return
	}
	x.mm.LP = 0
	if x.s.Sched.Pidle[0] != 0 {
		x.goTo(pcExitPidleLock)
		return
	}
	x.goTo(pcExitNoP)
}

func stepExitResume(x *exec) {
	x.resume()
	x.goTo(pcExitAcquire)
}

// acquirepNoTrace(pp): the fast path's tail.
func stepExitAcquire(x *exec) {
	x.acquirep(x.lp())
	x.clearLocals()
	x.goTo(pcUser)
}

func stepExitPidleGet(x *exec) { exitPidleGet(x, pcExitAcquire, pcExitNoP) }

// exitPidleGet is the critical section of exitsyscallTryGetP's (and go1.14
// exitsyscallfast_pidle's) idle-P path: pidleget, waking sysmon if it
// sleeps deeply (proc.go:5046-5052); then acquire, or fall to the slow path.
func exitPidleGet(x *exec, acquire, slow pc) {
	p := x.s.pidleget()
	if p >= 0 {
		x.wakeSysmon()
	}
	x.unlock()
	if p >= 0 {
		x.mm.LP = pref(p)
		x.goTo(acquire)
		return
	}
	x.goTo(slow)
}

// exitsyscallNoP (proc.go:5067-5116): _Grunning -> _Grunnable, dropg; under
// the lock an idle P or the global queue.
func stepExitNoP(x *exec) { x.requeueCurg(_Grunning, pcExitNoPLock) }

// requeueCurg makes the M's G runnable from status old, detaches it (dropg)
// and keeps it in LG for the global queue; then next.
func (x *exec) requeueCurg(old uint8, next pc) {
	g := x.curg()
	if !x.casgstatus(g, old, _Grunnable) {
		return
	}
	x.dropg()
	x.mm.LG = gref(g)
	x.goTo(next)
}

func stepExitNoPGet(x *exec) { exitNoPGet(x, pcExitNoPAcquire) }

// exitNoPGet is the critical section of exitsyscallNoP (and go1.14's
// exitsyscall0): an idle P (waking sysmon if it sleeps deeply), or the
// global queue and stopm.
func exitNoPGet(x *exec, acquire pc) {
	s := x.s
	p := s.pidleget()
	locked := false
	if p < 0 {
		s.globrunqput(x.mm.LG)
		// "locked = gp.lockedm != 0", read before the unlock commits
		// the release of gp (proc.go:5091-5096).
		locked = x.c.Locked && s.World.LockedM[x.lg()] != 0
		if !x.c.Has(BugExitsyscallLockedmRace) {
			x.mm.LG = 0
		}
	} else {
		x.wakeSysmon()
	}
	x.unlock()
	if p >= 0 {
		x.mm.LP = pref(p)
		x.goTo(acquire)
		return
	}
	if x.c.Has(BugExitsyscallLockedmRace) {
		x.goTo(pcExitNoPLockedRead)
		return
	}
	x.clearLocals()
	if locked && !x.c.Has(BugExitsyscallStopmLocked) {
		// "stoplockedm(); execute(gp)" (proc.go:5106-5113).
		x.goTo(pcStoplockedm)
		return
	}
	x.call(pcStopm, pcSchedule)
}

func stepExitNoPAcquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.goTo(pcExecute)
}

// go1.14 exitsyscallfast ([14] proc.go:3161-3198): "if oldp.status ==
// _Psyscall && Cas(&oldp.status, _Psyscall, _Pidle)": the read and the CAS
// decide as the CAS alone would, so they are one step. Then wirep(oldp).
func stepExit114Fast(x *exec) {
	s := x.s
	if p := x.lp(); p >= 0 && (s.P[p].Status == _Psyscall || (x.c.Has(BugGo114ExitsyscallfastNoCas) && s.idle(p))) {
		s.P[p].Status = _Pidle
		x.goTo(pcExit114Wirep)
		return
	}
	x.mm.LP = 0
	if s.Sched.Pidle[0] != 0 {
		x.goTo(pcExit114PidleLock)
		return
	}
	x.goTo(pcExit114Slow)
}

// Between the CAS and wirep the P is _Pidle, unowned by any M and not on
// the idle list; wirep's "invalid p state" throw checks nobody took it.
func stepExit114Wirep(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.goTo(pcExit114Cas)
}

func stepExit114Cas(x *exec) {
	if !x.c.Has(BugGo114ExitsyscallNoCas) {
		x.casgstatus(x.curg(), _Gsyscall, _Grunning)
	}
	x.clearLocals()
	x.goTo(pcUser)
}

func stepExit114PidleGet(x *exec) { exitPidleGet(x, pcExit114Acquire, pcExit114Slow) }

func stepExit114Acquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.goTo(pcExit114Cas)
}

// exitsyscall0 ([14] proc.go:3242-3270): _Gsyscall -> _Grunnable, dropg.
func stepExit114Slow(x *exec) { x.requeueCurg(_Gsyscall, pcExit114SlowLock) }

func stepExit114SlowGet(x *exec) { exitNoPGet(x, pcExit114SlowAcquire) }
