package spec

// schedule, execute, and the user goroutines' instructions.
//
// An M with a G runs user code at pcUser: one step per instruction of the
// G's program (a go statement, a channel-like park or wakeup, a system call,
// Gosched, a unit of computation, a network wait, a sleep, exit). An
// instruction that enters the runtime continues as runtime steps (newproc,
// gopark, goschedImpl, entersyscall, ...) and comes back to pcUser, or goes
// to schedule when the G stops running on this M.

func init() {
	def(pcSchedule, "schedule", stepSchedule)
	def(pcResetSpinning, "resetspinning", stepResetSpinning)
	def(pcExecute, "execute", stepExecute)
	def(pcUser, "user", stepUser).when(userEnabled).branches(userChoices)
	def(pcParkM, "park_m.casgstatus", stepParkM)
	def(pcParkUnlock, "park_m.unlockf", stepParkUnlock)
	// Whether a timer added to a P that has timers is the earliest: a
	// time comparison, hence a choice.
	def(pcTimerWake, "maybeAdd.wakeNetPoller?", stepTimerWake).branches(func(*exec) int { return 2 })
	def(pcParkNetCommit, "netpollblockcommit.netpollAdjustWaiters", stepParkNetCommit)
	lockDef(pcGoschedLock, "goschedImpl.lock", pcGoschedPut)
	def(pcGoschedPut, "goschedImpl.globrunqput", stepGoschedPut)
	def(pcNewproc114Check, "newproc114.wakep?", stepWakeCheck114)
	def(pcReady114Check, "ready114.wakep?", stepWakeCheck114)
}

// schedule (proc.go:4135-4231). Its checks are the M's own fields and a
// read of its P's queue: the throw "schedule: spinning with local work"
// (proc.go:4160-4162) is the bug of golang/go#10573.
func stepSchedule(x *exec) {
	x.clearLocals()
	if x.c.Locked && x.s.World.LockedG[x.m] != 0 && !x.c.Has(BugScheduleNoLockedgCheck) {
		// "if mp.lockedg != 0 { stoplockedm(); execute(mp.lockedg.ptr(),
		// false) }" (proc.go:4142-4145; step_locked.go).
		x.goTo(pcStoplockedm)
		return
	}
	if p := x.myP(); x.mm.Spinning && p >= 0 && !x.s.runqempty(p) {
		x.throw(throwScheduleSpinningLocalWork)
		return
	}
	x.goTo(pcFRTop)
}

// found is findRunnable returning g: schedule resets spinning first
// (proc.go:4198-4200), then executes g.
func (x *exec) found(g uint8, inherit bool) {
	x.mm.LG = g
	x.setFlag(fInherit, inherit)
	if x.mm.Spinning || x.c.Has(BugResetspinningAlways) {
		x.goTo(pcResetSpinning)
	} else {
		x.goTo(x.afterFound())
	}
}

// resetspinning (proc.go:4021-4035): stop spinning, then wake another M,
// because "there can be more than one starving goroutine". The go1.14
// profile wakes only if it was the last spinning M and a P is idle
// ([14] proc.go:2407-2423).
func stepResetSpinning(x *exec) {
	s := x.s
	if !x.mm.Spinning {
		x.throw(throwResetspinningNotSpinning)
		return
	}
	x.mm.Spinning = false
	s.Sched.NMSpinning--
	if x.c.Has(BugResetspinningTwice) {
		s.Sched.NMSpinning--
	}
	if s.Sched.NMSpinning < 0 {
		x.throw(throwNegativeNmspinning)
		return
	}
	if x.c.go114() && !(s.Sched.NMSpinning == 0 && s.Sched.NPidle > 0) {
		x.goTo(pcExecute)
		return
	}
	x.call(pcWakep, x.afterFound())
}

