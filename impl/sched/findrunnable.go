package sched

import "math/bits"

// findRunnable (proc.go:3389-3798): an M with a P looks for a G to run, in
// the order of the source: now and then the global queue (fairness), its
// local queue, the global queue, the network, other Ps' queues as a
// spinning M, and finally it gives its P up, in the "Delicate dance"
// (proc.go:3622-3657): a spinning M drops nmspinning before it looks at
// every source of work again. Timers, GC workers and the trace reader are
// not in the twin.
func (mp *m) findRunnable() (gp *g, inheritTime bool) {
	s := mp.sched
top:
	mp.checkOver()
	pp := mp.p.Load()
	mp.step("findRunnable.top")
	// Check the global runnable queue once in a while to ensure fairness
	// (proc.go:3440-3450): pp.schedtick%61 == 0, a choice in the spec.
	if s.runqn.Load() != 0 {
		run := 0
		if pp.schedtick.Load()%61 == 0 {
			run = 1
		}
		if mp.decide(2, run) == 1 {
			mp.lockSched("findRunnable.fairness.lock")
			mp.step("findRunnable.fairness.globrunqget")
			gp := s.globrunqget()
			s.unlock()
			if gp != nil {
				return gp, false
			}
		}
	}

	// local runq (proc.go:3468-3471); the racy "!sched.runq.empty()"
	// that follows is read in the same step.
	mp.step("findRunnable.runqget")
	if gp, inheritTime := mp.runqget(pp); gp != nil {
		return gp, inheritTime
	}

	// global runq (proc.go:3473-3484)
	if s.runqn.Load() != 0 {
		mp.lockSched("findRunnable.globrunq.lock")
		mp.step("findRunnable.globrunqgetbatch")
		gp, q := mp.globrunqgetbatch(int32(s.runqsize / 2))
		s.unlock()
		if gp != nil {
			if len(q) > 0 {
				mp.step("findRunnable.runqputbatch")
				if rest := runqputbatch(pp, q); len(rest) > 0 {
					mp.throw("Couldn't put Gs into empty local runq")
				}
			}
			return gp, false
		}
	}

	// Poll network (proc.go:3486-3510): only an optimization before we
	// resort to stealing.
	if s.cfg.Netpoll {
		mp.step("findRunnable.netpoll(0)")
		if s.netpollAnyWaiters() && s.lastpoll.Load() != 0 && s.pollingNet.Swap(1) == 0 {
			list, delta := s.netpoll()
			s.pollingNet.Store(0)
			if len(list) > 0 { // non-blocking
				gp := list[0]
				mp.runPolled(list[1:], delta, gp)
				mp.step("findRunnable.netpoll.casgstatus")
				mp.casgstatus(gp, _Gwaiting, _Grunnable)
				return gp, false
			}
			if s.bug(bugNetpoll0Blocks) {
				goto poll // netpoll(-1) where netpoll(0) was meant
			}
		}
	}

	// Spinning Ms: steal work from other Ps (proc.go:3512-3538). Limit
	// the number of spinning Ms to half the number of busy Ps.
	mp.step("findRunnable.spinning?")
	if mp.spinning.Load() || 2*s.nmspinning.Load() < s.gomaxprocs-s.npidle.Load() {
		if !mp.spinning.Load() {
			mp.becomeSpinning(false)
		}
		if gp := mp.stealWork(); gp != nil {
			// Successfully stole.
			return gp, false
		}
	}

	// return P and block (proc.go:3586-3620)
	{
		idlepMaskSnapshot := s.idlepMask.Load() // for twin-idlep-snapshot only
		mp.lockSched("findRunnable.dropP.lock")
		mp.step("findRunnable.dropP")
		if s.runq.size != 0 {
			gp, q := mp.globrunqgetbatch(int32(s.runqsize / 2))
			s.unlock()
			if gp == nil {
				mp.throw("global runq empty with non-zero runqsize")
			}
			if len(q) > 0 {
				mp.step("findRunnable.runqputbatch")
				if rest := runqputbatch(pp, q); len(rest) > 0 {
					mp.throw("Couldn't put Gs into empty local runq")
				}
			}
			return gp, false
		}
		if !s.bug(bugGo117Recheck) && !mp.spinning.Load() && s.needspinning.Load() == 1 {
			// See "Delicate dance" comment below.
			mp.becomeSpinning(true)
			s.unlock()
			goto top
		}
		if s.bug(bugDropKeepsP) && !mp.spinning.Load() {
			s.unlock()
			goto poll // stopm without releasep and pidleput
		}
		if s.bug(bugDropIdleBeforeReleasep) {
			pp.status.Store(_Pidle)
		}
		if mp.releasep() != pp {
			mp.throw("findRunnable: wrong p")
		}
		if s.bug(bugReleasepTwice) {
			mp.releasep()
		}
		mp.pidleput(pp, s.bug(bugTwinDropPNoNpidle))
		s.unlock()

		// Delicate dance: thread transitions from spinning to
		// non-spinning state, potentially concurrently with submission
		// of new work. We must drop nmspinning first and then check all
		// sources again (with #StoreLoad memory barrier in between).
		// See proc.go:3622-3657 for the whole essay; needspinning is
		// how a non-spinning M about to drop its P learns that the
		// recheck found work but no P.
		wasSpinning := mp.spinning.Load()
		if wasSpinning && !s.bug(bugDropNoDance) {
			mp.step("findRunnable.dropSpinning")
			mp.spinning.Store(false)
			if s.nmspinning.Add(-1) < 0 {
				mp.throw("findRunnable: negative nmspinning")
			}

			// Check global and P runqueues again.
			mp.lockSched("findRunnable.recheck.lock")
			mp.step("findRunnable.recheck.globrunq")
			if s.runq.size != 0 {
				if pp := mp.pidlegetSpinning(); pp != nil {
					gp, q := mp.globrunqgetbatch(int32(s.runqsize / 2))
					s.unlock()
					if gp == nil {
						mp.throw("global runq empty with non-zero runqsize")
					}
					if len(q) > 0 {
						mp.step("findRunnable.recheck.runqputbatch")
						if rest := runqputbatch(pp, q); len(rest) > 0 {
							mp.throw("Couldn't put Gs into empty local runq")
						}
					}
					mp.step("findRunnable.recheck.acquirep")
					mp.acquirep(pp)
					mp.becomeSpinning(false)
					return gp, false
				}
			}
			s.unlock()

			if !s.bug(bugNoRunqRecheck) {
				if pp := mp.checkRunqsNoP(idlepMaskSnapshot); pp != nil {
					mp.step("checkRunqsNoP.acquirep")
					mp.acquirep(pp)
					mp.becomeSpinning(false)
					goto top
				}
			}
		}
		if gp := mp.pollOrStop(wasSpinning); gp != nil {
			return gp, false
		}
		goto top
	}

poll:
	// The bug switches that leave findRunnable's path for its end.
	if gp := mp.pollOrStop(mp.spinning.Load()); gp != nil {
		return gp, false
	}
	goto top
}

