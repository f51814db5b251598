package spec

// Parking and unparking Ms: stopm, startm, newm/mstart1, wakep, handoffp.
//
// An M with nothing to do puts itself on sched.midle and sleeps on its park
// note (stopm). Whoever takes it off the list (startm, under sched.lock)
// hands it a P in m.nextp and wakes the note: the only waker, so the
// "notewakeup - double wakeup" throw (lock_futex.go:28-31) can fire only if
// two threads believe they took the same M. When no M is idle, startm
// reserves an M id under the lock (mReserveID, so that checkdead counts the
// new thread from that moment on) and creates a thread (newm), which starts
// in mstart1, runs mspinning if it was started to spin, acquires its P and
// schedules. Without the reservation (go1.14, or bug switch no-mreserveid)
// the new M is invisible to checkdead until its mcommoninit: golang/go#40368.
//
// nmspinning counts spinning Ms and spinning Ms on their way: wakep and
// handoffp increment it (CAS 0 -> 1) before the M they start has its
// spinning flag, and startm hands the increment over to that M. The
// nmspinning-ledger invariant states this precisely.

func init() {
	def(pcStopm, "stopm.lock", stepStopm).when(func(x *exec) bool { return x.s.Sched.Lock == 0 })
	def(pcStopmMput, "stopm.mput", stepStopmMput)
	def(pcStopmSleep, "mPark", stepStopmSleep).when(func(x *exec) bool { return x.mm.Park != 0 })
	lockDef(pcStartm, "startm.lock", pcStartmBody)
	def(pcStartmBody, "startm", stepStartmBody)
	def(pcStartmNewm, "newm", stepStartmNewm)
	lockDef(pcStartmNewm114Lock, "mcommoninit.lock", pcStartmNewm114)
	def(pcStartmNewm114, "mcommoninit", stepStartmNewm114)
	def(pcStartmRelock, "startm.relock", func(x *exec) {
		x.s.Sched.Lock = mref(x.m)
		x.ret()
	}).when(func(x *exec) bool { return x.s.Sched.Lock == 0 })
	def(pcStartmWake, "startm.notewakeup", stepStartmWake)
	def(pcMstart, "mstart1", stepMstart)
	def(pcMspinning, "mspinning", stepMspinning)
	def(pcMstartAcquire, "mstart1.acquirep", stepMstartAcquire)
	def(pcWakep, "wakep.cas", stepWakep)
	lockDef(pcWakepLock, "wakep.lock", pcWakepGet)
	def(pcWakepGet, "wakep.pidlegetSpinning", stepWakepGet)
	def(pcHandoffp, "handoffp.runqempty", stepHandoffp)
	def(pcHandoffpSpin, "handoffp.nmspinning", stepHandoffpSpin)
	def(pcHandoffpSpinNpidle, "handoffp.npidle", stepHandoffpSpinNpidle)
	def(pcHandoffpCas, "handoffp.cas", stepHandoffpCas)
	def(pcHandoffpNeedspin, "handoffp.needspinning", stepHandoffpNeedspin)
	lockDef(pcHandoffpLock, "handoffp.lock", pcHandoffpIdle)
	def(pcHandoffpIdle, "handoffp.pidleput", stepHandoffpIdle)
	def(pcWakeNetPoller, "wakeNetPoller", stepWakeNetPoller).branches(func(x *exec) int {
		if !x.s.Sched.LastPoll && x.s.Sched.PollUntil {
			return 2
		}
		return 1
	})
}

// stopm (proc.go:2992-3011): its entry checks read the M's own fields, so
// they are part of the lock step.
func stepStopm(x *exec) {
	switch {
	case x.mm.P != 0:
		x.throw(throwStopmHoldingP)
		return
	case x.mm.Spinning:
		x.throw(throwStopmSpinning)
		return
	}
	x.s.Sched.Lock = mref(x.m)
	x.goTo(pcStopmMput)
}

func stepStopmMput(x *exec) {
	x.mput(x.m)
	x.unlock()
	x.goTo(pcStopmSleep)
}

