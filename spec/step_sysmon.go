package spec

// sysmon (proc.go:6486-6617), the monitor thread. It runs without a P and
// loops forever: sleep a little (a no-op here: time is abstract), sleep
// deeply on sched.sysmonnote when every P is idle, poll the network if no
// one has for 10ms, retake Ps from long syscalls and preempt long-running
// Gs, and start the forcegc helper when a GC is due.
//
// Time. Every "10ms have passed" is a choice: sysmon may decide either
// way at each test. That over-approximates the real schedules, so safety
// results hold for every timing; liveness results assume weak fairness of
// the Ms and nothing about time.
//
// Sysmon is counted as a running M by checkdead only while it has not
// started (nmsys is 0) or while it is between incidlelocked(-1) and
// incidlelocked(+1): around each netpoll injection and each P retake, it
// pretends to be a running M so that checkdead does not mistake its work in
// progress for a deadlock (proc.go:6580-6582, 6683, 6720).

func init() {
	lockDef(pcSysmonStartLock, "sysmon.lock", pcSysmonStart)
	def(pcSysmonStart, "sysmon.nmsys", stepSysmonStart)
	def(pcSysmonLoop, "sysmon.npidle?", stepSysmonLoop)
	lockDef(pcSysmonDeepLock, "sysmon.deep.lock", pcSysmonDeep)
	def(pcSysmonDeep, "sysmon.sysmonwait", stepSysmonDeep)
	def(pcSysmonSleep, "notetsleep(sysmonnote)", func(x *exec) { x.goTo(pcSysmonWakeLock) })
	lockDef(pcSysmonWakeLock, "sysmon.wake.lock", pcSysmonWake)
	def(pcSysmonWake, "sysmon.noteclear", stepSysmonWake)
	def(pcSysmonNet, "sysmon.netpoll(0)", stepSysmonNet).branches(func(x *exec) int {
		if x.s.Sched.LastPoll && x.s.Sched.NetReady != 0 {
			return 2
		}
		return 1
	})
	lockDef(pcSysmonNetDecLock, "sysmon.incidlelocked(-1).lock", pcSysmonNetDec)
	def(pcSysmonNetDec, "sysmon.incidlelocked(-1)", stepSysmonNetDec)
	lockDef(pcSysmonNetIncLock, "sysmon.incidlelocked(+1).lock", pcSysmonNetInc)
	def(pcSysmonNetInc, "sysmon.incidlelocked(+1)", stepSysmonNetInc)
	def(pcSysmonTimers114, "sysmon114.timers", stepSysmonTimers114)
	def(pcRetake, "retake.status", stepRetake).branches(retakeChoices)
	lockDef(pcRetakeDecLock, "retake.incidlelocked(-1).lock", pcRetakeDec)
	def(pcRetakeDec, "retake.incidlelocked(-1)", stepRetakeDec)
	def(pcRetakeDecide, "retake.syscall?", stepRetakeDecide).branches(func(x *exec) int {
		if x.flag(fSBOK) && x.retakeMayResume() {
			return 2
		}
		return 1
	})
	def(pcRetakeResume, "retake.resume", stepRetakeResume)
	def(pcRetakeTakeP, "retake.takeP", stepRetakeTakeP)
	def(pcRetakeTakePResume, "retake.takeP.resume", stepRetakeTakePResume)
	lockDef(pcRetakeIncLock, "retake.incidlelocked(+1).lock", pcRetakeInc)
	def(pcRetakeInc, "retake.incidlelocked(+1)", stepRetakeInc)
	def(pcRetake114Cas, "retake114.cas", stepRetake114Cas)
	lockDef(pcRetake114DecLock, "retake114.incidlelocked(-1).lock", pcRetake114Dec)
	def(pcRetake114Dec, "retake114.incidlelocked(-1)", stepRetake114Dec)
	def(pcPreemptRead, "preemptone.read", stepPreemptRead)
	def(pcPreemptSet, "preemptone.preempt", stepPreemptSet)
	def(pcSysmonForcegc, "sysmon.forcegc?", stepSysmonForcegc).branches(func(x *exec) int {
		if x.s.Sched.ForcegcIdle {
			return 2
		}
		return 1
	})
	def(pcSysmonForcegcLock, "sysmon.forcegc.lock", stepSysmonForcegcLock).when(func(x *exec) bool {
		return x.s.Sched.ForcegcLock == 0
	})
	def(pcSysmonForcegcUnlock, "sysmon.forcegc.unlock", func(x *exec) {
		x.s.Sched.ForcegcLock = 0
		x.goTo(pcSysmonLoop)
	})
}