// pollOrStop is findRunnable's end (proc.go:3732-3797): block in netpoll
// if there are network waiters and no other M polls, else stopm. It
// returns a G the poller found, or nil to start findRunnable over.
func (mp *m) pollOrStop(wasSpinning bool) *g {
	s := mp.sched
	if !s.cfg.Netpoll {
		mp.stopm()
		return nil
	}
	mp.step("findRunnable.netpoll?")
	if !(s.netpollAnyWaiters() && !s.bug(bugNetpollIgnoresWaiters)) || s.lastpoll.Swap(0) == 0 {
		mp.stopm()
		return nil
	}
	s.pollUntil.Store(0)
	if mp.p.Load() != nil {
		mp.throw("findRunnable: netpoll with p")
	}
	if mp.spinning.Load() {
		mp.throw("findRunnable: netpoll with spinning")
	}
	mp.pause("netpoll(block)")
	s.np.wait(s) // block until new work is available
	mp.step("netpoll(block)")
	list, delta := s.netpoll()
	s.np.clearBreak()
	mp.step("findRunnable.netpoll.lastpoll")
	s.pollUntil.Store(0)
	s.lastpoll.Store(nanotime())
	mp.lockSched("findRunnable.netpoll.lock")
	mp.step("findRunnable.netpoll.pidleget")
	pp := mp.pidleget()
	s.unlock()
	if pp == nil {
		mp.injectglist(list)
		if delta != 0 {
			mp.netpollAdjustWaiters(delta)
		}
		mp.stopm()
		return nil
	}
	mp.step("findRunnable.netpoll.acquirep")
	mp.acquirep(pp)
	if len(list) > 0 {
		gp := list[0]
		mp.runPolled(list[1:], delta, gp)
		mp.step("findRunnable.netpoll.casgstatus")
		mp.casgstatus(gp, _Gwaiting, _Grunnable)
		return gp
	}
	if wasSpinning {
		mp.becomeSpinning(false)
	}
	return nil
}