// mPark: notesleep(&m.park) returns once the key is set; then noteclear and
// acquirep(m.nextp) (proc.go:1965-1969, 3009-3010). One step: the key,
// m.nextp and the P are the M's alone once its waker is done, and whoever
// reads the P's status sees the same decisions before and after.
func stepStopmSleep(x *exec) {
	mm := x.mm
	mm.Park = 0
	p := int(mm.NextP) - 1
	if p < 0 {
		x.throw(throwWirepInvalidP)
		return
	}
	mm.NextP = 0
	x.acquirep(p)
	x.ret()
}

// startm (proc.go:3035-3125) under the lock: take an idle P if none was
// given, then an idle M; with none, reserve an M id and create one.
func stepStartmBody(x *exec) {
	s := x.s
	lockheld := x.flag(fLockHeld)
	spinning := x.flag(fSpinArg)
	if x.mm.LP == 0 {
		if spinning && !x.c.go114() {
			x.throw(throwStartmPRequired)
			return
		}
		p := s.pidleget()
		if p < 0 {
			if !lockheld {
				x.unlock()
			}
			if spinning {
				// go1.14's startm(nil, true) undoes wakep's
				// increment ([14] proc.go:1856-1865).
				s.Sched.NMSpinning--
				if s.Sched.NMSpinning < 0 {
					x.throw(throwNegativeNmspinning)
					return
				}
			}
			x.startmDone()
			return
		}
		x.mm.LP = pref(p)
	}
	nmp := x.mget()
	if nmp < 0 {
		if x.c.go114() || x.c.Has(BugNoMReserveID) {
			// No reservation: the new M is counted only when
			// newm's mcommoninit takes the lock.
			x.unlock()
			x.goTo(pcStartmNewm114Lock)
			return
		}
		// mReserveID (proc.go:985-995), then unlock and newm.
		if !x.reserveM() {
			// The model's thread bound: keep the reservation
			// counted (as mReserveID would), release the lock
			// and try mget again.
			x.holdMWait()
			x.unlock()
			x.goTo(pcStartm)
			return
		}
		x.unlock()
		x.goTo(pcStartmNewm)
		return
	}
	x.mm.LM = mref(nmp)
	x.spendMWait()
	if !lockheld {
		x.unlock()
	}
	x.goTo(pcStartmWake)
}

// reserveM is mReserveID: the next M id. The model has a bound on threads
// (Config.Ms) where the runtime has maxmcount (10000, proc.go:974-977):
// at the bound startm counts a reservation in sched.MWait (so that
// checkdead sees the thread the runtime would have created, exactly as
// mReserveID makes it seen), releases the lock and tries mget again,
// waiting for an M to go idle instead of creating one; the idle M it gets
// spends the reservation. That removes behaviours with more threads
// (docs/model.md, "Deliberate abstractions"). An earlier version did not
// count the waiting reservation, and checkdead then threw "runnable g"
// on a state the runtime cannot reach.
func (x *exec) reserveM() bool {
	id := int(x.s.Sched.MNext)
	if id >= x.c.nm() {
		return false
	}
	x.s.Sched.MNext++
	x.mm.LM = mref(id)
	return true
}

// holdMWait counts the M's reservation beyond the thread bound in
// sched.MWait, once (see reserveM).
func (x *exec) holdMWait() {
	if !x.flag(fMWait) {
		x.setFlag(fMWait, true)
		x.s.Sched.MWait++
	}
}

// spendMWait drops the M's reservation, if it holds one: an idle M stands
// in for the thread the bound kept it from creating.
func (x *exec) spendMWait() {
	if x.flag(fMWait) {
		x.setFlag(fMWait, false)
		x.s.Sched.MWait--
	}
}

func (x *exec) startmDone() {
	x.mm.LP, x.mm.LM = 0, 0
	x.setFlag(fSpinArg|fLockHeld, false)
	x.ret()
}

// newm -> allocm -> newm1 -> newosproc (proc.go:2857-2904): the thread
// exists; it starts in mstart1 with m.nextp = pp and, if it was started to
// spin, mstartfn = mspinning.
func stepStartmNewm(x *exec) {
	x.newThread(x.lm(), x.lp(), x.flag(fSpinArg))
	if x.c.Has(BugAllocmReady) {
		x.allocmReady()
	}
	lockheld := x.flag(fLockHeld)
	x.mm.LP, x.mm.LM = 0, 0
	x.setFlag(fSpinArg|fLockHeld, false)
	if lockheld {
		x.goTo(pcStartmRelock)
		return
	}
	x.ret()
}

