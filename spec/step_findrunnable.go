package spec

// findRunnable (proc.go:3389-3798): an M with a P looks for a G to run, in
// the order of the source: its P's expired timers, now and then the global
// queue (fairness), its local queue, the global queue, the network, other
// Ps' queues (as a spinning M), and finally it gives its P up.
//
// Dropping the P is where the scheduler's hardest protocol lives, the one
// proc.go calls the "Delicate dance": a spinning M must decrement nmspinning
// before it looks at every source of work again, because a thread that
// submits work publishes it first and reads nmspinning second (the
// #StoreLoad of "Worker thread parking/unparking", proc.go:90-97). Either
// the submitter sees the spinning M and leaves the work to it, or the M sees
// the work. The decrement and each re-check are therefore separate steps
// here (model-extraction §3.4), and the re-checks read the live queues.
//
// When a re-check finds work but no idle P (another M took the one just
// dropped), pidlegetSpinning sets sched.needspinning; a non-spinning M about
// to drop its P reads it under sched.lock and becomes spinning instead
// (proc.go:3610-3615). Without that handshake the last P can go idle with
// work queued: golang/go#45867 (bug switch go1.17-recheck).

func init() {
	def(pcFRTop, "findRunnable.top", stepFRTop).branches(func(x *exec) int {
		if x.expiredTimer(x.myP()) < 0 && x.s.Sched.RunqN > 0 {
			return 2
		}
		return 1
	})
	lockDef(pcFRFairLock, "findRunnable.fairness.lock", pcFRFairGet)
	def(pcFRFairGet, "findRunnable.fairness.globrunqget", stepFRFairGet)
	def(pcFRLocal, "findRunnable.runqget", stepFRLocal)
	lockDef(pcFRGlobalLock, "findRunnable.globrunq.lock", pcFRGlobalGet)
	def(pcFRGlobalGet, "findRunnable.globrunqgetbatch", stepFRGlobalGet)
	def(pcFRPutBatch, "findRunnable.runqputbatch", stepFRPutBatch)
	def(pcFRNetpoll, "findRunnable.netpoll(0)", stepFRNetpoll)
	def(pcFRNetpollPoll, "findRunnable.netpoll(0).poll", stepFRNetpollPoll)
	def(pcFRNetpollStore, "findRunnable.netpoll(0).pollingNet", stepFRNetpollStore)
	def(pcFRNetpollCas, "findRunnable.netpoll.casgstatus", stepFRNetpollCas)
	def(pcNetpollAdjust, "netpollAdjustWaiters", stepNetpollAdjust)
	def(pcFRSpinGate, "findRunnable.spinning?", stepFRSpinGate)
	def(pcFRSpinGateNpidle, "findRunnable.spinning?.npidle", stepFRSpinGateNpidle)
	def(pcBecomeSpinning, "becomeSpinning.nmspinning", stepBecomeSpinning)
	def(pcBecomeSpinning2, "becomeSpinning.needspinning", stepBecomeSpinning2)
	def(pcSteal, "stealWork", stepSteal).branches(func(x *exec) int { return popcount(x.stealVictims()) })
	def(pcStealRunnext, "runqsteal.runnext", stepStealRunnext)
	def(pcStealRetry, "runqgrab.retry", func(x *exec) { x.runqgrab(x.lp()) })
	def(pcStealNext, "runqgrab.next", stepStealNext)
	def(pcStealPublish, "runqsteal.publish", stepStealPublish)
	def(pcStealTimerRunqget, "stealWork.runqget", stepStealTimerRunqget)
	lockDef(pcFRDropLock, "findRunnable.dropP.lock", pcFRDropP)
	def(pcFRDropP, "findRunnable.dropP", stepFRDropP)
	def(pcFRDance, "findRunnable.dropSpinning", stepFRDance)
	lockDef(pcFRDanceLock, "findRunnable.recheck.lock", pcFRDanceGlobal)
	def(pcFRDanceGlobal, "findRunnable.recheck.globrunq", stepFRDanceGlobal)
	def(pcFRDancePutBatch, "findRunnable.recheck.runqputbatch", stepFRDancePutBatch)
	def(pcFRDanceAcquire, "findRunnable.recheck.acquirep", stepFRDanceAcquire)
	def(pcFRCheckRunqs, "checkRunqsNoP", stepFRCheckRunqs).branches(func(x *exec) int { return popcount(x.unvisitedPs()) })
	lockDef(pcFRCheckRunqsLock, "checkRunqsNoP.lock", pcFRCheckRunqsGet)
	def(pcFRCheckRunqsGet, "checkRunqsNoP.pidlegetSpinning", stepFRCheckRunqsGet)
	def(pcFRCheckRunqsAcquire, "checkRunqsNoP.acquirep", stepFRCheckRunqsAcquire)
	def(pcFRCheckTimers, "checkTimersNoP", stepFRCheckTimers).branches(func(x *exec) int { return popcount(x.unvisitedPs()) })
	def(pcFRPoll, "findRunnable.netpoll?", stepFRPoll).branches(func(x *exec) int {
		if x.pollBreakChoice() {
			return 2
		}
		return 1
	})
	def(pcFRPollBlock, "netpoll(block)", stepFRPollBlock).when(func(x *exec) bool {
		sc := &x.s.Sched
		return sc.NetReady != 0 || sc.NetBreak || sc.PollUntil
	})
	def(pcFRPollReturn, "findRunnable.netpoll.lastpoll", stepFRPollReturn)
	lockDef(pcFRPollLock, "findRunnable.netpoll.lock", pcFRPollGet)
	def(pcFRPollGet, "findRunnable.netpoll.pidleget", stepFRPollGet)
	def(pcFRPollAcquire, "findRunnable.netpoll.acquirep", stepFRPollAcquire)
	def(pcFRRecheck114, "findrunnable.recheck", stepFRRecheck114).branches(func(x *exec) int { return popcount(x.unvisitedPs()) })
	lockDef(pcFRRecheck114Lock, "findrunnable.recheck.lock", pcFRRecheck114Get)
	def(pcFRRecheck114Get, "findrunnable.recheck.pidleget", stepFRRecheck114Get)
	def(pcFRRecheck114Acquire, "findrunnable.recheck.acquirep", stepFRRecheck114Acquire)
}

