package sched

import (
	"time"
)

// sysmon (proc.go:6486-6617), the monitor thread: it runs without a P and
// loops: sleep a little, sleep deeply on sched.sysmonnote while every P is
// idle, poll the network if no one has for 10ms, retake Ps from long
// syscalls and preempt long-running Gs, and inject the forcegc helper when
// a GC is due. Each "10ms have passed" is a decision: by the clock in
// ModeRun, a choice in the spec and in the other modes.

const forcePreemptNS = 10 * 1000 * 1000 // 10ms (proc.go:6626)

func (mp *m) sysmon() {
	s := mp.sched
	mp.lockSched("sysmon.lock")
	mp.step("sysmon.nmsys")
	s.nmsys++
	mp.checkdead()
	s.unlock()

	idle := 0 // how many cycles in succession we had not wokeup somebody
	delay := uint32(0)
	for {
		if idle == 0 { // start with 20us sleep...
			delay = 20
		} else if idle > 50 { // start doubling the sleep after 1ms...
			delay *= 2
		}
		if delay > 10*1000 { // up to 10ms
			delay = 10 * 1000
		}
		mp.pause("sysmon.npidle?")
		mp.usleep(delay)
		mp.checkOver()
		mp.step("sysmon.npidle?")
		if s.npidle.Load() == s.gomaxprocs {
			mp.lockSched("sysmon.deep.lock")
			mp.step("sysmon.sysmonwait")
			if s.npidle.Load() == s.gomaxprocs {
				s.sysmonwait.Store(true)
				s.unlock()
				mp.pause("notetsleep(sysmonnote)")
				syscallWake := s.sysmonnote.TSleep(mp.deepSleep())
				mp.checkOver()
				mp.step("notetsleep(sysmonnote)")
				mp.lockSched("sysmon.wake.lock")
				mp.step("sysmon.noteclear")
				s.sysmonwait.Store(false)
				s.sysmonnote.Clear()
				if syscallWake {
					idle = 0
					delay = 20
				}
			}
			s.unlock()
		}
		now := nanotime()
		// poll network if not polled for more than 10ms
		if s.cfg.Netpoll {
			mp.step("sysmon.netpoll(0)")
			lastpoll := s.lastpoll.Load()
			n, run := 1, 0
			if lastpoll != 0 && !s.free() && s.np.anyReady() {
				n = 2
			}
			if lastpoll != 0 && lastpoll+10*1000*1000 < now {
				run = 1
			}
			if mp.decide(n, run) == 1 {
				s.lastpoll.CompareAndSwap(lastpoll, now)
				list, delta := s.netpoll() // non-blocking
				if len(list) > 0 {
					// Pretend one more M runs while injecting, so that
					// checkdead does not see a deadlock in the middle
					// (proc.go:6572-6583).
					mp.lockSched("sysmon.incidlelocked(-1).lock")
					mp.step("sysmon.incidlelocked(-1)")
					s.nmidlelocked--
					s.unlock()
					mp.injectglist(list)
					mp.lockSched("sysmon.incidlelocked(+1).lock")
					mp.step("sysmon.incidlelocked(+1)")
					s.nmidlelocked++
					mp.checkdead()
					s.unlock()
					mp.netpollAdjustWaiters(delta)
				}
			}
		}
		// retake P's blocked in syscalls and preempt long running G's
		if mp.retake(now) != 0 {
			idle = 0
		} else {
			idle++
		}
		if s.cfg.Forcegc {
			mp.sysmonForcegc()
		}
	}
}

// usleep is sysmon's nap between rounds: real in ModeRun, a short random
// pause otherwise (time is a choice in the spec).
func (mp *m) usleep(us uint32) {
	if mp.sched.free() {
		time.Sleep(time.Duration(us) * time.Microsecond)
		return
	}
	if mp.sched.cfg.Mode == ModeLog {
		time.Sleep(time.Duration(mp.fastrand()%40) * time.Microsecond)
	}
}

