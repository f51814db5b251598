package spec

// Making Gs runnable: ready, runqput, injectglist.
//
// Every submission of work follows the pattern of "Worker thread
// parking/unparking" (proc.go:36-116): publish the G (a run queue store),
// then wakep, which reads nmspinning. The store and the read are separate
// steps: that gap is the #StoreLoad the protocol is about.

func init() {
	def(pcReady, "ready.casgstatus", stepReady)
	def(pcRunqput, "runqput.runnext", stepRunqput)
	def(pcRunqputTail, "runqput.tail", stepRunqputTail)
	lockDef(pcRunqputSlowLock, "runqputslow.lock", pcRunqputSlowPut)
	def(pcRunqputSlowPut, "runqputslow.globrunqputbatch", stepRunqputSlowPut)
	def(pcInjectglist, "injectglist.casgstatus", stepInjectglist)
	lockDef(pcInjectLock, "injectglist.lock", pcInjectPut)
	def(pcInjectPut, "injectglist.globrunqputbatch", stepInjectPut)
	lockDef(pcInjectGlobLock, "injectglist.globq.lock", pcInjectGlobPut)
	def(pcInjectGlobPut, "injectglist.globq.globrunqputbatch", stepInjectGlobPut)
	def(pcInjectLocal, "injectglist.runqputbatch", stepInjectLocal)
	lockDef(pcInjectOverflowLock, "injectglist.overflow.lock", pcInjectOverflowPut)
	def(pcInjectOverflowPut, "injectglist.overflow.globrunqputbatch", stepInjectOverflowPut)
	lockDef(pcStartIdle, "startIdle.lock", pcStartIdleGet)
	def(pcStartIdleGet, "startIdle.pidlegetSpinning", stepStartIdleGet)
	def(pcStartIdleUnlock, "startIdle.unlock", stepStartIdleUnlock)
	lockDef(pcInject114Lock, "injectglist114.lock", pcInject114Put)
	def(pcInject114Put, "injectglist114.globrunqput", stepInject114Put)
	def(pcInject114Start, "injectglist114.startm?", stepInject114Start)
}

// ready(gp, next) (proc.go:1120-1140): the status check ("bad g->status in
// ready") and the CAS _Gwaiting -> _Grunnable are one step; a second ready
// of the same G throws at either. Then runqput and wakep.
func stepReady(x *exec) {
	g := x.lg()
	if x.s.G[g].Status&^_Gscan != _Gwaiting {
		x.throw(throwReadyBadStatus)
		return
	}
	if !x.casgstatus(g, _Gwaiting, _Grunnable) {
		return
	}
	// runqput, returning into wakep, which returns to ready's caller.
	if x.c.go114() {
		x.call(pcRunqput, pcReady114Check)
		return
	}
	x.call(pcRunqput, pcWakep)
}

// runqput(pp, gp, next) on the M's P (proc.go:7478-7520). With next the G
// goes to runnext and the old runnext, if any, is kicked to the tail.
func stepRunqput(x *exec) {
	p := x.myP()
	if x.flag(fNext) {
		x.setFlag(fNext, false)
		pp := &x.s.P[p]
		old := pp.Runnext
		pp.Runnext = x.mm.LG
		x.mm.LG = 0
		if old == 0 {
			x.ret()
			return
		}
		x.mm.LG = old
		x.goTo(pcRunqputTail)
		return
	}
	stepRunqputTail(x)
}

// The tail store, or, on a full queue, runqputslow's grab of the first
// half (one CAS of the head; reading "full" and the CAS are merged: the
// CAS fails exactly when thieves took some, which the merged step sees as
// "not full").
func stepRunqputTail(x *exec) {
	s := x.s
	p := x.myP()
	if int(s.P[p].RunqN) < x.c.RunqSize {
		s.runqPushTail(p, x.mm.LG)
		x.mm.LG = 0
		x.ret()
		return
	}
	n := x.half()
	for i := 0; i < n; i++ {
		x.mm.Q[i] = s.runqPopHead(p)
	}
	x.mm.QN = uint8(n)
	x.goTo(pcRunqputSlowLock)
}

// globrunqputbatch(batch + gp) under the lock (proc.go:7549-7559).
func stepRunqputSlowPut(x *exec) {
	s := x.s
	for i := 0; i < int(x.mm.QN); i++ {
		s.globrunqput(x.mm.Q[i])
		x.mm.Q[i] = 0
	}
	x.mm.QN = 0
	s.globrunqput(x.mm.LG)
	x.mm.LG = 0
	x.unlock()
	x.ret()
}