func (x *exec) half() int { return x.c.RunqSize / 2 }

// expiredTimer returns a G whose timer on p has fired, or -1.
func (x *exec) expiredTimer(p int) int {
	if p < 0 {
		return -1
	}
	for t := x.s.P[p].Timers; t != 0; t &= t - 1 {
		g := nthBit(t, 0)
		if x.s.G[g].Expired {
			return g
		}
	}
	return -1
}

// runTimer runs g's expired timer on p: the timer function (goroutineReady)
// readies g onto the running M's P (time.go, proc.go goready 481-485).
func (x *exec) runTimer(p, g int, ret pc) {
	x.s.P[p].Timers &^= 1 << g
	x.s.G[g].Expired = false
	x.mm.LG = gref(g)
	x.setFlag(fNext, true)
	x.call(pcReady, ret)
}

// findRunnable's first step: pp.timers.check (proc.go:3415), which runs one
// expired timer per step and leaves pollUntil set if timers remain; then,
// "once in a while" (schedtick%61, a choice here), the global queue first
// (proc.go:3443-3450). The two reads are merged.
func stepFRTop(x *exec) {
	if x.c.STW {
		// "if sched.gcwaiting.Load() { gcstopm(); goto top }; if
		// pp.runSafePointFn != 0 { runSafePointFn() }"
		// (proc.go:3403-3409), read with the rest of this step.
		if x.s.World.GCWaiting {
			x.goTo(pcGcstopm)
			return
		}
		if x.safePointDue() {
			x.call(pcRunSafePointFn, pcFRTop)
			return
		}
	}
	p := x.myP()
	if g := x.expiredTimer(p); g >= 0 {
		x.runTimer(p, g, pcFRTop)
		return
	}
	x.setFlag(fPollUntil, x.s.P[p].Timers != 0)
	if x.ch == 1 {
		x.goTo(pcFRFairLock)
		return
	}
	x.goTo(pcFRLocal)
}

func stepFRFairGet(x *exec) {
	g := x.s.globrunqget()
	x.unlock()
	if g != 0 {
		x.found(g, false)
		return
	}
	x.goTo(pcFRLocal)
}