// lock; sched.nmsys++; checkdead(); unlock (proc.go:6487-6490).
func stepSysmonStart(x *exec) {
	x.s.Sched.NMSys++
	x.checkdead()
	x.unlock()
	x.goTo(pcSysmonLoop)
}

// The racy pre-check "sched.gcwaiting.Load() || sched.npidle.Load() ==
// gomaxprocs" (proc.go:6524).
func stepSysmonLoop(x *exec) {
	if x.s.World.GCWaiting || int(x.s.Sched.NPidle) == x.c.GOMAXPROCS {
		x.goTo(pcSysmonDeepLock)
		return
	}
	x.sysmonNet()
}

// anyExpired: some timer is overdue (timeSleepUntil() <= now).
func (s *State) anyExpired() bool {
	for i := range s.P {
		for t := s.P[i].Timers; t != 0; t &= t - 1 {
			if s.G[nthBit(t, 0)].Expired {
				return true
			}
		}
	}
	return false
}

// Under the lock: if the world is stopping or every P is still idle, and no
// timer is due, set sysmonwait and sleep on sysmonnote (proc.go:6526-6548).
func stepSysmonDeep(x *exec) {
	s := x.s
	if (s.World.GCWaiting || int(s.Sched.NPidle) == x.c.GOMAXPROCS) && !s.anyExpired() {
		s.Sched.SysmonWait = true
		x.unlock()
		x.goTo(pcSysmonSleep)
		return
	}
	x.unlock()
	x.sysmonNet()
}

// After notetsleep returns (woken, or timed out: always possible):
// sysmonwait = false; noteclear(&sched.sysmonnote), under the lock.
func stepSysmonWake(x *exec) {
	x.s.Sched.SysmonWait = false
	x.s.Sched.SysmonNote = 0
	x.unlock()
	x.sysmonNet()
}

func (x *exec) sysmonNet() {
	switch {
	case x.c.Netpoll:
		x.goTo(pcSysmonNet)
	case x.c.go114() && x.c.Timers:
		x.goTo(pcSysmonTimers114)
	default:
		x.retakeStart()
	}
}

// "if netpollinited() && lastpoll != 0 && lastpoll+10*1000*1000 < now"
// (proc.go:6568-6585): the age is a choice; netpoll(0) takes what is ready,
// and the injection is bracketed by incidlelocked(-1/+1).
func stepSysmonNet(x *exec) {
	if x.ch == 1 {
		x.mm.List = x.netpollTake()
		x.goTo(pcSysmonNetDecLock)
		return
	}
	x.afterSysmonNet()
}

func (x *exec) afterSysmonNet() {
	if x.c.go114() && x.c.Timers {
		x.goTo(pcSysmonTimers114)
		return
	}
	x.retakeStart()
}

func stepSysmonNetDec(x *exec) {
	x.s.Sched.NMidleLocked--
	x.unlock()
	x.call(pcInjectglist, pcSysmonNetIncLock)
}

// incidlelocked(1), then netpollAdjustWaiters(delta) (proc.go:6580-6583).
func stepSysmonNetInc(x *exec) {
	x.s.Sched.NMidleLocked++
	x.checkdead()
	x.unlock()
	next := pcRetake
	if x.c.go114() && x.c.Timers {
		next = pcSysmonTimers114
	}
	x.mm.Visited = 0
	x.call(pcNetpollAdjust, next)
}

// go1.14: "if next < now { startm(nil, false) }" ([14] proc.go:4535-4540),
// outside any incidlelocked bracket: the path to golang/go#40368.
func stepSysmonTimers114(x *exec) {
	if x.s.anyExpired() {
		x.mm.LP = 0
		x.setFlag(fSpinArg|fLockHeld, false)
		x.mm.Visited = 0
		x.call(pcStartm, pcRetake)
		return
	}
	x.retakeStart()
}