// injectglist(glist) (proc.go:4045-4131): the Gs of the M's List, all
// _Gwaiting and owned by the caller. Their CASes to _Grunnable are one step
// (only checkdead, under the lock, reads them, and it decides the same on
// any mix), merged with the racy read of npidle that splits the list.
func stepInjectglist(x *exec) {
	if x.c.go114() {
		x.goTo(pcInject114Lock)
		return
	}
	list := x.mm.List
	for l := list; l != 0; l &= l - 1 {
		if !x.casgstatus(nthBit(l, 0), _Gwaiting, _Grunnable) {
			return
		}
	}
	if x.mm.P == 0 {
		x.goTo(pcInjectLock)
		return
	}
	// Up to npidle Gs go to the global queue and get idle Ps started;
	// the rest go on the local queue.
	k := int(x.s.Sched.NPidle)
	var globq uint8
	for l := list; l != 0 && k > 0; l &= l - 1 {
		globq |= 1 << nthBit(l, 0)
		k--
	}
	x.mm.List = list &^ globq
	x.mm.List2 = globq
	if globq != 0 {
		x.goTo(pcInjectGlobLock)
		return
	}
	x.goTo(pcInjectLocal)
}

// Without a P: everything to the global queue, then startIdle(n).
func stepInjectPut(x *exec) {
	n := popcount(x.mm.List)
	x.s.globrunqputList(x.mm.List)
	x.mm.List = 0
	x.unlock()
	x.startIdle(n, false)
}

func stepInjectGlobPut(x *exec) {
	n := popcount(x.mm.List2)
	x.s.globrunqputList(x.mm.List2)
	x.mm.List2 = 0
	x.unlock()
	x.startIdle(n, true)
}

// startIdle(n) (proc.go:4069-4085): for each G put on the global queue,
// take an idle P and start an M on it, with the lock held across startm.
// then says whether injectglist continues with its local part.
func (x *exec) startIdle(n int, then bool) {
	x.mm.N = uint8(n)
	if n == 0 {
		if then {
			x.goTo(pcInjectLocal)
		} else {
			x.ret()
		}
		return
	}
	if then {
		x.call(pcStartIdle, pcInjectLocal)
		return
	}
	x.goTo(pcStartIdle)
}

func stepStartIdleGet(x *exec) {
	p := x.pidlegetSpinning()
	if p < 0 {
		x.unlock()
		x.mm.N = 0
		x.ret()
		return
	}
	x.mm.LP = pref(p)
	x.setFlag(fSpinArg, false)
	x.setFlag(fLockHeld, true)
	x.call(pcStartmBody, pcStartIdleUnlock)
}

func stepStartIdleUnlock(x *exec) {
	x.unlock()
	x.mm.N--
	if x.mm.N > 0 {
		x.goTo(pcStartIdle)
		return
	}
	x.ret()
}

// runqputbatch(pp, &q); whatever does not fit goes to the global queue;
// then wakep (proc.go:4111-4130).
func stepInjectLocal(x *exec) {
	rest := x.s.runqputbatch(x.myP(), x.c.RunqSize, x.mm.List)
	x.mm.List = rest
	if rest != 0 {
		x.goTo(pcInjectOverflowLock)
		return
	}
	if x.c.Has(BugInjectglistNoWakep) {
		x.ret()
		return
	}
	x.goTo(pcWakep)
}

func stepInjectOverflowPut(x *exec) {
	x.s.globrunqputList(x.mm.List)
	x.mm.List = 0
	x.unlock()
	x.goTo(pcWakep)
}

// go1.14's injectglist ([14] proc.go:2427-2448): under the lock, each G
// _Gwaiting -> _Grunnable and onto the global queue; then
// "for ; n != 0 && sched.npidle != 0; n-- { startm(nil, false) }".
func stepInject114Put(x *exec) {
	list := x.mm.List
	for l := list; l != 0; l &= l - 1 {
		g := nthBit(l, 0)
		if !x.casgstatus(g, _Gwaiting, _Grunnable) {
			return
		}
		x.s.globrunqput(gref(g))
	}
	x.mm.List = 0
	x.mm.N = uint8(popcount(list))
	x.unlock()
	x.goTo(pcInject114Start)
}

func stepInject114Start(x *exec) {
	if x.mm.N == 0 || x.s.Sched.NPidle == 0 {
		x.mm.N = 0
		x.ret()
		return
	}
	x.mm.N--
	x.mm.LP = 0
	x.setFlag(fSpinArg|fLockHeld, false)
	x.call(pcStartm, pcInject114Start)
}