// runqget, then the racy "!sched.runq.empty()" (proc.go:3469-3474). Merging
// the two reads is exact: nobody but the owner adds to the local queue, so
// it is still empty when the global queue is read.
func stepFRLocal(x *exec) {
	p := x.myP()
	if g, inh := x.runqgetOwner(p); g != 0 {
		x.found(g, inh)
		return
	}
	if x.s.Sched.RunqN > 0 {
		x.goTo(pcFRGlobalLock)
		return
	}
	x.afterGlobal()
}

// runqgetOwner is the owner's runqget; the bug switch runqget-no-runnext
// makes it forget runnext.
func (x *exec) runqgetOwner(p int) (uint8, bool) {
	pp := &x.s.P[p]
	switch {
	case x.c.Has(BugRunqgetNoRunnext):
		if pp.RunqN > 0 {
			return x.s.runqPopHead(p), false
		}
		return 0, false
	}
	return x.s.runqget(p)
}

func (x *exec) afterGlobal() {
	if x.c.Netpoll {
		x.goTo(pcFRNetpoll)
		return
	}
	x.goTo(pcFRSpinGate)
}

// globrunqgetbatch under the lock (proc.go:3474-3483); the batch goes onto
// the local queue after the unlock.
func stepFRGlobalGet(x *exec) {
	g, qn := x.globrunqbatch()
	x.mm.QN = qn
	x.unlock()
	if g == 0 {
		x.afterGlobal()
		return
	}
	x.mm.LG = g
	if qn > 0 {
		x.goTo(pcFRPutBatch)
		return
	}
	x.found(g, false)
}

// runqputbatch onto the M's (empty) local queue; the batch always fits
// ("Couldn't put Gs into empty local runq", proc.go:3479-3481).
func stepFRPutBatch(x *exec) {
	for _, g := range x.mm.Q[:x.mm.QN] {
		x.s.Sched.Batched |= 1 << (g - 1)
	}
	if !x.s.runqputQ(x.myP(), x.c.RunqSize, x.mm) {
		x.throw(throwRunqputbatchOverflow)
		return
	}
	x.found(x.mm.LG, false)
}

// The non-blocking netpoll (proc.go:3495-3510): netpollAnyWaiters,
// lastpoll != 0 and the pollingNet token, then netpoll(0). Merged into one
// step: pollingNet only keeps two non-blocking polls apart, and they are
// atomic here. Then: gp := list.pop(); injectglist(&list);
// netpollAdjustWaiters(delta); casgstatus(gp, _Gwaiting, _Grunnable).
func stepFRNetpoll(x *exec) {
	sc := &x.s.Sched
	if x.c.split&splitNetpoll0 != 0 {
		// netpollAnyWaiters(), lastpoll.Load() != 0 and
		// pollingNet.Swap(1) == 0; the poll is the next step.
		if sc.NetpollWaiters > 0 && sc.LastPoll && !sc.PollingNet {
			sc.PollingNet = true
			x.goTo(pcFRNetpollPoll)
			return
		}
		x.goTo(pcFRSpinGate)
		return
	}
	if sc.NetpollWaiters > 0 && sc.LastPoll && sc.NetReady != 0 {
		x.runPolled(x.netpollTake(), pcFRNetpollCas)
		return
	}
	if x.c.Has(BugNetpoll0Blocks) && sc.NetpollWaiters > 0 && sc.LastPoll {
		x.goTo(pcFRPoll) // netpoll(-1) where netpoll(0) was meant
		return
	}
	x.goTo(pcFRSpinGate)
}

// With splitNetpoll0: netpoll(0), then pollingNet.Store(0)
// (proc.go:3496-3497).
func stepFRNetpollPoll(x *exec) {
	x.mm.List = x.netpollTake()
	x.goTo(pcFRNetpollStore)
}

func stepFRNetpollStore(x *exec) {
	x.s.Sched.PollingNet = false
	list := x.mm.List
	x.mm.List = 0
	if list == 0 {
		x.goTo(pcFRSpinGate)
		return
	}
	x.runPolled(list, pcFRNetpollCas)
}

