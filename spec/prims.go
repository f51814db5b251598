package spec

import "math/bits"

// Primitive operations: the run queues, the idle lists, notes and checkdead.
// Each is a piece of a step, never a step by itself: the step that calls it
// is the atomic unit, and the comments say why the merge is sound.

// --- Local run queues (proc.go runqempty 7447-7460, runqget 7598-7619,
// runqputbatch 7565-7592, runqgrab 7662-7725). The ring is kept as an
// ordered array: only the order of the Gs matters, not the indexes.

// runqempty is one atomic read: the runtime's runqempty is written to
// return a consistent view of head, tail and runnext (proc.go:7447-7460).
func (s *State) runqempty(p int) bool { return s.P[p].RunqN == 0 && s.P[p].Runnext == 0 }

func (s *State) runqPushTail(p int, g uint8) {
	pp := &s.P[p]
	pp.Runq[pp.RunqN] = g
	pp.RunqN++
}

func (s *State) runqPopHead(p int) uint8 {
	pp := &s.P[p]
	g := pp.Runq[0]
	s.Sched.Batched &^= 1 << (g - 1)
	copy(pp.Runq[:], pp.Runq[1:pp.RunqN])
	pp.RunqN--
	pp.Runq[pp.RunqN] = 0
	return g
}

// runqget takes runnext, else the head (proc.go:7598-7619). The owner's
// two CASes form one step: only the owner makes runnext non-nil, so any
// interleaving is equivalent to the atomic version.
func (s *State) runqget(p int) (g uint8, inherit bool) {
	pp := &s.P[p]
	if pp.Runnext != 0 {
		g, pp.Runnext = pp.Runnext, 0
		return g, true
	}
	if pp.RunqN > 0 {
		return s.runqPopHead(p), false
	}
	return 0, false
}

// runqputbatch moves as many Gs of the list as fit onto p's queue
// (proc.go:7565-7592) and returns the rest. The list is a bitmask taken in
// index order.
func (s *State) runqputbatch(p, cap int, list uint8) uint8 {
	for list != 0 && int(s.P[p].RunqN) < cap {
		g := bits.TrailingZeros8(list)
		list &^= 1 << g
		s.runqPushTail(p, gref(g))
	}
	return list
}

// --- The global run queue, always under sched.lock (proc.go:7249-7310).

func (s *State) globrunqput(g uint8) {
	s.Sched.Runq[s.Sched.RunqN] = g
	s.Sched.RunqN++
}

func (s *State) globrunqputList(list uint8) {
	for list != 0 {
		g := bits.TrailingZeros8(list)
		list &^= 1 << g
		s.globrunqput(gref(g))
	}
}

func (s *State) globrunqget() uint8 {
	if s.Sched.RunqN == 0 {
		return 0
	}
	q := &s.Sched
	g := q.Runq[0]
	copy(q.Runq[:], q.Runq[1:q.RunqN])
	q.RunqN--
	q.Runq[q.RunqN] = 0
	return g
}

// globrunqgetbatch pops one G to run and up to n-1 more, in order, into q:
// n = min(n, size, size/gomaxprocs+1) (proc.go:7293-7310).
func (s *State) globrunqgetbatch(n, gomaxprocs int, q *[MaxRunq]uint8) (g uint8, qn uint8) {
	size := int(s.Sched.RunqN)
	n = min(n, size, size/gomaxprocs+1)
	if n <= 0 {
		return 0, 0
	}
	g = s.globrunqget()
	for i := 1; i < n; i++ {
		q[qn] = s.globrunqget()
		qn++
	}
	return g, qn
}

// globrunqbatch is findRunnable's globrunqget(len(pp.runq)/2) into the M's
// batch Q. The bug switches globrunqget-no-cap and globrunqget-no-plus-one
// corrupt its bound.
func (x *exec) globrunqbatch() (g, qn uint8) {
	s := x.s
	switch size := int(s.Sched.RunqN); {
	case x.c.Has(BugGlobrunqgetNoCap):
		// n = min(size, size/gomaxprocs+1): the cap is lost.
		return s.globrunqgetbatch(MaxRunq+1, x.c.GOMAXPROCS, &x.mm.Q)
	case x.c.Has(BugGlobrunqgetNoPlusOne):
		// n = min(n, size, size/gomaxprocs): no +1.
		if size/x.c.GOMAXPROCS == 0 {
			return 0, 0
		}
	}
	return s.globrunqgetbatch(x.half(), x.c.GOMAXPROCS, &x.mm.Q)
}

