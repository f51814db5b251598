package sched

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/gmpspec/gmpspec/impl/runq"
)

// schedule, execute, and what tasks ask of the runtime: newproc, gopark and
// park_m, goready, goschedImpl, entersyscall/exitsyscall (syscall.go),
// goexit.

// lockSched is lock(&sched.lock) as a step of its own (the spec's lock
// steps, lockDef): the step is enabled only while the lock is free. In
// ModeRun the M blocks on the mutex.
func (mp *m) lockSched(label string) {
	s := mp.sched
	if s.free() {
		s.lock.mu.Lock()
	} else {
		mp.stepWhen(label, s.lock.mu.TryLock)
	}
	s.lock.owner.Store(int32(mp.id + 1))
}

// unlock is unlock(&sched.lock).
func (s *Sched) unlock() {
	s.lock.owner.Store(0)
	s.lock.mu.Unlock()
}

// schedule (proc.go:4135-4231) as a loop: in the runtime execute never
// returns and user code comes back into schedule through mcall; here
// execute returns when the G leaves the M, and again is a G to execute
// without looking for one (exitsyscallNoP's, proc.go:5109-5112).
func (mp *m) schedule(again *g) {
	s := mp.sched
	for {
		for again != nil {
			again = mp.execute(again, false)
		}
		mp.checkOver()
		mp.step("schedule")
		pp := mp.p.Load()
		// Safety check: if we are spinning, the run queue should be
		// empty (proc.go:4157-4162, golang/go#10573).
		if mp.spinning.Load() && !pp.runq.Empty() {
			mp.throw("schedule: spinning with local work")
		}
		gp, inheritTime := mp.findRunnable() // blocks until work is available
		// This thread is going to run a goroutine and is not spinning
		// anymore (proc.go:4195-4200).
		if mp.spinning.Load() || s.bug(bugResetspinningAlways) {
			mp.resetspinning()
		}
		again = mp.execute(gp, inheritTime)
	}
}

// resetspinning (proc.go:4021-4035).
func (mp *m) resetspinning() {
	s := mp.sched
	mp.step("resetspinning")
	if !mp.spinning.Load() {
		mp.throw("resetspinning: not a spinning m")
	}
	mp.spinning.Store(false)
	nmspinning := s.nmspinning.Add(-1)
	if s.bug(bugResetspinningTwice) {
		nmspinning = s.nmspinning.Add(-1)
	}
	if nmspinning < 0 {
		mp.throw("findRunnable: negative nmspinning")
	}
	// M wakeup policy is deliberately somewhat conservative, so check
	// if we need to wakeup another P here.
	mp.wakep()
}

// execute (proc.go:3331-3383) makes gp the M's current G and runs it until
// it leaves the M.
func (mp *m) execute(gp *g, inheritTime bool) *g {
	mp.step("execute")
	pp := mp.p.Load()
	mp.curg.Store(gp)
	gp.m.Store(mp)
	mp.casgstatus(gp, _Grunnable, _Grunning)
	gp.preempt.Store(false)
	if !inheritTime {
		pp.schedtick.Add(1)
	}
	mp.userStart = time.Now()
	return mp.user(gp)
}

// leaveUser ends a stretch of user code on the M's P, for utilisation.
func (mp *m) leaveUser() {
	if pp := mp.p.Load(); pp != nil && !mp.userStart.IsZero() {
		end := time.Now()
		if s := mp.sched; s.over.Load() {
			end = s.start.Add(time.Duration(s.endAt.Load())) // the run's time ended there
		}
		if end.After(mp.userStart) {
			pp.busy.Add(int64(end.Sub(mp.userStart)))
		}
	}
	mp.userStart = time.Time{}
}

// casgstatus changes gp's status from oldval to newval. Finding gp in
// another status is a throw, as in the spec (the runtime's casgstatus,
// proc.go:1277-1314, spins until the status is oldval, which only a bug
// can make endless, and throws for a G found _Grunnable when it expected
// _Gwaiting). exitsyscall's wait for the scan bit is a guard of its own
// step (syscall.go).
func (mp *m) casgstatus(gp *g, oldval, newval uint32) {
	if !gp.atomicstatus.CompareAndSwap(oldval, newval) {
		if oldval == _Gwaiting && gp.atomicstatus.Load() == _Grunnable {
			mp.throw("casgstatus: waiting for Gwaiting but is Grunnable")
		}
		mp.throw("casgstatus: bad incoming values (or a CAS from an unexpected status)")
	}
	if newval == _Grunnable {
		gp.waiting.Store(WaitNone)
	}
}