// go1.14's newm: allocm -> mcommoninit takes the lock and counts the M
// (mnext++, [14] proc.go:616-622), then the thread starts.
func stepStartmNewm114(x *exec) {
	if !x.reserveM() {
		x.unlock()
		x.goTo(pcStartmNewm114Lock)
		return
	}
	x.unlock()
	x.goTo(pcStartmNewm)
}

// startm with an idle M: the checks, hand over the P and spinning, wake
// (proc.go:3109-3121). The checks read the M's fields (it is off midle and
// ours) and runqempty(pp); they are merged with the note's wakeup, which
// nobody else can perform.
func stepStartmWake(x *exec) {
	s := x.s
	nmp := x.lm()
	n := &s.M[nmp]
	spinning := x.flag(fSpinArg)
	if x.c.Has(BugStartmSpinningFirst) {
		n.Spinning = spinning // handed over before the checks
	}
	if x.c.Has(BugStartmNextpFirst) {
		n.NextP = x.mm.LP // handed over before the checks
	}
	switch {
	case n.Spinning:
		x.throw(throwStartmMSpinning)
		return
	case n.NextP != 0:
		x.throw(throwStartmMHasP)
		return
	case spinning && !s.runqempty(x.lp()):
		x.throw(throwStartmPHasRunnable)
		return
	}
	n.Spinning = spinning
	if !x.c.Has(BugStartmNoNextp) {
		n.NextP = x.mm.LP
	}
	x.notewakeup(&n.Park)
	x.startmDone()
}

// mstart1 (proc.go:1904-1943): the new thread runs.
func stepMstart(x *exec) {
	x.mm.Started = true
	if x.mm.StartFn == 1 {
		x.goTo(pcMspinning)
		return
	}
	x.goTo(pcMstartAcquire)
}

// mspinning (proc.go:3013-3016): the spinning token becomes the flag.
func stepMspinning(x *exec) {
	x.mm.Spinning = true
	x.mm.StartFn = 0
	x.goTo(pcMstartAcquire)
}

func stepMstartAcquire(x *exec) {
	p := int(x.mm.NextP) - 1
	x.mm.NextP = 0
	x.acquirep(p)
	x.goTo(pcSchedule)
}

// wakep (proc.go:3212-3246): if nobody spins, CAS nmspinning 0 -> 1 (the
// Load and the CAS are one step: the Load only saves a CAS that would
// fail), then take an idle P and start a spinning M on it. go1.14 calls
// startm(nil, true) at once ([14] proc.go:1954-1960).
func stepWakep(x *exec) {
	sc := &x.s.Sched
	if sc.NMSpinning != 0 {
		x.ret()
		return
	}
	if !x.c.Has(BugWakepLostCas) {
		sc.NMSpinning = 1
		x.setFlag(fSpinArg, true)
	}
	if x.c.go114() || x.c.Has(BugWakepNoPidleget) {
		x.mm.LP = 0
		x.goTo(pcStartm)
		return
	}
	x.goTo(pcWakepLock)
}

func stepWakepGet(x *exec) {
	p := x.pidlegetSpinning()
	if p < 0 {
		if !x.c.Has(BugWakepNoUndo) {
			x.s.Sched.NMSpinning--
		}
		x.setFlag(fSpinArg, false)
		x.unlock()
		if x.s.Sched.NMSpinning < 0 {
			x.throw(throwWakepNegative)
			return
		}
		x.ret()
		return
	}
	x.unlock()
	x.mm.LP = pref(p)
	x.goTo(pcStartm) // startm(pp, true, false) returns to wakep's caller
}

// handoffp(pp) (proc.go:3131-3197): the caller owns pp (no M, not idle).
// Start an M for it if it has work, the global queue has work, or nobody
// spins and no P is idle; else make it idle. Reading pp's queue and the
// global queue in one step is exact: pp's queue cannot grow meanwhile.
func stepHandoffp(x *exec) {
	if (!x.s.runqempty(x.lp()) && !x.c.Has(BugHandoffpIgnoresRunq)) || x.s.Sched.RunqN > 0 {
		x.startmFor(false)
		return
	}
	if w := &x.s.World; x.c.GCWork && w.GCBlacken && w.MarkWork > 0 {
		// "if it has GC work, start it straight away"
		// (proc.go:3145-3149), read with the queues.
		x.startmFor(false)
		return
	}
	x.goTo(pcHandoffpSpin)
}

