package spec

// Locked threads (feature locked): LockOSThread, stoplockedm,
// startlockedm, and the thread that exits with its goroutine.
//
// A goroutine that calls runtime.LockOSThread is wired to its M: g.lockedm
// = m and m.lockedg = g (dolockOSThread, proc.go:5598-5605), and from then
// on it runs on no other thread and the thread runs no other goroutine.
// The wiring is kept by two hand-offs instead of by the run queues, which
// still hold the locked goroutine like any other:
//
//   - A locked M whose goroutine stops running (it parks, yields, is
//     preempted, or leaves a syscall without a P) does not look for work:
//     schedule calls stoplockedm (proc.go:4142-4145, 3250-3273), which
//     gives its P away (releasep, handoffp), counts itself idle
//     (incidlelocked(1): sched.nmidlelocked, which checkdead subtracts
//     from the running threads, and a checkdead), and sleeps on its park
//     note. When it wakes its goroutine must be runnable ("stoplockedm:
//     not runnable") and its waker must have left it a P in m.nextp; it
//     acquires the P and executes the goroutine.
//   - Any M whose findRunnable returns a goroutine locked to another M
//     hands its own P over (startlockedm, proc.go:4223-4228, 3278-3293):
//     incidlelocked(-1), releasep, m.nextp of the locked M, notewakeup
//     of its park note, and stopm for itself; then it looks for work
//     again. Its checks are "startlockedm: locked to me" (a locked M never
//     runs findRunnable) and "startlockedm: m has p" (the locked M is
//     asleep without a P).
//
// The locked M's park note has exactly one waker, the M that found its
// goroutine: "notewakeup - double wakeup" checks that. The goroutine, once
// startlockedm has taken it from a run queue, is held by nobody but the
// sleeping locked M; g-in-one-place counts it there.
//
// exitsyscallNoP (proc.go:5067-5116) has the same hand-off: a locked
// goroutine leaving a syscall with no P goes on the global queue, and its
// M, instead of stopm, calls stoplockedm. Whether the goroutine is locked
// is read before sched.lock is released: after the unlock another M may
// run the goroutine and lock it to itself (golang/go#46524, bug switch
// exitsyscall0-lockedm-race).
//
// A goroutine that exits while locked takes its thread with it
// (gdestroy, proc.go:4513-4515, 4546-4569; Go 1.10, golang/go#20395): the
// M keeps m.lockedExt (golang/go#28979) and returns to mstart, which calls
// mexit: handoffp(releasep()), then under sched.lock nmfreed++ (mcount()
// is mnext - nmfreed) and checkdead, and the thread is gone
// (proc.go:1981-2099). m0 cannot exit; it wedges in mPark after the same
// accounting (proc.go:1984-2003), which to the scheduler is the same: an M
// that never runs again and is no longer counted. The model does both as
// the M's slot becoming empty (Created false); its id is not reused
// (sched.mnext only grows), so a workload can create one thread fewer
// after each exit than the runtime could (docs/model.md, "Locked
// threads").
//
// Deliberate abstractions (docs/model.md): m.lockedExt is one bit (a
// goroutine's lock nesting is rejected by Config.Validate: programs are
// straight-line, so it is known statically), and m.lockedInt (the
// runtime's internal lockOSThread) is never used. The template thread is
// not modelled: LockOSThread starts it (startTemplateThread), and newm
// from a locked M queues the new M on newmHandoff for it to clone
// (proc.go:2873-2901, 2935-2990). That changes which thread calls clone,
// not what the scheduler sees: the new M is counted from mReserveID on in
// both cases, and its first step may be delayed arbitrarily in both (the
// template thread "does not participate in STW"). The template thread's
// own mcount and nmsys increments cancel in checkdead's run. Its bug,
// golang/go#38931 (startTemplateThread preempted by a stop of the world
// before the thread exists), needs preemption inside the runtime, which
// the model does not have.