// runPolled is "gp := list.pop(); injectglist(&list);
// netpollAdjustWaiters(delta)", then next (which readies gp).
func (x *exec) runPolled(list uint8, next pc) {
	g := nthBit(list, 0)
	x.mm.LG = gref(g)
	x.mm.List = list &^ (1 << g)
	if x.c.Has(BugNetpollPopReadies) {
		x.casgstatus(g, _Gwaiting, _Grunnable)
	}
	x.call(pcNetpollAdjust, next)
	if x.mm.List != 0 {
		x.call(pcInjectglist, pcNetpollAdjust)
	}
}

// netpollAdjustWaiters(delta) (netpoll.go): its own atomic step.
func stepNetpollAdjust(x *exec) {
	x.s.Sched.NetpollWaiters -= x.mm.Delta
	x.mm.Delta = 0
	x.ret()
}

func stepFRNetpollCas(x *exec) {
	g := x.lg()
	if !x.casgstatus(g, _Gwaiting, _Grunnable) {
		return
	}
	x.found(gref(g), false)
}

// The spinning gate (proc.go:3517-3538): spin only if fewer than half the
// busy Ps have spinning Ms. nmspinning and npidle are read in one step
// (with splitSpinGate, nmspinning here and npidle in the next step).
func stepFRSpinGate(x *exec) {
	sc := &x.s.Sched
	if x.c.split&splitSpinGate != 0 && !x.mm.Spinning {
		x.mm.N = uint8(sc.NMSpinning)
		x.goTo(pcFRSpinGateNpidle)
		return
	}
	x.spinGate(int(sc.NMSpinning), int(sc.NPidle))
}

func stepFRSpinGateNpidle(x *exec) {
	n := int(int8(x.mm.N))
	x.mm.N = 0
	x.spinGate(n, int(x.s.Sched.NPidle))
}

func (x *exec) spinGate(nmspinning, npidle int) {
	np := x.c.GOMAXPROCS
	if x.mm.Spinning || 2*nmspinning < np-npidle {
		x.mm.Visited = 0
		x.setFlag(fLastPass|fRanTimer, false)
		next := pcSteal
		if np == 1 {
			next = x.dropPEntry() // stealWork has no victim
		}
		if !x.mm.Spinning {
			x.call(pcBecomeSpinning, next)
			return
		}
		x.goTo(next)
		return
	}
	x.goTo(x.dropPEntry())
}

// dropPEntry is where findRunnable goes when it has found nothing: the idle
// mark worker check (gcwork), then giving up the P.
func (x *exec) dropPEntry() pc {
	if x.c.GCWork {
		return pcFRIdleGC
	}
	return pcFRDropLock
}

// becomeSpinning (proc.go:1073-1077). The flag is private, so setting it
// with the counter's increment hides nothing; clearing needspinning races
// with pidlegetSpinning and is a separate step.
func stepBecomeSpinning(x *exec) {
	x.mm.Spinning = true
	x.s.Sched.NMSpinning++
	if x.c.go114() {
		x.ret()
		return
	}
	x.goTo(pcBecomeSpinning2)
}

func stepBecomeSpinning2(x *exec) {
	x.s.Sched.NeedSpinning = false
	x.ret()
}

// stealVictims is the set of Ps the current pass has not tried.
func (x *exec) stealVictims() uint8 {
	all := uint8(1<<x.c.GOMAXPROCS - 1)
	return all &^ x.mm.Visited &^ (1 << x.myP())
}

// unvisitedPs is the set of Ps a re-check has not looked at.
func (x *exec) unvisitedPs() uint8 {
	return uint8(1<<x.c.GOMAXPROCS-1) &^ x.mm.Visited
}

