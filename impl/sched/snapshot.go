package sched

import (
	"fmt"
	"sort"
	"strings"
)

// A Snapshot is the twin's shared state at the end of a step, read under
// the step lock: what the spec's State holds outside the Ms' locals. Gs,
// Ms and Ps are by index; a reference to none is -1.
type Snapshot struct {
	Ps    []PState
	Ms    []MState // every M created so far, by id
	Gs    []GState
	Objs  []ObjState
	Sched SchedState

	Throw  string // the throw the run ended with
	ThrowM int
	Report string // checkdead's fatal error
	Exited bool   // main returned
}

// A PState is a P.
type PState struct {
	Status  uint32
	M       int
	Runq    []int // oldest first
	Runnext int
}

// An MState is an M.
type MState struct {
	Created        bool // false for an id reserved but not yet created
	P, NextP, OldP int
	CurG           int
	Spinning       bool
	Park           bool // m.park's key is set
	Started        bool // mstart1 ran
	SpinStart      bool // it will run mspinning when it starts
	At             string
}

// A GState is a G.
type GState struct {
	Status  uint32 // runtime2.go's numbering, Gscan included
	M       int
	Preempt bool
	PC      int
	Wait    uint32 // Wait*, while waiting
}

// An ObjState is a wait object.
type ObjState struct {
	Lock    int   // the M holding its lock
	Waiters []int // the Gs parked on it, by index
	Tokens  int
}

// A SchedState is sched.
type SchedState struct {
	Lock           int   // the M holding sched.lock
	Midle          []int // top first
	NMidle         int32
	NMidleLocked   int32
	MCount         int64 // sched.mnext
	MWait          int32
	NMSys          int32
	NMSpinning     int32
	NeedSpinning   bool
	Pidle          []int // top first
	NPidle         int32
	Runq           []int
	SysmonWait     bool
	SysmonNote     bool
	LastPoll       bool // sched.lastpoll != 0
	PollUntil      bool
	NetpollWaiters int32
	NetReady       []int // Gs whose descriptor is ready and not yet polled, by index
	NetBreak       bool
	ForcegcIdle    bool
	ForcegcLock    int
}

func mIndex(mp *m) int {
	if mp == nil {
		return -1
	}
	return mp.id
}

func pIndex(pp *p) int {
	if pp == nil {
		return -1
	}
	return pp.id
}

func gIndex(gp *g) int {
	if gp == nil {
		return -1
	}
	return gp.id
}

// snapshot reads the shared state. The caller holds the step lock (or the
// controller's turn), so nothing changes under it.
func (s *Sched) snapshot() *Snapshot {
	sn := &Snapshot{ThrowM: -1}
	for _, pp := range s.allp {
		next, ring := pp.runq.Snapshot()
		ps := PState{Status: pp.status.Load(), M: mIndex(pp.m.Load()), Runnext: int(next) - 1, Runq: make([]int, len(ring))}
		for i, g := range ring {
			ps.Runq[i] = int(g) - 1
		}
		sn.Ps = append(sn.Ps, ps)
	}
	for _, mp := range s.ms() {
		if mp == nil {
			sn.Ms = append(sn.Ms, MState{P: -1, NextP: -1, OldP: -1, CurG: -1})
			continue
		}
		ms := MState{Created: true,
			P: pIndex(mp.p.Load()), NextP: pIndex(mp.nextp.Load()), OldP: pIndex(mp.oldp.Load()),
			CurG: gIndex(mp.curg.Load()), Spinning: mp.spinning.Load(), Park: mp.park.Woken(),
			Started: mp.started.Load(), SpinStart: mp.spinStart.Load(),
		}
		if at := mp.at.Load(); at != nil {
			ms.At = *at
		}
		sn.Ms = append(sn.Ms, ms)
	}
	for _, gp := range s.gs() {
		gs := GState{Status: gp.atomicstatus.Load(), M: mIndex(gp.m.Load()), Preempt: gp.preempt.Load(), PC: int(gp.pc.Load())}
		if gs.Status&^_Gscan == _Gwaiting {
			gs.Wait = gp.waiting.Load()
		}
		sn.Gs = append(sn.Gs, gs)
	}
	for _, o := range s.objs {
		os := ObjState{Lock: int(o.lock.owner.Load()) - 1, Tokens: o.tokens}
		for _, w := range o.waiters {
			os.Waiters = append(os.Waiters, w.id)
		}
		sort.Ints(os.Waiters)
		sn.Objs = append(sn.Objs, os)
	}
	sc := &sn.Sched
	sc.Lock = int(s.lock.owner.Load()) - 1
	for mp := s.midle; mp != nil; mp = mp.schedlink {
		sc.Midle = append(sc.Midle, mp.id)
	}
	sc.NMidle, sc.NMidleLocked, sc.MCount, sc.MWait, sc.NMSys = s.nmidle, s.nmidlelocked, s.mnext, s.mwait, s.nmsys
	sc.NMSpinning, sc.NeedSpinning = s.nmspinning.Load(), s.needspinning.Load() != 0
	for pp := s.pidle.Load(); pp != nil; pp = pp.link {
		sc.Pidle = append(sc.Pidle, pp.id)
	}
	sc.NPidle = s.npidle.Load()
	for gp := s.runq.head; gp != nil; gp = gp.schedlink {
		sc.Runq = append(sc.Runq, gp.id)
	}
	sc.SysmonWait, sc.SysmonNote = s.sysmonwait.Load(), s.sysmonnote.Woken()
	sc.LastPoll, sc.PollUntil = s.lastpoll.Load() != 0, s.pollUntil.Load() != 0
	sc.NetpollWaiters = s.netpollWaiters.Load()
	sc.NetReady, sc.NetBreak = s.np.view()
	if fg := s.forcegc.g; fg != nil {
		sc.ForcegcIdle = s.forcegc.idle.Load()
	}
	sc.ForcegcLock = int(s.forcegc.lock.owner.Load()) - 1
	s.endMu.Lock()
	sn.Throw, sn.Report, sn.Exited = s.throwMsg, s.report, s.exited
	if sn.Throw != "" {
		sn.ThrowM = s.throwM
	}
	s.endMu.Unlock()
	return sn
}