// execute (proc.go:3331-3383): make LG the M's current G and run it.
func stepExecute(x *exec) {
	if x.flag(fMarkWorker) {
		x.setFlag(fMarkWorker, false)
		x.goTo(pcGCMarkWorker)
		return
	}
	g := x.lg()
	x.mm.CurG = gref(g)
	x.s.G[g].M = mref(x.m)
	if !x.casgstatus(g, _Grunnable, _Grunning) {
		return
	}
	x.s.G[g].Preempt = false
	x.clearLocals()
	x.goTo(pcUser)
}

// instr returns the instruction g runs next; past the end it is exit. The
// forcegc helper's program is one instruction, run forever.
func (c *Config) instr(s *State, g int) Instr {
	if !c.isUser(g) {
		if c.STW && s.G[g].PC == 0 {
			// forcegchelper's gcStart: a whole GC cycle, then the
			// loop parks again (the park sets PC back to 0).
			return Instr{Op: OpGC}
		}
		return Instr{Op: opForcegcHelper}
	}
	code := c.Gs[g].Code
	if int(s.G[g].PC) >= len(code) {
		return Instr{Op: OpExit}
	}
	return code[s.G[g].PC]
}

// opForcegcHelper is forcegchelper's loop (proc.go:366-383).
const opForcegcHelper Op = 100

func userEnabled(x *exec) bool {
	g := x.curg()
	in := x.c.instr(x.s, g)
	switch in.Op {
	case OpPark, OpReady:
		return x.s.Sched.ObjLock[in.Arg] == 0
	case opForcegcHelper:
		return x.s.Sched.ForcegcLock == 0
	}
	return true
}

// userChoices: a computing G whose preempt flag is set may take the
// preemption (at a function prologue, or by signal); a wakeup chooses which
// waiter it finds.
func userChoices(x *exec) int {
	g := x.curg()
	in := x.c.instr(x.s, g)
	switch in.Op {
	case OpCompute:
		if x.s.G[g].Preempt {
			return 2
		}
	case OpReady:
		if n := popcount(x.s.Sched.ObjWait[in.Arg]); n > 1 {
			return n
		}
	}
	return 1
}

// stepUser runs one instruction of the current G.
func stepUser(x *exec) {
	s, c, m := x.s, x.c, x.m
	g := x.curg()
	gs := &s.G[g]
	in := c.instr(s, g)
	switch in.Op {
	case OpCompute:
		if x.ch == 1 {
			// newstack sees stackPreempt (or the async preemption
			// signal lands): gopreempt_m -> goschedImpl(gp, true)
			// (proc.go:4363-4366, 4307-4346).
			x.setFlag(fPreempted, true)
			x.goschedImpl(g)
			return
		}
		gs.PC++

	case OpGosched:
		// Gosched -> mcall(gosched_m) -> goschedImpl(gp, false)
		// (proc.go:389-392, 4349-4351).
		gs.PC++
		x.goschedImpl(g)

	case OpGo:
		// newproc1: the new G goes _Gdead -> _Grunnable
		// (proc.go:5313-5427); newproc then puts it in runnext and
		// wakes a P (proc.go:5295-5308).
		gs.PC++
		ng := in.Arg
		if s.G[ng].Status != _Gdead {
			panic("spec: go of a live goroutine")
		}
		s.G[ng] = G{Status: _Grunnable}
		x.mm.LG = gref(ng)
		x.setFlag(fNext, true)
		x.runqputThenWake(pcUser, pcNewproc114Check)

	case OpPark:
		// The wait object's lock is taken (and, with a pending wakeup,
		// released at once); then gopark -> mcall(park_m).
		gs.PC++
		k := in.Arg
		if s.Sched.ObjTokens[k] > 0 {
			s.Sched.ObjTokens[k]--
			return
		}
		s.Sched.ObjLock[k] = mref(m)
		s.Sched.ObjWait[k] |= 1 << g
		x.goTo(pcParkM)

	case OpReady:
		// Take the object's lock, dequeue a waiter, release: one step
		// (acquire is a right mover, release a left mover); then
		// goready(gp) = ready(gp, next=true) (proc.go:481-485).
		gs.PC++
		k := in.Arg
		w := s.Sched.ObjWait[k]
		if w == 0 {
			if s.Sched.ObjTokens[k] < 1 {
				s.Sched.ObjTokens[k]++
			}
			return
		}
		wg := nthBit(w, x.ch)
		s.Sched.ObjWait[k] &^= 1 << wg
		x.mm.LG = gref(wg)
		x.setFlag(fNext, true)
		x.call(pcReady, pcUser)

	case OpNetwait, OpSleep:
		gs.PC++
		x.goTo(pcParkM)

	case OpSyscall:
		gs.PC++
		x.entersyscall(g)

	case OpExit:
		// goexit1 -> mcall(goexit0) -> gdestroy: _Grunning -> _Gdead
		// (proc.go:4475-4569). main returning exits the program.
		if !x.casgstatus(g, _Grunning, _Gdead) {
			return
		}
		exitThread := x.lockedExit(g)
		x.dropg()
		if g == 0 {
			s.Exited = true
			return
		}
		if exitThread {
			// A goroutine that exits locked takes its thread with
			// it: gogo(&mp.g0.sched) back to mstart, then mexit
			// (proc.go:4554-4568; step_locked.go).
			x.goTo(pcMexit)
			return
		}
		x.goTo(pcSchedule)

	case OpLock:
		gs.PC++
		x.lockOSThread(g)

	case OpUnlock:
		gs.PC++
		x.unlockOSThread(g)

	case opForcegcHelper:
		// forcegchelper: lock(&forcegc.lock); if forcegc.idle throw;
		// forcegc.idle = true; goparkunlock(&forcegc.lock) (proc.go:366-383).
		if s.Sched.ForcegcIdle {
			x.throw(throwForcegcPhaseError)
			return
		}
		s.Sched.ForcegcLock = mref(m)
		s.Sched.ForcegcIdle = true
		gs.PC = 0
		x.goTo(pcParkM)

	case OpGC:
		x.gc(g)
	}
}