// stealWork (proc.go:3828-3895), one victim per step, in any order (the
// source's order is random). The source makes four passes, the last of
// which also runs the victims' timers and may take runnext; the model makes
// two: one plain pass standing for the first three, then the last. For each
// victim: its expired timers (last pass), then, unless it is idle,
// runqsteal: runqgrab moves half its queue in one CAS (proc.go:7662-7725),
// or on the last pass its runnext in a separate step, whose CAS can fail
// and send runqgrab round its loop again (runqgrab.retry).
func stepSteal(x *exec) {
	s := x.s
	if x.c.STW && s.World.GCWaiting {
		// "GC work may be available": stealWork returns newWork and
		// findRunnable goes to its top (proc.go:3838-3841).
		x.mm.Visited = 0
		x.setFlag(fLastPass|fRanTimer, false)
		x.goTo(pcFRTop)
		return
	}
	p2 := nthBit(x.stealVictims(), x.ch)
	x.mm.Visited |= 1 << p2
	last := x.flag(fLastPass)
	if x.c.Has(BugStealSkipsIdleTimers) && s.idle(p2) {
		x.stealNext() // the idle test moved above the timer steal
		return
	}
	if last && x.c.Timers {
		if g := x.expiredTimer(p2); g >= 0 {
			x.runTimer(p2, g, pcStealTimerRunqget)
			return
		}
	}
	if s.idle(p2) {
		x.stealNext()
		return
	}
	x.runqgrab(p2)
}

// runqgrab(p2) into the M's batch, one iteration of its loop
// (proc.go:7662-7725): half the ring, rounded up, in one CAS; or, on the
// last pass with the ring empty, p2's runnext, read in the next step
// (runqgrab.next) and taken by a CAS in the one after (runqsteal.runnext);
// or nothing, and stealWork moves on.
func (x *exec) runqgrab(p2 int) {
	s := x.s
	last := x.flag(fLastPass)
	pp := &s.P[p2]
	if n := int(pp.RunqN) - int(pp.RunqN)/2; n > 0 {
		x.mm.LP = 0
		for i := 0; i < n; i++ {
			x.mm.Q[i] = s.runqPopHead(p2)
		}
		if x.c.Has(BugRunqgrabTakesAll) && pp.Runnext != 0 {
			// The rest of the ring, then runnext, to return.
			for pp.RunqN > 0 {
				x.mm.Q[n] = s.runqPopHead(p2)
				n++
			}
			x.mm.Q[n], pp.Runnext = pp.Runnext, 0
			n++
		}
		x.mm.QN = uint8(n - 1)
		g := x.mm.Q[n-1]
		x.mm.Q[n-1] = 0
		x.setFlag(fStole, true)
		if n == 1 {
			x.found(g, false)
			return
		}
		x.mm.LG = g
		x.goTo(pcStealPublish)
		return
	}
	if last {
		// The ring is empty; runnext is read in a step of its own.
		x.mm.LP = pref(p2)
		x.goTo(pcStealNext)
		return
	}
	x.mm.LP = 0
	x.stealNext()
}

// runqgrab with an empty ring on the last pass: next := pp.runnext
// (proc.go:7671). If there is one, the CAS that takes it is the next step
// (after the back-off); if not, runqgrab returns 0.
func stepStealNext(x *exec) {
	if next := x.s.P[x.lp()].Runnext; next != 0 {
		x.mm.LG = next // a reference, not a holding (heldG)
		x.goTo(pcStealRunnext)
		return
	}
	x.mm.LP = 0
	x.stealNext()
}

// stealNext moves to the next victim, the next pass, or out of stealWork:
// back to the top if a timer ran (new work may have appeared), else on to
// giving up the P.
func (x *exec) stealNext() {
	if x.stealVictims() != 0 {
		x.goTo(pcSteal)
		return
	}
	if !x.flag(fLastPass) {
		x.setFlag(fLastPass, true)
		x.mm.Visited = 0
		x.goTo(pcSteal)
		return
	}
	ran := x.flag(fRanTimer)
	x.mm.Visited = 0
	x.setFlag(fLastPass|fRanTimer, false)
	if ran {
		x.goTo(pcFRTop)
		return
	}
	x.goTo(x.dropPEntry())
}

// runqgrab's runnext theft: pp.runnext.cas(next, 0) (proc.go:7669-7710).
// If runnext is no longer next (its owner ran it, or replaced it), the CAS
// fails and runqgrab loops: it reads the victim's ring again, which the
// owner may have filled meanwhile (runqgrab.retry).
func stepStealRunnext(x *exec) {
	p2 := x.lp()
	next := x.mm.LG
	x.mm.LG = 0
	pp := &x.s.P[p2]
	switch {
	case x.c.Has(BugStealRunnextNoCas):
		// No CAS: the thief takes next and leaves it in runnext.
	case pp.Runnext == next:
		pp.Runnext = 0
	default:
		x.goTo(pcStealRetry)
		return
	}
	x.mm.LP = 0
	x.setFlag(fStole, true)
	x.found(next, false)
}