func init() {
	def(pcStoplockedm, "stoplockedm", stepStoplockedm)
	lockDef(pcStoplockedmLock, "stoplockedm.incidlelocked(1).lock", pcStoplockedmInc)
	def(pcStoplockedmInc, "stoplockedm.incidlelocked(1)", stepStoplockedmInc)
	def(pcStoplockedmPark, "stoplockedm.mPark", stepStoplockedmPark).when(func(x *exec) bool {
		return x.mm.Park != 0 || x.c.Has(BugStoplockedmSpuriousWakeup)
	})
	def(pcStartlockedm, "startlockedm.lock", stepStartlockedm).when(func(x *exec) bool { return x.s.Sched.Lock == 0 })
	def(pcStartlockedmDec, "startlockedm.incidlelocked(-1)", stepStartlockedmDec)
	def(pcStartlockedmWake, "startlockedm.notewakeup", stepStartlockedmWake)
	def(pcExitNoPLockedRead, "exitsyscallNoP.lockedm", stepExitNoPLockedRead)
	def(pcMexit, "mexit.handoffp", stepMexit)
	lockDef(pcMexitLock, "mexit.lock", pcMexitFree)
	def(pcMexitFree, "mexit.nmfreed", stepMexitFree)
}

// lockedStep reports whether p is a step of the locked feature.
func lockedStep(p pc) bool { return p >= pcStoplockedm && p <= pcMexitFree }

// lockedg is the index of the goroutine locked to the M (m.lockedg), or -1.
func (x *exec) lockedg() int { return int(x.s.World.LockedG[x.m]) - 1 }

// lockOSThread is LockOSThread's lockedExt++ and dolockOSThread
// (proc.go:5623-5637, 5598-5605): one step, the M's and its running G's
// own fields.
func (x *exec) lockOSThread(g int) {
	w := &x.s.World
	w.LockedG[x.m] = gref(g)
	w.LockedM[g] = mref(x.m)
}

// unlockOSThread is UnlockOSThread (proc.go:5676-5683): nothing if
// lockedExt is 0; else lockedExt-- and dounlockOSThread (proc.go:5650-5660),
// which unwires both ends.
func (x *exec) unlockOSThread(g int) {
	w := &x.s.World
	if w.LockedG[x.m] != gref(g) {
		return
	}
	w.LockedG[x.m] = 0
	if !x.c.Has(BugUnlockKeepsLockedm) {
		w.LockedM[g] = 0
	}
}

// lockedExit is gdestroy's part for a locked goroutine (proc.go:4513-4515):
// "locked := gp.lockedm != 0; gp.lockedm = 0; mp.lockedg = 0", with
// m.lockedExt kept. It reports whether the M must exit.
func (x *exec) lockedExit(g int) bool {
	w := &x.s.World
	if !x.c.Locked || w.LockedM[g] == 0 {
		return false
	}
	w.LockedM[g] = 0
	w.LockedG[x.m] = 0
	w.LockedExit |= 1 << x.m
	// Go 1.9 (before golang/go#20395) cleared m.locked and let the
	// thread schedule on.
	return !x.c.Has(BugGo19LockedExit)
}

// stoplockedm (proc.go:3250-3263): the check, then "if gp.m.p != 0 {
// releasep; handoffp }". The check reads the M's own lockedg and that G's
// lockedm, which only the G's own M writes; releasep is merged with it as
// in the other places that release a P before handing it off.
func stepStoplockedm(x *exec) {
	w := &x.s.World
	g := x.lockedg()
	if g < 0 || w.LockedM[g] != mref(x.m) {
		x.throw(throwStoplockedmInconsistent)
		return
	}
	if x.mm.P == 0 {
		x.goTo(pcStoplockedmLock)
		return
	}
	p := x.releasep()
	if p < 0 || x.s.Throw != 0 {
		return
	}
	if x.c.Has(BugStoplockedmKeepsP) {
		// Keep the P for the wakeup instead of handing it off.
		x.mm.NextP = pref(p)
		x.goTo(pcStoplockedmLock)
		return
	}
	x.mm.LP = pref(p)
	x.call(pcHandoffp, pcStoplockedmLock)
}

// incidlelocked(1) (proc.go:6355-6362): the M counts as idle for checkdead,
// which runs at once.
func stepStoplockedmInc(x *exec) {
	x.s.Sched.NMidleLocked++
	x.checkdead()
	x.unlock()
	x.goTo(pcStoplockedmPark)
}