// runqputThenWake is "runqput(pp, gp, next); wakep()" as in ready and
// newproc: runqput returns into wakep, which returns to ret. In the go1.14
// profile runqput returns into check114, the pre-check before wakep.
func (x *exec) runqputThenWake(ret, check114 pc) {
	if x.c.go114() {
		x.call(check114, ret)
		x.call(pcRunqput, check114)
		return
	}
	x.call(pcWakep, ret)
	x.call(pcRunqput, pcWakep)
}

// stepWakeCheck114 is go1.14's "if sched.npidle != 0 && sched.nmspinning
// == 0 { wakep() }" after runqput in ready and newproc ([14] proc.go:676-678,
// 3492-3494): two racy reads, merged.
func stepWakeCheck114(x *exec) {
	if x.s.Sched.NPidle != 0 && x.s.Sched.NMSpinning == 0 {
		x.goTo(pcWakep)
		return
	}
	x.ret()
}

// waitOf is how the G parking at pcParkM waits: decided by the instruction
// it just ran (its PC has moved past it).
func (x *exec) waitOf(g int) (wait uint8, obj int) {
	if !x.c.isUser(g) {
		return waitForcegc, 0
	}
	in := x.c.Gs[g].Code[x.s.G[g].PC-1]
	switch in.Op {
	case OpPark:
		return waitObj, in.Arg
	case OpNetwait:
		return waitNet, 0
	case OpSleep:
		return waitTimer, 0
	}
	panic("spec: park from " + in.String())
}

// park_m, first step (proc.go:4253-4305): _Grunning -> _Gwaiting, dropg.
// The throw "gopark: bad g status" (proc.go:451-454) guards it. With the
// bug switch gopark-unlock-first the two steps of park_m run in the other
// order: unlockf first, so a waker can find the G still running.
func stepParkM(x *exec) {
	g := x.curg()
	if wait, obj := x.waitOf(g); x.c.Has(BugGoparkUnlockFirst) && wait == waitObj {
		x.s.Sched.ObjLock[obj] = 0
		x.goTo(pcParkUnlock)
		return
	}
	x.parkCas(g)
	x.goTo(pcParkUnlock)
}