// deepSleep is how long sysmon sleeps on sysmonnote: forcegcperiod/2
// (proc.go:6533-6537) in ModeRun; a short random time otherwise, since the
// spec's timeout may fire at any moment.
func (mp *m) deepSleep() time.Duration {
	switch {
	case mp.sched.free():
		return time.Minute
	case mp.sched.cfg.Mode == ModeLog:
		return time.Duration(mp.fastrand()%200) * time.Microsecond
	}
	return 0
}

// retake (proc.go:6630-6725), one P per "retake.status" step. For a
// running P: if its G ran too long, preemptone; then incidlelocked(-1),
// setBlockOnExitSyscall, and if the G is in a syscall, resume it (a recent
// syscall with nothing waiting) or take the P and hand it off; then
// incidlelocked(+1), which runs checkdead. The spec's choice of the step
// numbers, for each P not yet looked at in index order, two choices (not
// too long, too long) for a running P and one for another.
func (mp *m) retake(now int64) uint32 {
	s := mp.sched
	n := 0
	all := uint64(1)<<s.gomaxprocs - 1
	var visited uint64
	for visited != all {
		mp.step("retake.status")
		pp, tooLong := mp.retakeChoice(visited, now)
		visited |= 1 << pp.id
		if pp.status.Load() != _Prunning {
			continue
		}
		sysretake := false
		if tooLong {
			// Preempt G if it's running on the same schedtick for too
			// long. If pp is in a syscall, preemptone doesn't work: we
			// need to take the P ourselves (sysretake).
			sysretake = true
			if mp.mayPreempt(pp) {
				mp.preemptone(pp)
			}
		}
		// incidlelocked(-1): pretend one more M runs before we take
		// the P (proc.go:6676-6683).
		mp.lockSched("retake.incidlelocked(-1).lock")
		mp.step("retake.incidlelocked(-1)")
		if s.bug(bugRetakeIncidlelockedSign) {
			s.nmidlelocked++
		} else {
			s.nmidlelocked--
		}
		s.unlock()

		// Try to prevent the P from continuing in the syscall, if it's
		// in one at all.
		thread, ok := mp.setBlockOnExitSyscall(pp)
		mp.step("retake.syscall?")
		if ok {
			pd := &pp.sysmontick
			mayResume := !sysretake || pp.runq.Empty() && s.nmspinning.Load()+s.npidle.Load() > 0
			run := 1
			if syst := pp.syscalltick.Load(); !sysretake && pd.syscalltick != syst {
				pd.syscalltick = syst
				pd.syscallwhen = now
				run = 0
			} else if pp.runq.Empty() && s.nmspinning.Load()+s.npidle.Load() > 0 && pd.syscallwhen+10*1000*1000 > now {
				run = 0
			}
			if mayResume && mp.decide(2, run) == 0 {
				mp.step("retake.resume")
				mp.resume(thread)
			} else {
				// Take the P. Note: because we have the scan bit, the
				// goroutine is at worst stuck spinning in exitsyscall.
				mp.step("retake.takeP")
				mp.takeP(thread)
				mp.step("retake.takeP.resume")
				mp.resume(thread)
				n++
				// Handoff the P for some other thread to run it.
				mp.handoffp(pp)
			}
		}
		mp.lockSched("retake.incidlelocked(+1).lock")
		mp.step("retake.incidlelocked(+1)")
		s.nmidlelocked++
		mp.checkdead()
		s.unlock()
	}
	return uint32(n)
}

// retakeChoice picks the P retake looks at next and whether its G ran too
// long: the spec's choice, or in ModeRun allp's order and the clock
// (proc.go:6653-6667).
func (mp *m) retakeChoice(visited uint64, now int64) (*p, bool) {
	s := mp.sched
	total, run := 0, -1
	for _, pp := range s.allp {
		if visited&(1<<pp.id) != 0 {
			continue
		}
		k := 1
		if pp.status.Load() == _Prunning {
			k = 2
		}
		if run < 0 {
			run = total
			if k == 2 {
				pd := &pp.sysmontick
				if schedt := pp.schedtick.Load(); pd.schedtick != schedt {
					pd.schedtick = schedt
					pd.schedwhen = now
				} else if pd.schedwhen+forcePreemptNS <= now {
					run++
				}
			}
		}
		total += k
	}
	ch := mp.decide(total, run)
	for _, pp := range s.allp {
		if visited&(1<<pp.id) != 0 {
			continue
		}
		k := 1
		if pp.status.Load() == _Prunning {
			k = 2
		}
		if ch < k {
			return pp, ch == 1
		}
		ch -= k
	}
	panic("retake: no P left")
}

