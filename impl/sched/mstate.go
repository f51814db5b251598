package sched

import "runtime"

// Parking and unparking Ms: stopm, startm, newm and mstart1, wakep,
// handoffp, and the idle lists. See "Worker thread parking/unparking"
// (proc.go:36-116).

// stopm (proc.go:2992-3011): put the M on sched.midle and sleep on its
// park note until startm hands it a P.
func (mp *m) stopm() {
	s := mp.sched
	mp.lockSched("stopm.lock")
	if mp.p.Load() != nil {
		s.unlock()
		mp.throw("stopm holding p")
	}
	if mp.spinning.Load() {
		s.unlock()
		mp.throw("stopm spinning")
	}
	mp.step("stopm.mput")
	mp.mput()
	s.unlock()
	mp.mPark()
}

// mPark (proc.go:1965-1969): notesleep(&m.park) returns once startm has
// woken the note; then noteclear and acquirep(m.nextp), one step.
func (mp *m) mPark() {
	mp.pause("mPark")
	mp.park.Sleep()
	mp.checkOver()
	mp.step("mPark")
	mp.park.Clear()
	pp := mp.nextp.Load()
	if pp == nil {
		mp.throw("wirep: invalid p state")
	}
	mp.nextp.Store(nil)
	mp.acquirep(pp)
}

// mspinning (proc.go:3013-3016): startm's caller incremented nmspinning;
// set the new M's spinning.
func (mp *m) mspinning() {
	mp.step("mspinning")
	mp.spinning.Store(true)
	mp.spinStart.Store(false)
}

// startm (proc.go:3035-3125): schedule some M to run pp, creating one if
// none is idle. If pp is nil, take an idle P, or do nothing. If spinning,
// the caller incremented nmspinning and startm hands that to the M. With
// lockheld the caller holds sched.lock (and still does on return).
func (mp *m) startm(pp *p, spinning, lockheld bool) {
	s := mp.sched
	if !lockheld {
		mp.lockSched("startm.lock")
	}
	mwait := false
retry:
	mp.step("startm")
	if pp == nil {
		if spinning {
			mp.throw("startm: P required for spinning=true")
		}
		pp = mp.pidleget()
		if pp == nil {
			if !lockheld {
				s.unlock()
			}
			return
		}
	}
	nmp := s.mget()
	if nmp == nil {
		// No M is available, we must drop sched.lock and call newm.
		// However, we already own a P to assign to the M. Pre-allocate
		// the new M's ID (mReserveID), so that checkdead counts it as
		// running before we drop sched.lock (proc.go:3073-3087).
		if s.bug(bugNoMReserveID) {
			s.unlock()
			mp.lockSched("mcommoninit.lock")
			mp.step("mcommoninit")
			for {
				id, ok := s.mReserveID()
				if ok {
					s.unlock()
					mp.newm(pp, id, spinning, lockheld)
					return
				}
				s.unlock()
				mp.lockSched("mcommoninit.lock")
				mp.step("mcommoninit")
			}
		}
		id, ok := s.mReserveID()
		if !ok {
			// The thread bound (Config.MaxM; the runtime's is
			// maxmcount): keep the reservation counted, as
			// mReserveID would, release the lock and look for an
			// idle M again. This is the spec's abstraction of thread
			// creation (spec/step_mstate.go, reserveM).
			if !mwait {
				mwait = true
				s.mwait++
			}
			s.unlock()
			runtime.Gosched()
			mp.lockSched("startm.lock")
			goto retry
		}
		s.unlock()
		mp.newm(pp, id, spinning, lockheld)
		return
	}
	if mwait {
		// The idle M stands in for the thread the bound kept us from
		// creating: the reservation is spent.
		s.mwait--
	}
	if !lockheld {
		s.unlock()
	}
	mp.step("startm.notewakeup")
	if s.bug(bugStartmSpinningFirst) {
		nmp.spinning.Store(spinning)
	}
	if s.bug(bugStartmNextpFirst) {
		nmp.nextp.Store(pp)
	}
	if nmp.spinning.Load() {
		mp.throw("startm: m is spinning")
	}
	if nmp.nextp.Load() != nil {
		mp.throw("startm: m has p")
	}
	if spinning && !pp.runq.Empty() {
		mp.throw("startm: p has runnable gs")
	}
	// The caller incremented nmspinning, so set m.spinning in the new M.
	nmp.spinning.Store(spinning)
	if !s.bug(bugStartmNoNextp) {
		nmp.nextp.Store(pp)
	}
	if err := nmp.park.Wakeup(); err != nil {
		mp.throw(err.Error())
	}
}