func (x *exec) retakeStart() {
	x.mm.Visited = 0
	x.goTo(pcRetake)
}

// retakeChoices: for each P not yet visited, one choice, or two for a P
// whose status makes sysmon decide something by time (preempt a
// long-running G or not; retake a go1.14 _Psyscall P or not).
func retakeChoices(x *exec) int {
	n := 0
	for p := 0; p < x.c.GOMAXPROCS; p++ {
		if x.mm.Visited&(1<<p) == 0 {
			n += retakeChoicesFor(x, p)
		}
	}
	return n
}

func retakeChoicesFor(x *exec, p int) int {
	switch x.s.P[p].Status {
	case _Prunning:
		if x.mayPreempt(p) || !x.c.go114() {
			return 2
		}
	case _Psyscall:
		return 2
	}
	return 1
}

// mayPreempt reports whether a preemption request to p's G could ever be
// seen: the flag is read only at compute instructions and cleared by
// execute, so for a G with no compute left in its program the request is
// invisible, and the model does not make it (a reduction that changes no
// behaviour). In go1.26 the choice also decides sysretake for syscalls, so
// it stays.
func (x *exec) mayPreempt(p int) bool {
	mp := int(x.s.P[p].M) - 1
	if mp < 0 {
		return false
	}
	g := int(x.s.M[mp].CurG) - 1
	if g < 0 || !x.c.isUser(g) {
		return g >= 0
	}
	for _, in := range x.c.Gs[g].Code[x.s.G[g].PC:] {
		if in.Op == OpCompute {
			return true
		}
	}
	return false
}

// retake (proc.go:6630-6725), one P per step, in any order (the source's is
// allp's). For a running P: if its G ran too long (a choice), preemptone;
// then incidlelocked(-1), setBlockOnExitSyscall, and if the G is in a
// syscall, either resume it (a recent syscall with nothing waiting) or take
// the P and hand it off; then incidlelocked(+1), which runs checkdead.
func stepRetake(x *exec) {
	ch := x.ch
	p := 0
	for ; p < x.c.GOMAXPROCS; p++ {
		if x.mm.Visited&(1<<p) != 0 {
			continue
		}
		k := retakeChoicesFor(x, p)
		if ch < k {
			break
		}
		ch -= k
	}
	x.mm.Visited |= 1 << p
	x.mm.LP = pref(p)
	switch x.s.P[p].Status {
	case _Prunning:
		if ch == 1 {
			// schedwhen+forcePreemptNS <= now
			x.setFlag(fSysretake, true)
			if !x.mayPreempt(p) {
				x.goTo(pcRetakeDecLock)
				return
			}
			if x.c.go114() {
				x.call(pcPreemptRead, pcRetake)
				return
			}
			x.call(pcPreemptRead, pcRetakeDecLock)
			return
		}
		if x.c.go114() {
			x.retakeNext()
			return
		}
		x.goTo(pcRetakeDecLock)
	case _Psyscall:
		// go1.14: retake unless the syscall is recent and nothing
		// waits (the tick and 10ms tests are the choice).
		if ch == 1 {
			x.goTo(pcRetake114DecLock)
			return
		}
		x.retakeNext()
	default:
		x.retakeNext()
	}
}

func (x *exec) retakeNext() {
	x.mm.LP = 0
	x.setFlag(fSysretake|fSBOK, false)
	if x.mm.Visited != uint8(1<<x.c.GOMAXPROCS-1) {
		x.goTo(pcRetake)
		return
	}
	x.mm.Visited = 0
	if x.c.Forcegc {
		x.goTo(pcSysmonForcegc)
		return
	}
	x.goTo(pcSysmonLoop)
}

func stepRetakeDec(x *exec) {
	if x.c.Has(BugRetakeIncidlelockedSign) {
		x.s.Sched.NMidleLocked++ // incidlelocked(1) where -1 was meant
	} else {
		x.s.Sched.NMidleLocked--
	}
	x.unlock()
	x.call(pcSBRead, pcRetakeDecide)
}