// runqget is the owner's runqget (proc.go:7598-7619).
func (mp *m) runqget(pp *p) (*g, bool) {
	id, inheritTime := pp.runq.Get()
	if id == 0 {
		return nil, false
	}
	return mp.sched.gByID(id), inheritTime
}

// runPolled is findRunnable's "gp := list.pop(); injectglist(&list);
// netpollAdjustWaiters(delta)" (proc.go:3499-3502, 3774-3777), before the
// caller's casgstatus of gp.
func (mp *m) runPolled(rest []*g, delta int32, gp *g) {
	if mp.sched.bug(bugNetpollPopReadies) {
		mp.casgstatus(gp, _Gwaiting, _Grunnable)
	}
	mp.injectglist(rest)
	mp.netpollAdjustWaiters(delta)
}

// becomeSpinning (proc.go:1073-1077). The flag is the M's own, so setting
// it with the counter's increment hides nothing; clearing needspinning
// races with pidlegetSpinning and is a step of its own, unless the caller
// holds sched.lock (findRunnable's drop path, proc.go:3610-3615), under
// which pidlegetSpinning sets it.
func (mp *m) becomeSpinning(locked bool) {
	s := mp.sched
	if !locked {
		mp.step("becomeSpinning.nmspinning")
	}
	mp.spinning.Store(true)
	s.nmspinning.Add(1)
	if !locked {
		mp.step("becomeSpinning.needspinning")
	}
	s.needspinning.Store(0)
}

// stealWork (proc.go:3828-3895), one victim per step. The source makes
// four passes in a random order, the last of which may take runnext; the
// twin makes the spec's two (one plain pass standing for the first
// three, then the last), in the spec's order of choice (ModeRun: random,
// as stealOrder is).
func (mp *m) stealWork() *g {
	s := mp.sched
	pp := mp.p.Load()
	all := uint64(1)<<s.gomaxprocs - 1
	const stealTries = 2
	for i := 0; i < stealTries; i++ {
		stealRunNextG := i == stealTries-1
		var visited uint64
		for {
			victims := all &^ visited &^ (1 << pp.id)
			if victims == 0 {
				break
			}
			mp.step("stealWork")
			n := bits.OnesCount64(victims)
			k := mp.decide(n, int(mp.fastrand()%uint32(n)))
			p2 := s.allp[nthBit(victims, k)]
			visited |= 1 << p2.id
			// Don't bother to attempt to steal if p2 is idle.
			if s.idlepMask.Load()&(1<<p2.id) == 0 {
				if id := pp.runq.Steal(p2.runq, stealRunNextG); id != 0 {
					return s.gByID(id)
				}
			}
		}
	}
	return nil
}

// checkRunqsNoP (proc.go:3902-3919): every P's queue, one P per step, in
// the spec's order of choice (ModeRun: allp's). The idle bits are read
// live: findRunnable's idlepMaskSnapshot (proc.go:3588-3590) copies the
// pMask's slice header, not its words. Reading a copy of the bits is the
// twin's own bug switch twin-idlep-snapshot.
func (mp *m) checkRunqsNoP(idlepMaskSnapshot uint64) *p {
	s := mp.sched
	all := uint64(1)<<s.gomaxprocs - 1
	var visited uint64
	for visited != all {
		mp.step("checkRunqsNoP")
		unvisited := all &^ visited
		n := bits.OnesCount64(unvisited)
		p2 := s.allp[nthBit(unvisited, mp.decide(n, 0))]
		visited |= 1 << p2.id
		idle := s.idlepMask.Load()
		if s.bug(bugTwinIdlepSnapshot) {
			idle = idlepMaskSnapshot
		}
		if idle&(1<<p2.id) == 0 && !p2.runq.Empty() {
			mp.lockSched("checkRunqsNoP.lock")
			mp.step("checkRunqsNoP.pidlegetSpinning")
			pp := mp.pidlegetSpinning()
			s.unlock()
			if s.bug(bugNetpollBeforeDance) && pp == nil {
				mp.spinning.Store(true) // becomeSpinning before the nil check
				s.nmspinning.Add(1)
			}
			return pp
		}
	}
	// No work available.
	return nil
}