// dropg (proc.go:4240-4245).
func (mp *m) dropg() {
	if gp := mp.curg.Load(); gp != nil {
		gp.m.Store(nil)
	}
	mp.curg.Store(nil)
}

// user runs gp's code on the M, one instruction (one "user" step) at a
// time, until gp leaves the M. It returns a G to execute at once, or nil
// to schedule.
func (mp *m) user(gp *g) (again *g) {
	s := mp.sched
	for {
		mp.checkOver()
		in := mp.nextInstr(gp)
		var obj *Obj
		switch in.op {
		case OpCompute:
			if gp.task == nil {
				mp.pause("user")
				mp.compute()
			}
			mp.step("user")
		case OpPark, OpReady:
			obj = in.obj
			if obj == nil {
				obj = s.objs[in.arg]
			}
			mp.lockObj(obj)
		case opForcegcHelper:
			mp.lockForcegc("user")
		default:
			mp.step("user")
		}

		switch in.op {
		case OpCompute:
			// A preemption request is seen at a function prologue
			// (stackguard0 == stackPreempt) or by signal:
			// gopreempt_m -> goschedImpl(gp, true) (proc.go:4363-4366).
			ch := 0
			if gp.preempt.Load() {
				ch = mp.decide(2, 1)
			}
			if ch == 1 {
				mp.leaveUser()
				mp.goschedImpl(gp)
				return nil
			}
			gp.pc.Add(1)

		case OpGosched:
			// Gosched -> mcall(gosched_m) -> goschedImpl(gp, false)
			// (proc.go:389-392, 4349-4351).
			gp.pc.Add(1)
			mp.leaveUser()
			mp.goschedImpl(gp)
			return nil

		case OpGo:
			gp.pc.Add(1)
			mp.newproc(mp.taskG(in))

		case OpPark:
			// The object's lock is held; with a wakeup pending it is
			// released at once, else gopark -> mcall(park_m), whose
			// unlockf releases it.
			gp.pc.Add(1)
			if obj.tokens > 0 {
				obj.tokens--
				mp.unlockObj(obj)
				continue
			}
			obj.waiters = append(obj.waiters, gp)
			mp.leaveUser()
			mp.parkM(gp, obj.waitCode(), obj)
			return nil

		case OpReady:
			// Under the object's lock, dequeue a waiter; then
			// goready(gp) = ready(gp, next=true) (proc.go:481-485).
			gp.pc.Add(1)
			if len(obj.waiters) == 0 {
				if obj.max == 0 || obj.tokens < obj.max {
					obj.tokens++
				}
				mp.unlockObj(obj)
				continue
			}
			w := mp.takeWaiter(obj)
			mp.unlockObj(obj)
			mp.ready(w, true)

		case OpNetwait:
			gp.pc.Add(1)
			mp.leaveUser()
			mp.parkM(gp, WaitNet, nil)
			return nil

		case OpSyscall:
			gp.pc.Add(1)
			if again, gone := mp.syscall(gp, in.call); gone {
				return again
			}

		case OpExit:
			// goexit1 -> mcall(goexit0) -> gdestroy (proc.go:4475-4569).
			mp.casgstatus(gp, _Grunning, _Gdead)
			mp.dropg()
			mp.leaveUser()
			if gp.id == 0 {
				// main returned: the program exits.
				s.end(func() { s.exited = true })
				mp.stop()
			}
			s.finished.Add(1)
			if gp.task != nil {
				s.gfput(gp)
			}
			return nil

		case opForcegcHelper:
			// forcegchelper (proc.go:366-383): lock(&forcegc.lock);
			// if forcegc.idle { throw }; forcegc.idle = true;
			// goparkunlock(&forcegc.lock).
			if s.forcegc.idle.Load() {
				s.unlockForcegc() // the runtime throws holding it; the spec checks first
				mp.throw("forcegc: phase error")
			}
			s.forcegc.idle.Store(true)
			mp.leaveUser()
			mp.parkM(gp, WaitForcegc, nil)
			return nil
		}
	}
}