// runqsteal publishes all but the last grabbed G on the thief's queue
// (StoreRel of runqtail, proc.go:7738-7746) and returns the last.
func stepStealPublish(x *exec) {
	if int(x.s.P[x.myP()].RunqN)+int(x.mm.QN) >= x.c.RunqSize {
		x.throw(throwRunqstealOverflow)
		return
	}
	x.s.runqputQ(x.myP(), x.c.RunqSize, x.mm)
	x.found(x.mm.LG, false)
}

// After running a victim's timer: if runqget(pp) finds a G, return it
// (proc.go:3866-3871).
func stepStealTimerRunqget(x *exec) {
	if g, inh := x.s.runqget(x.myP()); g != 0 {
		x.mm.Visited = 0
		x.setFlag(fLastPass|fRanTimer, false)
		x.found(g, inh)
		return
	}
	x.setFlag(fRanTimer, true)
	x.stealNext()
}

// Giving up the P (proc.go:3586-3620), one critical section: the global
// queue once more; the needspinning handshake; releasep and pidleput.
func stepFRDropP(x *exec) {
	s := x.s
	if x.c.STW && (s.World.GCWaiting || x.safePointDue() && !x.c.Has(BugDropPNoSafePoint)) {
		// proc.go:3595-3598
		x.unlock()
		if x.c.Has(BugDropPGcstopm) {
			x.goTo(pcGcstopm) // as if both conditions meant a stop
			return
		}
		x.goTo(pcFRTop)
		return
	}
	if s.Sched.RunqN > 0 {
		g, qn := x.globrunqbatch()
		x.mm.QN = qn
		x.unlock()
		if g == 0 {
			x.throw(throwGlobrunqEmpty)
			return
		}
		x.mm.LG = g
		if qn > 0 {
			x.goTo(pcFRPutBatch)
			return
		}
		x.found(g, false)
		return
	}
	if !x.c.go114() && !x.c.Has(BugGo117Recheck) && !x.mm.Spinning && s.Sched.NeedSpinning {
		// See "Delicate dance": become spinning on behalf of the M
		// that found work but no P (becomeSpinning under the lock).
		x.mm.Spinning = true
		s.Sched.NMSpinning++
		s.Sched.NeedSpinning = false
		x.unlock()
		x.goTo(pcFRTop)
		return
	}
	if x.c.Has(BugDropKeepsP) && !x.mm.Spinning {
		x.unlock()
		x.frPoll() // stopm without releasep and pidleput
		return
	}
	if x.c.Has(BugDropIdleBeforeReleasep) {
		s.P[x.myP()].Status = _Pidle
	}
	p := x.releasep()
	if x.c.Has(BugReleasepTwice) && s.Throw == 0 {
		x.releasep()
	}
	if p < 0 || s.Throw != 0 {
		return
	}
	x.pidleput(p)
	x.unlock()
	x.setFlag(fWasSpin, x.mm.Spinning)
	switch {
	case x.mm.Spinning && !x.c.Has(BugDropNoDance):
		x.goTo(pcFRDance)
	case x.c.go114():
		x.mm.Visited = 0
		x.goTo(pcFRRecheck114)
	default:
		x.frPoll()
	}
}

// The spinning -> non-spinning transition: drop nmspinning first
// (proc.go:3659-3663).
func stepFRDance(x *exec) {
	x.mm.Spinning = false
	x.s.Sched.NMSpinning--
	if x.s.Sched.NMSpinning < 0 {
		x.throw(throwNegativeNmspinning)
		return
	}
	x.mm.Visited = 0
	if x.c.go114() {
		x.goTo(pcFRRecheck114)
		return
	}
	x.goTo(pcFRDanceLock)
}

