package sched

import (
	"runtime"
	"syscall"
	"time"
)

// System calls (proc.go reentersyscall 4627-4716, exitsyscall 4883-5025).
// A G entering a syscall keeps its P: the P stays _Prunning with p.m = m,
// and "in a syscall" is the G's _Gsyscall status. Sysmon takes the P from a
// G that stays too long, but only after winning a CAS on the G's status
// (_Gsyscall -> _Gsyscall|_Gscan, setBlockOnExitSyscall); while the scan
// bit is set the G cannot leave _Gsyscall. The system call itself is real
// and runs on the M's thread, outside any step.

// syscall runs a syscall instruction: entersyscall, the call, exitsyscall.
// It reports whether gp left the M (exitsyscallNoP), and the G to execute
// next if it found an idle P.
func (mp *m) syscall(gp *g, call func()) (again *g, gone bool) {
	s := mp.sched
	mp.leaveUser()
	mp.entersyscall(gp)
	mp.pause("exitsyscall.casgstatus")
	switch {
	case call != nil:
		call()
	case s.cfg.Syscall != nil:
		s.cfg.Syscall()
	default:
		nanosleep(time.Duration(2+mp.fastrand()%20) * time.Microsecond)
	}
	return mp.exitsyscall(gp)
}

// nanosleep is a real blocking system call.
func nanosleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	syscall.Nanosleep(&ts, nil)
}

// entersyscall: in the caller's "user" step, m.oldp = pp and the CAS
// _Grunning -> _Gsyscall (proc.go:4644, 4691-4693), from which on sysmon
// may take the P; then "if sched.sysmonwait.Load()" (proc.go:4710-4713).
func (mp *m) entersyscall(gp *g) {
	s := mp.sched
	pp := mp.p.Load()
	mp.syscalltick = pp.syscalltick.Load()
	mp.casgstatus(gp, _Grunning, _Gsyscall)
	mp.oldp.Store(pp)
	mp.step("reentersyscall.sysmonwait")
	if s.sysmonwait.Load() && !s.bug(bugEntersyscallNoWake) {
		// entersyscallWakeSysmon (proc.go:4746-4753).
		mp.lockSched("entersyscallWakeSysmon.lock")
		mp.step("entersyscallWakeSysmon")
		mp.wakeSysmon()
		s.unlock()
	}
}

// wakeSysmon: with sched.lock held, "if sched.sysmonwait.Load() {
// sched.sysmonwait.Store(false); notewakeup(&sched.sysmonnote) }". Clearing
// the flag in the same critical section keeps the note from a double
// wakeup.
func (mp *m) wakeSysmon() {
	s := mp.sched
	if s.sysmonwait.Load() {
		if !s.bug(bugWakeSysmonKeepsWait) {
			s.sysmonwait.Store(false)
		}
		if err := s.sysmonnote.Wakeup(); err != nil {
			mp.throw(err.Error())
		}
	}
}

// exitsyscall (proc.go:4883-5025). It reports whether gp left the M.
func (mp *m) exitsyscall(gp *g) (again *g, gone bool) {
	s := mp.sched
	var oldp *p
	if s.free() {
		oldp = mp.oldp.Swap(nil)
		// casgstatus spins while sysmon holds the scan bit.
		if !(s.bug(bugExitsyscallNoCas) && mp.p.Load() != nil) {
			for !gp.atomicstatus.CompareAndSwap(_Gsyscall, _Grunning) {
				runtime.Gosched() // osyield
				mp.checkOver()
			}
		}
	} else {
		// The step is enabled only while the scan bit is clear.
		mp.stepWhen("exitsyscall.casgstatus", func() bool {
			st := gp.atomicstatus.Load()
			return st == _Gsyscall || s.bug(bugExitsyscallIgnoresScan) && st&^_Gscan == _Gsyscall
		})
		// Grab and clear our old P: proc.go does it right after the CAS,
		// the spec's step before it, which only a throwing CAS can tell.
		oldp = mp.oldp.Swap(nil)
		if mp.p.Load() == nil || !s.bug(bugExitsyscallNoCas) {
			if s.free() { // released while at the step point
				for !gp.atomicstatus.CompareAndSwap(_Gsyscall, _Grunning) {
					runtime.Gosched()
				}
			} else {
				mp.casgstatus(gp, _Gsyscall, _Grunning)
			}
		}
	}
	if pp := mp.p.Load(); pp != nil && !s.bug(bugExitsyscallSlowWithP) {
		// Fast path: we still have our P.
		pp.syscalltick.Add(1)
		mp.userStart = time.Now()
		return nil, false
	}
	// Slow path: we lost our P. Try to get another one.
	if pp := mp.exitsyscallTryGetP(oldp); pp != nil {
		mp.step("exitsyscall.acquirep")
		mp.acquirep(pp)
		pp.syscalltick.Add(1)
		mp.userStart = time.Now()
		return nil, false
	}
	return mp.exitsyscallNoP(gp), true
}