// nextInstr is what gp asks for next: its program's next instruction, or
// its func task's next request (the task runs until it asks).
func (mp *m) nextInstr(gp *g) instr {
	switch {
	case gp.system:
		return instr{op: opForcegcHelper}
	case gp.task != nil:
		mp.pause("user")
		return gp.task.run()
	case int(gp.pc.Load()) >= len(gp.prog.Code):
		return instr{op: OpExit}
	}
	in := gp.prog.Code[gp.pc.Load()]
	return instr{op: in.Op, arg: in.Arg}
}

// compute is a unit of a program's CPU work.
func (mp *m) compute() {
	if f := mp.sched.cfg.Compute; f != nil {
		f()
		return
	}
	x := uint32(1)
	for i := 0; i < 200; i++ {
		x = x*1664525 + 1013904223
	}
	sink.Store(x)
}

var sink atomic.Uint32

// waitCode is how a G parked on o waits: WaitObj+k on a program's object
// k, WaitObj on a func task's.
func (o *Obj) waitCode() uint32 {
	if o.id < 0 {
		return WaitObj
	}
	return WaitObj + uint32(o.id)
}

// takeWaiter dequeues a waiter of obj, whose lock the M holds: in ModeRun
// the oldest; otherwise the spec's choice among the waiters in G order.
func (mp *m) takeWaiter(obj *Obj) *g {
	i := 0
	if !mp.sched.free() {
		ws := append([]*g(nil), obj.waiters...)
		sort.Slice(ws, func(a, b int) bool { return ws[a].id < ws[b].id })
		w := ws[mp.decide(len(ws), 0)]
		for i = range obj.waiters {
			if obj.waiters[i] == w {
				break
			}
		}
	}
	w := obj.waiters[i]
	obj.waiters = append(obj.waiters[:i], obj.waiters[i+1:]...)
	return w
}

// lockObj takes obj's lock in a "user" step, enabled while the lock is
// free.
func (mp *m) lockObj(obj *Obj) {
	if mp.sched.free() {
		obj.lock.mu.Lock()
	} else {
		mp.stepWhen("user", obj.lock.mu.TryLock)
	}
	obj.lock.owner.Store(int32(mp.id + 1))
}

func (mp *m) unlockObj(obj *Obj) {
	obj.lock.owner.Store(0)
	obj.lock.mu.Unlock()
}

// lockForcegc takes forcegc.lock in a step enabled while it is free.
func (mp *m) lockForcegc(label string) {
	fl := &mp.sched.forcegc.lock
	if mp.sched.free() {
		fl.mu.Lock()
	} else {
		mp.stepWhen(label, fl.mu.TryLock)
	}
	fl.owner.Store(int32(mp.id + 1))
}

func (s *Sched) unlockForcegc() {
	s.forcegc.lock.owner.Store(0)
	s.forcegc.lock.mu.Unlock()
}

// newproc (proc.go:5295-5308): newproc1 makes the new G _Grunnable
// (proc.go:5313-5427), runqput puts it in runnext, and wakep wakes a P.
func (mp *m) newproc(newg *g) {
	if newg.atomicstatus.Load() != _Gdead {
		panic("newproc: go of a live goroutine")
	}
	newg.pc.Store(0)
	newg.preempt.Store(false)
	newg.m.Store(nil)
	newg.waiting.Store(WaitNone)
	newg.atomicstatus.Store(_Grunnable)
	mp.runqput(mp.p.Load(), newg, true)
	mp.wakep()
}

// parkM is gopark's mcall(park_m) (proc.go:445-465, 4253-4305): _Grunning
// -> _Gwaiting and dropg in one step, then unlockf in the next: the wait
// object's lock is released, a network wait is committed
// (netpollblockcommit: netpollWaiters++), forcegc.lock is released.
func (mp *m) parkM(gp *g, wait uint32, obj *Obj) {
	s := mp.sched
	mp.step("park_m.casgstatus")
	if obj != nil && s.bug(bugGoparkUnlockFirst) {
		// unlockf first: a waker can find the G still running.
		mp.unlockObj(obj)
		mp.step("park_m.unlockf")
		mp.parkCas(gp, wait)
		return
	}
	mp.parkCas(gp, wait)
	mp.step("park_m.unlockf")
	switch {
	case wait == WaitNet:
		gp.waiting.Store(WaitNet)
		s.netpollWaiters.Add(1)
	case wait == WaitForcegc:
		s.unlockForcegc()
	default:
		mp.unlockObj(obj)
	}
}