func (x *exec) parkCas(g int) {
	if x.s.G[g].Status != _Grunning {
		x.throw(throwGoparkBadStatus)
		return
	}
	wait, obj := x.waitOf(g)
	x.casgstatus(g, _Grunning, _Gwaiting)
	if wait == waitObj || wait == waitForcegc {
		// A network or timer wait is recorded when unlockf
		// commits it: only then can the poller or the timer find
		// the G.
		x.s.G[g].Wait = wait + uint8(obj)
	}
	x.dropg()
	x.mm.LG = gref(g)
}

// park_m's unlockf (proc.go:4282-4286): release the wait object's lock, or
// commit the network wait (netpollblockcommit: netpollWaiters++), or arm
// the timer on the M's P (resetForSleep), or release forcegc.lock.
func stepParkUnlock(x *exec) {
	s := x.s
	if g := x.curg(); g >= 0 && x.c.Has(BugGoparkUnlockFirst) {
		// The bug's second step: the status change.
		x.parkCas(g)
		x.clearLocals()
		x.goTo(pcSchedule)
		return
	}
	g := x.lg()
	wait, obj := x.waitOf(g)
	switch wait {
	case waitNet:
		s.G[g].Wait = waitNet
		if x.c.split&splitNetpollCommit != 0 {
			x.clearLocals()
			x.goTo(pcParkNetCommit)
			return
		}
		s.Sched.NetpollWaiters++
	case waitTimer:
		s.G[g].Wait = waitTimer
		p := x.myP()
		had := s.P[p].Timers != 0
		s.P[p].Timers |= 1 << g
		if !x.c.go114() {
			// time.go:746-756: "wake = wakeTime == 0 || when <
			// wakeTime ... if wake { wakeNetPoller(when) }".
			x.clearLocals()
			if had {
				x.goTo(pcTimerWake)
				return
			}
			x.call(pcWakeNetPoller, pcSchedule)
			return
		}
	case waitForcegc:
		s.Sched.ForcegcLock = 0
	case waitObj:
		s.Sched.ObjLock[obj] = 0
	}
	x.clearLocals()
	x.goTo(pcSchedule)
}

// A timer added to a P that had timers: choice 1 says it is the earliest,
// and wakes the poller (time.go:746-756).
func stepTimerWake(x *exec) {
	if x.ch == 1 {
		x.call(pcWakeNetPoller, pcSchedule)
		return
	}
	x.goTo(pcSchedule)
}

// With splitNetpollCommit: netpollblockcommit's netpollAdjustWaiters(1)
// (netpoll.go:529-538), after the CAS that made the waiter visible to
// pollers (park_m.unlockf).
func stepParkNetCommit(x *exec) {
	x.s.Sched.NetpollWaiters++
	x.goTo(pcSchedule)
}

// goschedImpl (proc.go:4307-4346), first step: _Grunning -> _Grunnable,
// dropg. Then the G goes on the global queue under sched.lock, and (since
// go1.22) wakep.
func (x *exec) goschedImpl(g int) {
	if x.s.G[g].Status != _Grunning {
		x.throw(throwGoschedBadStatus)
		return
	}
	x.casgstatus(g, _Grunning, _Grunnable)
	x.dropg()
	x.mm.LG = gref(g)
	if x.flag(fPreempted) && x.c.STW && !x.c.go114() && x.s.World.GCWaiting {
		// "If preempted for STW, keep the G on the local P in
		// runnext so it can keep running immediately after the
		// STW" (proc.go:4331-4334), then wakep and schedule.
		x.setFlag(fPreempted, false)
		x.setFlag(fNext, true)
		x.call(pcWakep, pcSchedule)
		x.call(pcRunqput, pcWakep)
		return
	}
	x.goTo(pcGoschedLock)
}

func stepGoschedPut(x *exec) {
	x.s.globrunqput(x.mm.LG)
	x.mm.LG = 0
	x.mm.Flags = 0
	x.unlock()
	if x.c.go114() {
		x.goTo(pcSchedule)
		return
	}
	x.call(pcWakep, pcSchedule)
}