// exitsyscallTryGetP (proc.go:5033-5059): take the old P back from
// whoever holds it in a syscall, else an idle P.
func (mp *m) exitsyscallTryGetP(oldp *p) *p {
	s := mp.sched
	thread, ok := mp.setBlockOnExitSyscall(oldp)
	mp.step("exitsyscallTryGetP.takeP")
	if ok {
		mp.takeP(thread)
		mp.step("exitsyscallTryGetP.resume")
		mp.resume(thread)
		return oldp
	}
	// Try to get an idle P.
	if s.pidle.Load() != nil {
		mp.lockSched("exitsyscallTryGetP.lock")
		mp.step("exitsyscallTryGetP.pidleget")
		pp := mp.pidleget()
		if pp != nil {
			mp.wakeSysmon()
		}
		s.unlock()
		if pp != nil {
			return pp
		}
	}
	return nil
}

// exitsyscallNoP (proc.go:5067-5116): failed to acquire a P; enqueue gp as
// runnable. It returns gp if it got an idle P after all (execute it), or
// nil once the M, parked and woken, should schedule.
func (mp *m) exitsyscallNoP(gp *g) *g {
	s := mp.sched
	mp.step("exitsyscallNoP.casgstatus")
	mp.casgstatus(gp, _Grunning, _Grunnable)
	mp.dropg()
	mp.lockSched("exitsyscallNoP.lock")
	mp.step("exitsyscallNoP.pidleget")
	pp := mp.pidleget()
	if pp == nil {
		s.globrunqput(gp)
	} else {
		mp.wakeSysmon()
	}
	s.unlock()
	if pp != nil {
		mp.step("exitsyscallNoP.acquirep")
		mp.acquirep(pp)
		return gp
	}
	mp.stopm()
	return nil
}

// A syscallingThread is a thread in a system call that temporarily cannot
// advance out of it (proc.go:6741-6748).
type syscallingThread struct {
	gp     *g
	mp     *m
	pp     *p
	status uint32
}

// setBlockOnExitSyscall (proc.go:6750-6794): read pp's status, its M, that
// M's G and the G's status (one step of racy reads), CAS the scan bit on,
// and validate that the G is still that M's and the M still has pp.
func (mp *m) setBlockOnExitSyscall(pp *p) (syscallingThread, bool) {
	mp.step("setBlockOnExitSyscall.read")
	if pp.status.Load() != _Prunning {
		return syscallingThread{}, false
	}
	mp2 := pp.m.Load()
	if mp2 == nil {
		return syscallingThread{}, false
	}
	gp := mp2.curg.Load()
	if gp == nil {
		return syscallingThread{}, false
	}
	status := gp.atomicstatus.Load() &^ _Gscan
	if status != _Gsyscall {
		return syscallingThread{}, false
	}
	mp.step("setBlockOnExitSyscall.castogscanstatus")
	if !gp.atomicstatus.CompareAndSwap(status, status|_Gscan) {
		return syscallingThread{}, false
	}
	mp.step("setBlockOnExitSyscall.validate")
	if gp.m.Load() != mp2 || mp2.p.Load() != pp {
		gp.atomicstatus.Store(status) // casfrom_Gscanstatus
		return syscallingThread{}, false
	}
	return syscallingThread{gp, mp2, pp, status}, true
}

// takeP (releaseP(_Pidle), proc.go:6810-6831) by the holder of the scan
// bit: the P is now the caller's, neither idle nor running.
func (mp *m) takeP(t syscallingThread) {
	t.pp.m.Store(nil)
	t.mp.p.Store(nil)
	t.pp.status.Store(_Pidle)
	t.pp.syscalltick.Add(1)
	if mp.sched.bug(bugTakePResumes) {
		t.gp.atomicstatus.Store(t.status) // takeP resumes; its caller resumes again
	}
}

// resume (proc.go:6834-6836): casfrom_Gscanstatus.
func (mp *m) resume(t syscallingThread) {
	if !t.gp.atomicstatus.CompareAndSwap(t.status|_Gscan, t.status) {
		mp.throw("casfrom_Gscanstatus: gp->status is not in scan state")
	}
}