var gStatusNames = map[uint32]string{
	_Gidle: "idle", _Grunnable: "runnable", _Grunning: "running", _Gsyscall: "syscall",
	_Gwaiting: "waiting", _Gdead: "dead", Gpreempted: "preempted",
}

func ref(kind string, i int) string {
	if i < 0 {
		return "nil"
	}
	return fmt.Sprintf("%s%d", kind, i)
}

func refs(kind string, is []int) string {
	var b []string
	for _, i := range is {
		b = append(b, ref(kind, i))
	}
	return "[" + strings.Join(b, " ") + "]"
}

// String renders the snapshot like GODEBUG=schedtrace=1,scheddetail=1, in
// the twin's own terms (spec/twin_sched_test.go prints it in the spec's).
func (sn *Snapshot) String() string {
	var b strings.Builder
	sc := &sn.Sched
	fmt.Fprintf(&b, "SCHED: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d needspinning=%v idlethreads=%d runqueue=%s nmidlelocked=%d nmsys=%d sysmonwait=%v lock=%s pidle=%s midle=%s\n",
		len(sn.Ps), sc.NPidle, sc.MCount, sc.NMSpinning, sc.NeedSpinning, sc.NMidle, refs("g", sc.Runq), sc.NMidleLocked, sc.NMSys, sc.SysmonWait, ref("m", sc.Lock), refs("P", sc.Pidle), refs("m", sc.Midle))
	for i, ps := range sn.Ps {
		st := "idle"
		if ps.Status == _Prunning {
			st = "running"
		}
		fmt.Fprintf(&b, "  P%d: status=%s m=%s runq=%s runnext=%s\n", i, st, ref("m", ps.M), refs("g", ps.Runq), ref("g", ps.Runnext))
	}
	for i, ms := range sn.Ms {
		if !ms.Created {
			continue
		}
		fmt.Fprintf(&b, "  M%d: p=%s nextp=%s curg=%s spinning=%v park=%v at %s\n", i, ref("P", ms.P), ref("P", ms.NextP), ref("g", ms.CurG), ms.Spinning, ms.Park, ms.At)
	}
	for i, gs := range sn.Gs {
		st := gStatusNames[gs.Status&^_Gscan]
		if gs.Status&_Gscan != 0 {
			st += "+scan"
		}
		fmt.Fprintf(&b, "  G%d: status=%s m=%s pc=%d", i, st, ref("m", gs.M), gs.PC)
		if gs.Status&^_Gscan == _Gwaiting {
			fmt.Fprintf(&b, " wait=%d", gs.Wait)
		}
		if gs.Preempt {
			b.WriteString(" preempt")
		}
		b.WriteByte('\n')
	}
	for k, o := range sn.Objs {
		if o.Lock >= 0 || len(o.Waiters) > 0 || o.Tokens > 0 {
			fmt.Fprintf(&b, "  obj%d: lock=%s waiters=%s wakeups=%d\n", k, ref("m", o.Lock), refs("g", o.Waiters), o.Tokens)
		}
	}
	switch {
	case sn.Throw != "":
		fmt.Fprintf(&b, "fatal error: %s (m%d)\n", sn.Throw, sn.ThrowM)
	case sn.Report != "":
		fmt.Fprintf(&b, "fatal error: %s\n", sn.Report)
	case sn.Exited:
		b.WriteString("exit: main returned\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