// startmFor tail-calls startm(pp, spinning, false).
func (x *exec) startmFor(spinning bool) {
	x.setFlag(fSpinArg, spinning)
	x.setFlag(fLockHeld, false)
	x.goTo(pcStartm)
}

// "no local work, check that there are no spinning/idle M's, otherwise our
// help is not required" (proc.go:3152-3156): nmspinning+npidle == 0 is read
// in one step, the CAS and the needspinning store are two more.
func stepHandoffpSpin(x *exec) {
	if x.c.split&splitHandoffpSum != 0 {
		x.mm.N = uint8(x.s.Sched.NMSpinning)
		x.goTo(pcHandoffpSpinNpidle)
		return
	}
	x.handoffpSum(x.s.Sched.NMSpinning + x.s.Sched.NPidle)
}

// With splitHandoffpSum: the load of npidle, after nmspinning's.
func stepHandoffpSpinNpidle(x *exec) {
	n := int8(x.mm.N)
	x.mm.N = 0
	x.handoffpSum(n + x.s.Sched.NPidle)
}

func (x *exec) handoffpSum(sum int8) {
	if sum == 0 {
		x.goTo(pcHandoffpCas)
		return
	}
	x.goTo(pcHandoffpLock)
}

func stepHandoffpCas(x *exec) {
	if x.s.Sched.NMSpinning == 0 {
		x.s.Sched.NMSpinning = 1
		x.setFlag(fSpinArg, true)
		if x.c.go114() {
			x.startmFor(true)
			return
		}
		x.goTo(pcHandoffpNeedspin)
		return
	}
	x.goTo(pcHandoffpLock)
}

func stepHandoffpNeedspin(x *exec) {
	x.s.Sched.NeedSpinning = false
	x.startmFor(true)
}

// Under the lock (proc.go:3157-3192): the global queue again; "if this is
// the last running P and nobody is polling network, need to wakeup another
// M to poll network"; else pidleput, and if pp has timers wake the poller.
func stepHandoffpIdle(x *exec) {
	s := x.s
	p := x.lp()
	if x.c.STW && s.World.GCWaiting && !x.c.Has(BugHandoffpNoGCStop) {
		// The P goes to the stopper (proc.go:3158-3166).
		x.stopwaitDone(p, false)
		x.unlock()
		x.mm.LP = 0
		x.ret()
		return
	}
	if x.c.STW && s.World.RunSafePointFn&(1<<p) != 0 {
		// "if pp.runSafePointFn != 0 && atomic.Cas(&pp.runSafePointFn,
		// 1, 0)": run it for the P (proc.go:3168-3174).
		s.World.RunSafePointFn &^= 1 << p
		x.safePointDone()
	}
	if s.Sched.RunqN > 0 {
		x.unlock()
		x.startmFor(false)
		return
	}
	if int(s.Sched.NPidle) == x.c.GOMAXPROCS-1 && s.Sched.LastPoll {
		x.unlock()
		x.startmFor(false)
		return
	}
	when := s.P[p].Timers != 0
	if when && x.c.go114() && !s.Sched.LastPoll {
		// go1.14 calls wakeNetPoller(when) here, under the lock, and
		// its wakeNetPoller only breaks a blocked poller (no wakep yet):
		// "if lastpoll == 0 && (pollUntil == 0 || pollUntil > when)
		// { netpollBreak() }". The time test is dropped: a spurious
		// break only makes the poller look again.
		s.Sched.NetBreak = true
	}
	x.pidleput(p)
	x.unlock()
	x.mm.LP = 0
	if when && !x.c.go114() {
		x.goTo(pcWakeNetPoller)
		return
	}
	x.ret()
}

// wakeNetPoller (proc.go:4002-4019): if an M is blocked in netpoll, break
// it out when it would sleep past the timer (a time comparison: a choice);
// otherwise wake a P.
func stepWakeNetPoller(x *exec) {
	sc := &x.s.Sched
	if !sc.LastPoll {
		if !sc.PollUntil || x.ch == 1 {
			sc.NetBreak = true
		}
		x.ret()
		return
	}
	x.goTo(pcWakep)
}
