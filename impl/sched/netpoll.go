package sched

import (
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// The network poller, and injectglist, which makes what it returns
// runnable.
//
// The twin's poller is a netpoll-like source, not epoll: a task's netwait
// parks it on a descriptor of its own, the environment (netEnv, or the
// Controller) makes descriptors ready at times of its choosing, as the
// kernel would, and netpoll returns the tasks whose descriptors are ready,
// in G order. A blocking netpoll sleeps until a descriptor is ready, or
// until the run ends. netpollBreak is not needed without timers.

// A netpoller is the kernel's side: which descriptors are ready.
type netpoller struct {
	mu    sync.Mutex
	ready []*g // ready and not yet returned by netpoll
	brk   bool // a netpollBreak is pending
	wake  chan struct{}
}

func (s *Sched) netpollAnyWaiters() bool { return s.netpollWaiters.Load() > 0 }

// netpoll (netpoll_epoll.go netpoll(0)) returns the Gs whose descriptors
// are ready, in G order, now the caller's, and the delta to apply to
// netpollWaiters later (netpollAdjustWaiters), which keeps counting them
// until then.
func (s *Sched) netpoll() (list []*g, delta int32) {
	np := &s.np
	np.mu.Lock()
	list, np.ready = np.ready, nil
	np.mu.Unlock()
	sort.Slice(list, func(a, b int) bool { return list[a].id < list[b].id })
	for _, gp := range list {
		gp.waiting.Store(WaitPolled)
	}
	return list, int32(len(list))
}

// wait blocks until a descriptor is ready, a break is pending, or the run
// is over: the blocking part of netpoll(-1), outside any step.
func (np *netpoller) wait(s *Sched) {
	for {
		np.mu.Lock()
		ok := len(np.ready) > 0 || np.brk
		np.mu.Unlock()
		if ok || s.over.Load() {
			return
		}
		select {
		case <-np.wake:
		case <-s.done:
		}
	}
}

func (np *netpoller) clearBreak() {
	np.mu.Lock()
	np.brk = false
	np.mu.Unlock()
}

// breakPoll wakes a blocked poller without a break: at the end of a run.
func (np *netpoller) breakPoll() {
	select {
	case np.wake <- struct{}{}:
	default:
	}
}

func (np *netpoller) anyReady() bool {
	np.mu.Lock()
	defer np.mu.Unlock()
	return len(np.ready) > 0
}

func (np *netpoller) isReady(gp *g) bool {
	np.mu.Lock()
	defer np.mu.Unlock()
	for _, r := range np.ready {
		if r == gp {
			return true
		}
	}
	return false
}

// view is the kernel's state for a snapshot.
func (np *netpoller) view() (ready []int, brk bool) {
	np.mu.Lock()
	defer np.mu.Unlock()
	for _, gp := range np.ready {
		ready = append(ready, gp.id)
	}
	sort.Ints(ready)
	return ready, np.brk
}

// makeReady is the environment's event: gp's descriptor becomes ready. It
// reports false if gp does not wait on the network or is already ready.
func (s *Sched) makeReady(gp *g) bool {
	if gp.atomicstatus.Load() != _Gwaiting || gp.waiting.Load() != WaitNet || s.np.isReady(gp) {
		return false
	}
	np := &s.np
	np.mu.Lock()
	np.ready = append(np.ready, gp)
	np.mu.Unlock()
	np.breakPoll()
	return true
}

// netEnv is the environment: now and then it makes the descriptor of a
// task waiting on the network ready. In ModeLog each event is a logged
// step ("netpoll.ready").
func (s *Sched) netEnv() {
	defer s.wg.Done()
	r := rand.New(rand.NewPCG(s.cfg.Seed, 0x6e6574))
	for !s.over.Load() {
		time.Sleep(time.Duration(5+r.IntN(60)) * time.Microsecond)
		pick := func() (int, bool) {
			var cands []*g
			for _, gp := range s.gs() {
				if gp.atomicstatus.Load() == _Gwaiting && gp.waiting.Load() == WaitNet && !s.np.isReady(gp) {
					cands = append(cands, gp)
				}
			}
			if len(cands) == 0 {
				return 0, false
			}
			gp := cands[r.IntN(len(cands))]
			s.makeReady(gp)
			return gp.id, true
		}
		if s.h != nil {
			s.h.envStep("netpoll.ready", pick)
		} else {
			pick()
		}
	}
}

// netpollAdjustWaiters (netpoll.go) is a step of its own.
func (mp *m) netpollAdjustWaiters(delta int32) {
	mp.step("netpollAdjustWaiters")
	mp.sched.netpollWaiters.Add(-delta)
}

// injectglist (proc.go:4045-4131): make the Gs of glist, all _Gwaiting and
// the caller's, runnable, and queue them: without a P all on the global
// queue, with as many idle Ps started; with a P one per idle P globally
// and the rest on the local queue; then wakep.
func (mp *m) injectglist(glist []*g) {
	if len(glist) == 0 {
		return
	}
	s := mp.sched
	// Mark all the goroutines as runnable before we put them on the run
	// queues; the racy read of npidle is in the same step.
	mp.step("injectglist.casgstatus")
	for _, gp := range glist {
		mp.casgstatus(gp, _Gwaiting, _Grunnable)
	}
	pp := mp.p.Load()
	if pp == nil {
		n := len(glist)
		mp.lockSched("injectglist.lock")
		mp.step("injectglist.globrunqputbatch")
		for _, gp := range glist {
			s.globrunqput(gp)
		}
		s.unlock()
		mp.startIdle(n)
		return
	}
	npidle := int(s.npidle.Load())
	k := min(npidle, len(glist))
	globq, q := glist[:k], glist[k:]
	if len(globq) > 0 {
		mp.lockSched("injectglist.globq.lock")
		mp.step("injectglist.globq.globrunqputbatch")
		for _, gp := range globq {
			s.globrunqput(gp)
		}
		s.unlock()
		mp.startIdle(len(globq))
	}
	mp.step("injectglist.runqputbatch")
	rest := runqputbatch(pp, q)
	if len(rest) > 0 {
		mp.lockSched("injectglist.overflow.lock")
		mp.step("injectglist.overflow.globrunqputbatch")
		for _, gp := range rest {
			s.globrunqput(gp)
		}
		s.unlock()
	}
	// Some P's might have become idle after we loaded sched.npidle but
	// before any goroutines were added to the queue (proc.go:4116-4130).
	if s.bug(bugInjectglistNoWakep) && len(rest) == 0 {
		return
	}
	mp.wakep()
}

// startIdle is injectglist's closure (proc.go:4069-4085): for each G put on
// the global queue, take an idle P and start an M on it, with sched.lock
// held across startm.
func (mp *m) startIdle(n int) {
	s := mp.sched
	for ; n > 0; n-- {
		mp.lockSched("startIdle.lock")
		mp.step("startIdle.pidlegetSpinning")
		pp := mp.pidlegetSpinning()
		if pp == nil {
			s.unlock()
			break
		}
		mp.startm(pp, false, true)
		mp.step("startIdle.unlock")
		s.unlock()
	}
}