// ... then the global queue under the lock (proc.go:3673-3693).
func stepFRDanceGlobal(x *exec) {
	s := x.s
	if s.Sched.RunqN > 0 {
		p2 := x.pidlegetSpinning()
		if p2 >= 0 {
			g, qn := x.globrunqbatch()
			x.mm.QN = qn
			x.unlock()
			if g == 0 {
				x.throw(throwGlobrunqEmpty)
				return
			}
			x.mm.LP = pref(p2)
			x.mm.LG = g
			if qn > 0 {
				x.goTo(pcFRDancePutBatch)
				return
			}
			x.goTo(pcFRDanceAcquire)
			return
		}
	}
	x.unlock()
	x.checkRunqsNoP()
}

func (x *exec) checkRunqsNoP() {
	x.mm.Visited = 0
	if x.c.Has(BugNoRunqRecheck) {
		x.checkTimersNoP()
		return
	}
	x.goTo(pcFRCheckRunqs)
}

func stepFRDancePutBatch(x *exec) {
	if !x.s.runqputQ(x.lp(), x.c.RunqSize, x.mm) {
		x.throw(throwRunqputbatchOverflow)
		return
	}
	x.goTo(pcFRDanceAcquire)
}

func stepFRDanceAcquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.setFlag(fInherit, false)
	x.call(pcBecomeSpinning, pcResetSpinning)
}

// checkRunqsNoP (proc.go:3902-3919): every P's queue, one P per step, in
// any order (the source's is allp's; any order is an over-approximation
// that keeps Ps interchangeable). The idle bit and runqempty are read in
// one step: an idle P's queue is empty, so the merged read decides as the
// two reads would.
func stepFRCheckRunqs(x *exec) {
	p2 := nthBit(x.unvisitedPs(), x.ch)
	x.mm.Visited |= 1 << p2
	if !x.s.idle(p2) && !x.s.runqempty(p2) {
		x.goTo(pcFRCheckRunqsLock)
		return
	}
	if x.unvisitedPs() == 0 {
		x.checkTimersNoP()
	}
}

func stepFRCheckRunqsGet(x *exec) {
	p := x.pidlegetSpinning()
	x.unlock()
	if x.c.Has(BugNetpollBeforeDance) && p < 0 {
		x.mm.Spinning = true // becomeSpinning before the nil check
		x.s.Sched.NMSpinning++
	}
	if p < 0 {
		x.checkTimersNoP()
		return
	}
	x.mm.LP = pref(p)
	x.goTo(pcFRCheckRunqsAcquire)
}

func stepFRCheckRunqsAcquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	x.mm.Visited = 0
	x.call(pcBecomeSpinning, pcFRTop)
}

func (x *exec) checkTimersNoP() {
	x.mm.Visited = 0
	if x.c.GCWork {
		x.goTo(pcCheckIdleGC) // checkIdleGCNoP first (proc.go:3701)
		return
	}
	x.checkTimersNoPReally()
}

// checkTimersNoPReally is checkTimersNoP itself (after checkIdleGCNoP).
func (x *exec) checkTimersNoPReally() {
	if x.c.Timers && !x.c.Has(BugNoTimerRecheck) {
		x.goTo(pcFRCheckTimers)
		return
	}
	x.frPoll()
}

// checkTimersNoP (proc.go:3924-3935): a timer on any P sets pollUntil, so
// the M blocks in netpoll with a timeout instead of sleeping for good. One
// P's timers.wakeTime() per step, in any order (the source's is allp's):
// the reads of different Ps are separate atomic loads, and reading them all
// at one instant reached different states (issue 13; docs/model.md's
// merges).
func stepFRCheckTimers(x *exec) {
	p := nthBit(x.unvisitedPs(), x.ch)
	x.mm.Visited |= 1 << p
	if x.s.P[p].Timers != 0 {
		x.setFlag(fPollUntil, true)
	}
	if x.unvisitedPs() == 0 {
		x.mm.Visited = 0
		x.frPoll()
	}
}

func (x *exec) frPoll() {
	if x.c.Netpoll {
		x.goTo(pcFRPoll)
		return
	}
	x.call(pcStopm, pcFRTop)
}