// mReserveID (proc.go:985-995) returns the next M id, or false at the
// thread bound.
func (s *Sched) mReserveID() (int64, bool) {
	if s.mnext >= s.maxm {
		return 0, false
	}
	id := s.mnext
	s.mnext++
	return id, true
}

// newm (proc.go:2857-2904): allocm, newm1, newosproc. The new thread
// starts in mstart1 with m.nextp = pp and, if it was started to spin,
// mstartfn = mspinning. With lockheld, startm takes sched.lock again
// (startm.relock).
func (mp *m) newm(pp *p, id int64, spinning, lockheld bool) {
	s := mp.sched
	mp.step("newm")
	nmp := s.allocm(int(id))
	nmp.nextp.Store(pp)
	nmp.spinStart.Store(spinning)
	nmp.setAt("mstart1")
	if s.bug(bugAllocmReady) && spinning {
		s.allocmReady(pp)
	}
	s.allmu.Lock()
	for len(s.allm) <= int(id) {
		s.allm = append(s.allm, nil)
	}
	s.allm[id] = nmp
	s.allmu.Unlock()
	s.goM(nmp, (*m).mstart)
	if lockheld {
		mp.lockSched("startm.relock")
	}
}

// allocmReady is the allocm-ready bug's effect: while newm allocates the
// new M, a goroutine is readied onto the P being handed to it (Go 1.5's GC
// assist while allocm borrowed the P, golang/go#10573): the parked forcegc
// helper, as in the spec.
func (s *Sched) allocmReady(pp *p) {
	fg := s.forcegc.g
	if fg == nil || fg.atomicstatus.Load() != _Gwaiting || !s.forcegc.idle.Load() {
		return
	}
	s.forcegc.idle.Store(false)
	fg.atomicstatus.Store(_Grunnable)
	fg.waiting.Store(WaitNone)
	pp.runq.Put(fg.goid, true)
}

// mstart is a new M's thread: mstart1 (proc.go:1904-1943), then schedule.
func (mp *m) mstart() {
	mp.step("mstart1")
	mp.started.Store(true)
	if mp.spinStart.Load() {
		mp.mspinning()
	}
	mp.step("mstart1.acquirep")
	pp := mp.nextp.Load()
	mp.nextp.Store(nil)
	mp.acquirep(pp)
	mp.schedule(nil)
}

// wakep (proc.go:3212-3246): if no M spins, CAS nmspinning from 0 to 1
// (the Load and the CAS are one step), take an idle P and start a
// spinning M on it.
func (mp *m) wakep() {
	s := mp.sched
	if s.bug(bugTwinWakepPidlegetFirst) {
		mp.wakepPidlegetFirst()
		return
	}
	mp.step("wakep.cas")
	// Be conservative about spinning threads, only start one if none
	// exist already.
	if s.nmspinning.Load() != 0 {
		return
	}
	spinning := true
	if s.bug(bugWakepLostCas) {
		spinning = false // the CAS is lost, and the spinning argument with it
	} else if !s.nmspinning.CompareAndSwap(0, 1) {
		return
	}
	if s.bug(bugWakepNoPidleget) {
		mp.startm(nil, spinning, false)
		return
	}
	mp.lockSched("wakep.lock")
	mp.step("wakep.pidlegetSpinning")
	pp := mp.pidlegetSpinning()
	if pp == nil {
		if !s.bug(bugWakepNoUndo) {
			s.nmspinning.Add(-1)
		}
		s.unlock()
		if s.nmspinning.Load() < 0 {
			mp.throw("wakep: negative nmspinning")
		}
		return
	}
	s.unlock()
	mp.startm(pp, spinning, false)
}

// wakepPidlegetFirst is the twin's own bug: wakep takes an idle P before
// its CAS (proc.go:3215 and 3227 swapped). The spec has no such step.
func (mp *m) wakepPidlegetFirst() {
	s := mp.sched
	mp.lockSched("wakep.lock")
	mp.step("wakep.pidlegetSpinning")
	pp := mp.pidlegetSpinning()
	s.unlock()
	if pp == nil {
		return
	}
	mp.step("wakep.cas")
	if !s.nmspinning.CompareAndSwap(0, 1) {
		mp.lockSched("wakep.lock")
		mp.step("wakep.pidlegetSpinning")
		mp.pidleput(pp, false)
		s.unlock()
		return
	}
	mp.startm(pp, true, false)
}