// mPark returns once startlockedm has set the key; then readgstatus of
// lockedg, acquirep(m.nextp) and execute(lockedg) (proc.go:3262-3272,
// 4144). One step: after the wakeup the goroutine and the P are this M's
// alone (as in stopm's mPark).
func stepStoplockedmPark(x *exec) {
	mm := x.mm
	mm.Park = 0
	g := x.lockedg()
	if g < 0 {
		x.throw(throwStoplockedmInconsistent)
		return
	}
	if x.s.G[g].Status&^_Gscan != _Grunnable {
		x.throw(throwStoplockedmNotRunnable)
		return
	}
	p := int(mm.NextP) - 1
	if p < 0 {
		x.throw(throwWirepInvalidP)
		return
	}
	mm.NextP = 0
	x.acquirep(p)
	mm.LG = gref(g)
	x.goTo(pcExecute)
}

// afterFound is schedule's "if gp.lockedm != 0 { startlockedm(gp); goto
// top }" (proc.go:4223-4228), after resetspinning: the step that executes
// the G findRunnable found. gp.lockedm is written only by gp's own M while
// it runs gp, so reading it here or at findRunnable's return is the same.
func (x *exec) afterFound() pc {
	if g := x.lg(); x.c.Locked && g >= 0 && !x.flag(fMarkWorker) && x.s.World.LockedM[g] != 0 {
		return pcStartlockedm
	}
	return pcExecute
}

// startlockedm's checks (proc.go:3279-3285), merged with taking sched.lock
// for incidlelocked(-1): the locked M's nextp is written only by the one
// M that finds its goroutine, which is this one.
func stepStartlockedm(x *exec) {
	s := x.s
	mp := int(s.World.LockedM[x.lg()]) - 1
	if mp == x.m {
		x.throw(throwStartlockedmLockedToMe)
		return
	}
	if s.M[mp].NextP != 0 {
		x.throw(throwStartlockedmMHasP)
		return
	}
	x.mm.LM = mref(mp)
	s.Sched.Lock = mref(x.m)
	x.goTo(pcStartlockedmDec)
}

// incidlelocked(-1) (proc.go:3287): the locked M counts as running again
// before it has a P, so checkdead never sees it idle with work on its way.
func stepStartlockedmDec(x *exec) {
	if !x.c.Has(BugStartlockedmNoIncidlelocked) {
		x.s.Sched.NMidleLocked--
	}
	x.unlock()
	x.goTo(pcStartlockedmWake)
}

// "pp := releasep(); mp.nextp.set(pp); notewakeup(&mp.park); stopm()"
// (proc.go:3288-3292). releasep, the hand-over and the wakeup are one
// step: the P goes on no list in between, and the racy readers of a P's
// status (retake, setBlockOnExitSyscall) act only on a P whose M runs a
// goroutine, which this M does not. After stopm, schedule's "goto top"
// looks for work again.
func stepStartlockedmWake(x *exec) {
	n := &x.s.M[x.lm()]
	p := x.releasep()
	if p < 0 || x.s.Throw != 0 {
		return
	}
	n.NextP = pref(p)
	x.notewakeup(&n.Park)
	x.clearLocals()
	x.call(pcStopm, pcSchedule)
}

// exitsyscall0-lockedm-race: "locked = gp.lockedm != 0" read after
// unlock(&sched.lock), when gp is on the global queue and another M may
// already run it (golang/go#46524).
func stepExitNoPLockedRead(x *exec) {
	g := x.lg()
	x.clearLocals()
	if x.s.World.LockedM[g] != 0 {
		x.goTo(pcStoplockedm)
		return
	}
	x.call(pcStopm, pcSchedule)
}

// mexit (proc.go:1981-2099) for a thread its locked goroutine exited on:
// handoffp(releasep()) (removing the M from allm first, under sched.lock,
// changes nothing the model has).
func stepMexit(x *exec) {
	p := x.releasep()
	if p < 0 || x.s.Throw != 0 {
		return
	}
	x.mm.LP = pref(p)
	x.call(pcHandoffp, pcMexitLock)
}

// "lock(&sched.lock); sched.nmfreed++; checkdead(); unlock(&sched.lock)"
// (proc.go:2062-2071; m0's wedge, 1996-2002, is the same), then the
// thread exits.
func stepMexitFree(x *exec) {
	x.s.World.NMFreed++
	x.checkdead()
	x.unlock()
	*x.mm = M{}
}