// parkCas: gopark's status check (proc.go:451-454), then park_m's
// casgstatus and dropg. A network wait is recorded when unlockf commits it.
func (mp *m) parkCas(gp *g, wait uint32) {
	if gp.atomicstatus.Load() != _Grunning {
		mp.throw("gopark: bad g status")
	}
	mp.casgstatus(gp, _Grunning, _Gwaiting)
	if wait != WaitNet {
		gp.waiting.Store(wait)
	}
	mp.dropg()
}

// goschedImpl (proc.go:4307-4346): _Grunning -> _Grunnable and dropg (in
// the caller's step), then the global queue under sched.lock, then wakep.
func (mp *m) goschedImpl(gp *g) {
	s := mp.sched
	if gp.atomicstatus.Load() != _Grunning {
		mp.throw("bad g status")
	}
	mp.casgstatus(gp, _Grunning, _Grunnable)
	mp.dropg()
	mp.lockSched("goschedImpl.lock")
	mp.step("goschedImpl.globrunqput")
	s.globrunqput(gp)
	s.unlock()
	mp.wakep()
}

// ready (proc.go:1120-1140): the status check and the CAS _Gwaiting ->
// _Grunnable are one step; then runqput and wakep.
func (mp *m) ready(gp *g, next bool) {
	mp.step("ready.casgstatus")
	if gp.atomicstatus.Load()&^_Gscan != _Gwaiting {
		mp.throw("bad g->status in ready")
	}
	mp.casgstatus(gp, _Gwaiting, _Grunnable)
	mp.runqput(mp.p.Load(), gp, next)
	mp.wakep()
}

// runqput (proc.go:7478-7520) through impl/runq. Its steps: the runnext
// CAS ("runqput.runnext"; without next, the ring put is in this step),
// the kicked G's ring put ("runqput.tail", at runq.SiteRunqputKick), and
// runqputslow's global put under sched.lock (runqputslowGlobal).
func (mp *m) runqput(pp *p, gp *g, next bool) {
	mp.step("runqput.runnext")
	pp.runq.Put(gp.goid, next)
}

// runqputslowGlobal is runqputslow's "lock(&sched.lock);
// globrunqputbatch(&q); unlock(&sched.lock)" (proc.go:7553-7557), handed
// to impl/runq as Config.Overflow. In the step modes the M is the one in
// its step ("runqput.tail", which took the batch with its CAS).
func (s *Sched) runqputslowGlobal(batch []runq.G) {
	if !s.free() {
		mp := s.h.cur
		mp.lockSched("runqputslow.lock")
		mp.step("runqputslow.globrunqputbatch")
	} else {
		s.lock.mu.Lock()
	}
	for _, id := range batch {
		s.globrunqput(s.gByID(id))
	}
	s.unlock()
}

// globrunqput (proc.go:7249-7255); sched.lock is held.
func (s *Sched) globrunqput(gp *g) {
	s.runq.pushBack(gp)
	s.runqn.Add(1)
}

// globrunqget (proc.go:7281-7291); sched.lock is held.
func (s *Sched) globrunqget() *g {
	gp := s.runq.pop()
	if gp != nil {
		s.runqn.Add(-1)
	}
	return gp
}

// globrunqgetbatch (proc.go:7293-7310); sched.lock is held. The bug
// switches globrunqget-no-cap and globrunqget-no-plus-one corrupt its
// bound as the spec's do.
func (mp *m) globrunqgetbatch(n int32) (gp *g, q []*g) {
	s := mp.sched
	size := s.runq.size
	if size == 0 {
		return nil, nil
	}
	switch {
	case s.bug(bugGlobrunqgetNoCap):
		n = min(7, size, size/s.gomaxprocs+1) // n = min(size, size/gomaxprocs+1), bounded as the spec's
	case s.bug(bugGlobrunqgetNoPlusOne) && size/s.gomaxprocs == 0:
		return nil, nil
	default:
		n = min(n, size, size/s.gomaxprocs+1)
	}
	gp = s.globrunqget()
	n--
	for ; n > 0; n-- {
		q = append(q, s.globrunqget())
	}
	return gp, q
}

// runqputbatch (proc.go:7565-7592) puts q on pp's local queue and returns
// what did not fit.
func runqputbatch(pp *p, q []*g) []*g {
	ids := make([]runq.G, len(q))
	for i, gp := range q {
		ids[i] = gp.goid
	}
	rest := pp.runq.PutBatch(ids)
	return q[len(q)-len(rest):]
}