// handoffp (proc.go:3131-3197): the caller owns pp (no M, not idle). Start
// an M for it if it has work, the global queue has work, or nobody spins
// and no P is idle; else make it idle.
func (mp *m) handoffp(pp *p) {
	s := mp.sched
	// if it has local work, start it straight away
	mp.step("handoffp.runqempty")
	if (!pp.runq.Empty() && !s.bug(bugHandoffpIgnoresRunq)) || s.runqn.Load() != 0 {
		mp.startm(pp, false, false)
		return
	}
	// no local work, check that there are no spinning/idle M's,
	// otherwise our help is not required
	mp.step("handoffp.nmspinning")
	if s.nmspinning.Load()+s.npidle.Load() == 0 {
		mp.step("handoffp.cas")
		if s.nmspinning.CompareAndSwap(0, 1) {
			mp.step("handoffp.needspinning")
			s.needspinning.Store(0)
			mp.startm(pp, true, false)
			return
		}
	}
	mp.lockSched("handoffp.lock")
	mp.step("handoffp.pidleput")
	if s.runq.size != 0 {
		s.unlock()
		mp.startm(pp, false, false)
		return
	}
	// If this is the last running P and nobody is polling network,
	// need to wakeup another M to poll network.
	if s.npidle.Load() == s.gomaxprocs-1 && s.lastpoll.Load() != 0 {
		s.unlock()
		mp.startm(pp, false, false)
		return
	}
	mp.pidleput(pp, false)
	s.unlock()
}

// mput (proc.go:7200-7206), sched.lock held.
func (mp *m) mput() {
	s := mp.sched
	mp.schedlink = s.midle
	s.midle = mp
	if !s.bug(bugMputNoCount) {
		s.nmidle++
	}
	if !s.bug(bugMputNoCheckdead) {
		mp.checkdead()
	}
}

// mget (proc.go:7213-7221), sched.lock held.
func (s *Sched) mget() *m {
	mp := s.midle
	if mp != nil && !s.bug(bugMgetNoUnlink) {
		s.midle = mp.schedlink
		mp.schedlink = nil
		s.nmidle--
	}
	return mp
}

// pidleput (proc.go:7373-7393), sched.lock held. noCount is the twin's own
// bug switch twin-dropp-no-npidle, for the drop path only.
func (mp *m) pidleput(pp *p, noCount bool) {
	s := mp.sched
	if !pp.runq.Empty() {
		mp.throw("pidleput: P has non-empty run queue")
	}
	s.idlepMask.Or(1 << pp.id)
	pp.link = s.pidle.Load()
	s.pidle.Store(pp)
	if !s.bug(bugPidleputNoCount) && !noCount {
		s.npidle.Add(1)
	}
}

// pidleget (proc.go:7402-7424), sched.lock held.
func (mp *m) pidleget() *p {
	s := mp.sched
	pp := s.pidle.Load()
	if pp != nil {
		s.idlepMask.And(^(uint64(1) << pp.id))
		s.pidle.Store(pp.link)
		pp.link = nil
		s.npidle.Add(-1)
	}
	return pp
}

// pidlegetSpinning (proc.go:7430-7443), sched.lock held: pidleget, and if
// no P is idle, ask a P about to go idle to spin instead (see "Delicate
// dance"). Go 1.17-1.19 had plain pidleget here (go1.17-recheck).
func (mp *m) pidlegetSpinning() *p {
	pp := mp.pidleget()
	if pp == nil && !mp.sched.bug(bugGo117Recheck) {
		mp.sched.needspinning.Store(1)
	}
	return pp
}

// acquirep (proc.go:6259-6321, wirep).
func (mp *m) acquirep(pp *p) {
	if mp.p.Load() != nil {
		mp.throw("wirep: already in go")
	}
	if pp.m.Load() != nil || pp.status.Load() != _Pidle {
		mp.throw("wirep: invalid p state")
	}
	mp.p.Store(pp)
	pp.m.Store(mp)
	pp.status.Store(_Prunning)
}

// releasep (proc.go:6324-6353).
func (mp *m) releasep() *p {
	pp := mp.p.Load()
	if pp == nil {
		mp.throw("releasep: invalid arg")
	}
	if pp.m.Load() != mp || pp.status.Load() != _Prunning {
		mp.throw("releasep: invalid p state")
	}
	mp.p.Store(nil)
	pp.m.Store(nil)
	pp.status.Store(_Pidle)
	return pp
}