// pollBreakChoice: whether stepFRPoll would netpollBreak only if "the
// poller's pollUntil is later than ours", a time comparison, hence a choice.
func (x *exec) pollBreakChoice() bool {
	sc := &x.s.Sched
	blocking := (sc.NetpollWaiters > 0 || x.flag(fPollUntil)) && sc.LastPoll
	return !blocking && x.flag(fPollUntil) && sc.PollUntil
}

// The blocking netpoll decision (proc.go:3732-3795): if there are network
// waiters or a timer to wait for, and no other M polls (lastpoll.Swap(0)),
// block in netpoll. Otherwise, if we have a timer and the poller would
// sleep past it, netpollBreak. Then stopm.
func stepFRPoll(x *exec) {
	sc := &x.s.Sched
	pollUntil := x.flag(fPollUntil)
	if ((sc.NetpollWaiters > 0 && !x.c.Has(BugNetpollIgnoresWaiters)) || pollUntil) && sc.LastPoll {
		sc.LastPoll = false
		sc.PollUntil = pollUntil
		if x.mm.P != 0 {
			x.throw(throwNetpollWithP)
			return
		}
		if x.mm.Spinning {
			x.throw(throwNetpollSpinning)
			return
		}
		x.goTo(pcFRPollBlock)
		return
	}
	if pollUntil && (!sc.PollUntil || x.ch == 1) {
		sc.NetBreak = true
	}
	x.call(pcStopm, pcFRTop)
}

// netpoll(delay) returns when a descriptor is ready, on netpollBreak, or
// (with a timer to wait for) when the delay passes: time is a choice, so
// with pollUntil set it may return at any moment.
func stepFRPollBlock(x *exec) {
	sc := &x.s.Sched
	list := x.netpollTake()
	sc.NetBreak = false
	x.mm.List = list
	x.goTo(pcFRPollReturn)
}

// sched.pollUntil.Store(0); sched.lastpoll.Store(now) (proc.go:3757-3758):
// until this step other Ms still think a poller is blocked.
func stepFRPollReturn(x *exec) {
	x.s.Sched.PollUntil = false
	x.s.Sched.LastPoll = true
	x.goTo(pcFRPollLock)
}

func stepFRPollGet(x *exec) {
	p := x.s.pidleget()
	x.unlock()
	if p < 0 {
		// injectglist(&list); netpollAdjustWaiters(delta); stopm
		// (proc.go:3768-3771).
		x.call(pcStopm, pcFRTop)
		if x.mm.Delta != 0 {
			x.call(pcNetpollAdjust, pcStopm)
		}
		if x.mm.List != 0 {
			x.call(pcInjectglist, pcNetpollAdjust)
		}
		return
	}
	x.mm.LP = pref(p)
	x.goTo(pcFRPollAcquire)
}

func stepFRPollAcquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	if list := x.mm.List; list != 0 {
		x.runPolled(list, pcFRNetpollCas)
		return
	}
	if x.flag(fWasSpin) {
		x.call(pcBecomeSpinning, pcFRTop)
		return
	}
	x.goTo(pcFRTop)
}

// go1.14: after dropping the P every M, spinning or not, re-checks every
// P's queue ([14] proc.go:2270-2293); there is no global-queue re-check and
// no needspinning.
func stepFRRecheck114(x *exec) {
	p2 := nthBit(x.unvisitedPs(), x.ch)
	x.mm.Visited |= 1 << p2
	if !x.s.runqempty(p2) {
		x.goTo(pcFRRecheck114Lock)
		return
	}
	if x.unvisitedPs() == 0 {
		x.mm.Visited = 0
		x.frPoll()
	}
}

func stepFRRecheck114Get(x *exec) {
	p := x.s.pidleget()
	x.unlock()
	x.mm.Visited = 0
	if p < 0 {
		x.frPoll()
		return
	}
	x.mm.LP = pref(p)
	x.goTo(pcFRRecheck114Acquire)
}

// acquirep(p); if wasSpinning { m.spinning = true; Xadd(&nmspinning, 1) }.
func stepFRRecheck114Acquire(x *exec) {
	x.acquirep(x.lp())
	x.mm.LP = 0
	if x.flag(fWasSpin) {
		x.mm.Spinning = true
		x.s.Sched.NMSpinning++
	}
	x.goTo(pcFRTop)
}