// mayPreempt reports whether a preemption request to pp's G could ever be
// seen: the spec makes requests only to Gs with a compute instruction
// ahead (or the forcegc helper), a reduction that changes no behaviour,
// and the twin follows it so that the two stay comparable (a request to
// any other G is cleared by its next execute unseen).
func (mp *m) mayPreempt(pp *p) bool {
	mp2 := pp.m.Load()
	if mp2 == nil {
		return false
	}
	gp := mp2.curg.Load()
	if gp == nil {
		return false
	}
	if gp.prog == nil {
		return true
	}
	for _, in := range gp.prog.Code[min(int(gp.pc.Load()), len(gp.prog.Code)):] {
		if in.Op == OpCompute {
			return true
		}
	}
	return false
}

// preemptone (proc.go:6866-6895): read pp.m, its curg and the G's status,
// then set gp.preempt. The G may have changed in between: a stale request
// is harmless.
func (mp *m) preemptone(pp *p) bool {
	mp.step("preemptone.read")
	mp2 := pp.m.Load()
	if mp2 == nil || mp2 == mp {
		return false
	}
	gp := mp2.curg.Load()
	if gp == nil || gp.atomicstatus.Load()&^_Gscan == _Gsyscall {
		return false
	}
	mp.step("preemptone.preempt")
	gp.preempt.Store(true)
	return true
}

// sysmonForcegc: "check if we need to force a GC" (proc.go:6603-6610): if
// a GC is due (a choice; in ModeRun never: forcegcperiod is 2 minutes)
// and the helper is idle, lock forcegc.lock, clear idle and inject the
// helper.
func (mp *m) sysmonForcegc() {
	s := mp.sched
	mp.step("sysmon.forcegc?")
	n := 1
	if s.forcegc.idle.Load() {
		n = 2
	}
	if mp.decide(n, 0) != 1 {
		return
	}
	mp.lockForcegc("sysmon.forcegc.lock")
	if !s.bug(bugForcegcKeepsIdle) {
		s.forcegc.idle.Store(false)
	}
	mp.injectglist([]*g{s.forcegc.g})
	mp.step("sysmon.forcegc.unlock")
	s.unlockForcegc()
}

// checkdead (proc.go:6367-6469), sched.lock held: if no M is running, the
// user goroutines are deadlocked. Its fatal errors end the run; the M
// finishes its step first, as checkdead's callers do in the spec.
func (mp *m) checkdead() {
	s := mp.sched
	nmsys := s.nmsys
	if s.bug(bugCheckdeadNoNmsys) {
		nmsys = 0
	}
	run := s.mnext + int64(s.mwait) - int64(s.nmidle) - int64(s.nmidlelocked) - int64(nmsys)
	if s.bug(bugCheckdeadNoMcount) {
		run -= s.mnext + int64(s.mwait) // mcount() dropped
	}
	if run > 0 {
		return
	}
	if run < 0 {
		mp.fatal("checkdead: inconsistent counts", false)
		return
	}
	grunning := 0
	for _, gp := range s.gs() {
		if gp.system {
			continue
		}
		switch gp.atomicstatus.Load() &^ _Gscan {
		case _Gwaiting, Gpreempted:
			if !s.bug(bugCheckdeadNoWaiting) {
				grunning++
			}
		case _Grunnable, _Grunning, _Gsyscall:
			mp.fatal("checkdead: runnable g", false)
			return
		}
	}
	if grunning == 0 { // possible if main goroutine calls runtime·Goexit()
		mp.fatal("no goroutines (main called runtime.Goexit) - deadlock!", true)
		return
	}
	mp.fatal("all goroutines are asleep - deadlock!", true)
}