// runqputQ appends the M's ordered batch to p's queue and reports whether
// it all fitted.
func (s *State) runqputQ(p, cap int, mm *M) bool {
	for i := 0; i < int(mm.QN); i++ {
		if int(s.P[p].RunqN) == cap {
			return false
		}
		s.runqPushTail(p, mm.Q[i])
		mm.Q[i] = 0
	}
	mm.QN = 0
	return true
}

// --- Idle lists, under sched.lock (proc.go:7200-7221, 7373-7443). The list
// update, the idle bit and the npidle add are one step: every one of them is
// written under the lock, and no unlocked reader reads two of them in one
// decision.

// pidleput pushes p on the idle list; it throws if p has work
// (proc.go:7376-7378).
func (x *exec) pidleput(p int) {
	s := x.s
	if !s.runqempty(p) {
		x.throw(throwPidleputNonEmpty)
		return
	}
	push(s.Sched.Pidle[:], pref(p))
	if !x.c.Has(BugPidleputNoCount) {
		s.Sched.NPidle++
	}
}

// push and pop treat an array of refs as a LIFO stack whose top is
// element 0 (sched.pidle and sched.midle are LIFO lists, proc.go:7200-7418).
func push(stack []uint8, ref uint8) {
	copy(stack[1:], stack[:len(stack)-1])
	stack[0] = ref
}

// pop returns the top ref, or 0 for an empty stack.
func pop(stack []uint8) uint8 {
	ref := stack[0]
	if ref != 0 {
		copy(stack, stack[1:])
		stack[len(stack)-1] = 0
	}
	return ref
}

// pidleget pops an idle P, or returns -1.
func (s *State) pidleget() int {
	p := int(pop(s.Sched.Pidle[:])) - 1
	if p >= 0 {
		s.Sched.NPidle--
	}
	return p
}

// pidlegetSpinning is pidleget, and when no P is idle it asks a P that is
// about to go idle to spin instead (needspinning, proc.go:7430-7443). Go
// 1.14 and Go 1.17-1.19 (BugGo117Recheck) had plain pidleget here.
func (x *exec) pidlegetSpinning() int {
	p := x.s.pidleget()
	if p < 0 && !x.c.go114() && !x.c.Has(BugGo117Recheck) {
		x.s.Sched.NeedSpinning = true
	}
	return p
}

// idle reports whether p is on the idle list (the idlepMask bit).
func (s *State) idle(p int) bool {
	for _, q := range s.Sched.Pidle {
		if q == pref(p) {
			return true
		}
	}
	return false
}

// mput pushes m on the idle M list and runs checkdead (proc.go:7200-7206).
func (x *exec) mput(m int) {
	s := x.s
	push(s.Sched.Midle[:], mref(m))
	if !x.c.Has(BugMputNoCount) {
		s.Sched.NMidle++
	}
	if !x.c.Has(BugMputNoCheckdead) {
		x.checkdead()
	}
}

// mget pops an idle M, or returns -1 (proc.go:7213-7221). The bug switch
// mget-no-unlink leaves it on the list.
func (x *exec) mget() int {
	s := x.s
	if x.c.Has(BugMgetNoUnlink) {
		return int(s.Sched.Midle[0]) - 1
	}
	m := int(pop(s.Sched.Midle[:])) - 1
	if m >= 0 {
		s.Sched.NMidle--
	}
	return m
}

// --- Notes over futex (lock_futex.go:22-113). A note is its key word; the
// futex sleep is the guard of the sleeping step (enabled when key != 0), so
// a wakeup cannot be lost between the sleeper's check and its sleep: the
// kernel re-checks the key atomically in futexsleep.

// notewakeup sets the key and throws on a double wakeup (lock_futex.go:26-33).
func (x *exec) notewakeup(key *uint8) {
	old := *key
	*key = 1
	if old != 0 {
		x.throw(throwDoubleWakeup)
	}
}

// --- G status changes (proc.go casgstatus 1277-1383).

// casgstatus changes g from old to new; a mismatch is the runtime's throw
// for that transition.
func (x *exec) casgstatus(g int, old, new uint8) bool {
	gs := &x.s.G[g]
	if gs.Status != old {
		if old == _Gwaiting && gs.Status == _Grunnable {
			x.throw(throwCasWaitingRunnable)
		} else {
			x.throw(throwBadGStatus)
		}
		return false
	}
	gs.Status = new
	if new == _Grunnable {
		gs.Wait = waitNone
	}
	return true
}