// retakeMayResume: "if !sysretake && pd.syscalltick != syst" (first
// observation of this syscall: a choice) or "runqempty(pp) &&
// nmspinning+npidle > 0 && syscallwhen+10ms > now" (proc.go:6693-6706).
func (x *exec) retakeMayResume() bool {
	if !x.flag(fSysretake) {
		return true
	}
	s := x.s
	return s.runqempty(x.lp()) && int(s.Sched.NMSpinning)+int(s.Sched.NPidle) > 0
}

func stepRetakeDecide(x *exec) {
	if !x.flag(fSBOK) {
		x.goTo(pcRetakeIncLock)
		return
	}
	if x.ch == 0 && x.retakeMayResume() {
		x.goTo(pcRetakeResume)
		return
	}
	x.goTo(pcRetakeTakeP)
}

func stepRetakeResume(x *exec) {
	x.resume()
	x.goTo(pcRetakeIncLock)
}

// thread.takeP(); thread.resume(); n++; handoffp(pp) (proc.go:6710-6715):
// three steps; the G may leave its syscall between resume and handoffp,
// find m.p nil and take the slow path.
func stepRetakeTakeP(x *exec) {
	x.takeP()
	x.goTo(pcRetakeTakePResume)
}

func stepRetakeTakePResume(x *exec) {
	x.resume()
	x.setFlag(fSBOK|fSysretake, false)
	x.call(pcHandoffp, pcRetakeIncLock)
}

func stepRetakeInc(x *exec) {
	x.s.Sched.NMidleLocked++
	x.checkdead()
	x.unlock()
	x.retakeNext()
}

// go1.14: incidlelocked(-1); if Cas(&pp.status, s, _Pidle) { handoffp(pp) };
// incidlelocked(1) ([14] proc.go:4626-4636).
func stepRetake114Dec(x *exec) {
	x.s.Sched.NMidleLocked--
	x.unlock()
	x.goTo(pcRetake114Cas)
}

func stepRetake114Cas(x *exec) {
	p := x.lp()
	if x.s.P[p].Status == _Psyscall || x.c.Has(BugGo114RetakeNoCas) {
		x.s.P[p].Status = _Pidle
		x.call(pcHandoffp, pcRetakeIncLock)
		return
	}
	x.goTo(pcRetakeIncLock)
}

// preemptone(pp) (proc.go:6866-6895): read pp.m, its curg and the G's
// status (one step of racy reads), then set gp.preempt (and
// stackguard0; async preemption is the same request here). The G may have
// changed in between: a stale request is harmless (proc.go:6858-6865).
func stepPreemptRead(x *exec) {
	s := x.s
	pp := &s.P[x.lp()]
	mp := int(pp.M) - 1
	if mp < 0 || mp == x.m {
		x.preemptReturn()
		return
	}
	gp := int(s.M[mp].CurG) - 1
	if gp < 0 || s.G[gp].Status&^_Gscan == _Gsyscall {
		x.preemptReturn()
		return
	}
	x.mm.LG = gref(gp)
	x.goTo(pcPreemptSet)
}

func stepPreemptSet(x *exec) {
	x.s.G[x.lg()].Preempt = true
	x.mm.LG = 0
	x.preemptReturn()
}

// preemptReturn returns from preemptone. In go1.14 a running P needs
// nothing more, so retake's loop moves on.
func (x *exec) preemptReturn() {
	x.ret()
	if x.mm.PC == uint8(pcRetake) {
		x.retakeNext()
	}
}

// forcegc (proc.go:6603-6610): if a GC is due (a choice) and the helper is
// idle, lock forcegc.lock, clear idle, and inject the helper.
func stepSysmonForcegc(x *exec) {
	if x.ch == 1 {
		x.goTo(pcSysmonForcegcLock)
		return
	}
	x.goTo(pcSysmonLoop)
}

func stepSysmonForcegcLock(x *exec) {
	s := x.s
	s.Sched.ForcegcLock = mref(x.m)
	if !x.c.Has(BugForcegcKeepsIdle) {
		s.Sched.ForcegcIdle = false
	}
	x.mm.List = 1 << (x.c.ng() - 1)
	x.call(pcInjectglist, pcSysmonForcegcUnlock)
}