// dropg detaches the M from its G (proc.go:4240-4245). It is merged into the
// status change before it: racy readers of m.curg (preemptone,
// setBlockOnExitSyscall) re-check the G's status, so they decide the same
// either way.
func (x *exec) dropg() {
	if g := x.curg(); g >= 0 {
		x.s.G[g].M = 0
	}
	x.mm.CurG = 0
}

// --- Ps and Ms (proc.go wirep 6296-6321, releasep 6334-6353).

// acquirep wires p to the M, throwing on a P that is not idle and unowned.
func (x *exec) acquirep(p int) {
	s := x.s
	if x.mm.P != 0 {
		x.throw(throwWirepAlreadyInGo)
		return
	}
	pp := &s.P[p]
	if pp.M != 0 || pp.Status != _Pidle || s.idle(p) {
		x.throw(throwWirepInvalidP)
		return
	}
	x.mm.P = pref(p)
	pp.M = mref(x.m)
	pp.Status = _Prunning
}

// releasep unwires the M's P and returns it.
func (x *exec) releasep() int {
	p := x.myP()
	if p < 0 {
		x.throw(throwReleasepInvalidArg)
		return -1
	}
	pp := &x.s.P[p]
	if pp.M != mref(x.m) || pp.Status != _Prunning {
		x.throw(throwReleasepInvalidP)
		return p
	}
	x.mm.P = 0
	pp.M = 0
	pp.Status = _Pidle
	return p
}

// isUser reports whether g is a user goroutine (not forcegc's helper).
func (c *Config) isUser(g int) bool { return g < len(c.Gs) }

// anyTimers reports whether some P's timer heap is non-empty.
func (s *State) anyTimers() bool {
	for i := range s.P {
		if s.P[i].Timers != 0 {
			return true
		}
	}
	return false
}

// checkdead, called with sched.lock held (proc.go:6367-6469). The faketime
// branch, cgo's extra M (run0) and panicking are out of scope.
func (x *exec) checkdead() {
	s, c := x.s, x.c
	nmsys := int(s.Sched.NMSys)
	if x.c.Has(BugCheckdeadNoNmsys) {
		nmsys = 0
	}
	// mcount() is mnext - nmfreed (proc.go:5724-5726).
	run := int(s.Sched.MNext) - int(s.World.NMFreed) + int(s.Sched.MWait) - int(s.Sched.NMidle) - int(s.Sched.NMidleLocked) - nmsys
	if x.c.Has(BugCheckdeadNoMcount) {
		run -= int(s.Sched.MNext) - int(s.World.NMFreed) + int(s.Sched.MWait) // mcount() dropped
	}
	if run > 0 {
		return
	}
	if run < 0 {
		x.throw(throwCheckdeadInconsistent)
		return
	}
	grunning := 0
	for g := 0; g < c.ng(); g++ {
		if !c.isUser(g) {
			continue
		}
		switch s.G[g].Status &^ _Gscan {
		case _Gwaiting, _Gpreempted:
			if !x.c.Has(BugCheckdeadNoWaiting) {
				grunning++
			}
		case _Grunnable, _Grunning, _Gsyscall:
			x.throw(throwCheckdeadRunnableG)
			return
		}
	}
	if grunning == 0 {
		s.Report = reportNoGoroutines
		return
	}
	if s.anyTimers() {
		return
	}
	s.Report = reportAllAsleep
}

// netpollTake is netpoll's result: the Gs whose descriptors are ready, now
// owned by the polling thread, and the delta its caller applies later with
// netpollAdjustWaiters. Until then netpollWaiters still counts them, and
// that is what keeps the last M blocking in netpoll instead of parking
// while the list is being injected (an earlier version of this model
// applied the delta at once, and checkdead then reported a false deadlock).
func (x *exec) netpollTake() uint8 {
	s := x.s
	list := s.Sched.NetReady
	s.Sched.NetReady = 0
	for l := list; l != 0; l &= l - 1 {
		s.G[nthBit(l, 0)].Wait = waitPolled
	}
	x.mm.Delta = uint8(popcount(list))
	return list
}

func popcount(b uint8) int { return bits.OnesCount8(b) }

// nthBit returns the index of the n-th set bit of b (n from 0).
func nthBit(b uint8, n int) int {
	for {
		i := bits.TrailingZeros8(b)
		if n == 0 {
			return i
		}
		b &^= 1 << i
		n--
	}
}
