package spec

import (
	"fmt"
	"strings"
)

// Presentation: states in the style of GODEBUG=schedtrace=1,scheddetail=1
// (proc.go schedtrace), and steps as the fields they changed, in the
// runtime's names.

var gStatusNames = map[uint8]string{
	_Gidle: "idle", _Grunnable: "runnable", _Grunning: "running", _Gsyscall: "syscall",
	_Gwaiting: "waiting", _Gdead: "dead", _Gpreempted: "preempted",
}

func gStatusName(st uint8) string {
	s := gStatusNames[st&^_Gscan]
	if st&_Gscan != 0 {
		s += "+scan"
	}
	return s
}

var pStatusNames = map[uint8]string{_Pidle: "idle", _Prunning: "running", _Psyscall: "syscall", _Pgcstop: "gcstop"}

func (m *Model) pName(ref uint8) string {
	if ref == 0 {
		return "nil"
	}
	return fmt.Sprintf("P%d", ref-1)
}

func (m *Model) mRef(ref uint8) string {
	if ref == 0 {
		return "nil"
	}
	return m.mName(int(ref) - 1)
}

func (m *Model) gRef(ref uint8) string {
	if ref == 0 {
		return "nil"
	}
	return m.gName(int(ref) - 1)
}

func (m *Model) gList(refs []uint8) string {
	var b []string
	for _, r := range refs {
		if r != 0 {
			b = append(b, m.gRef(r))
		}
	}
	return "[" + strings.Join(b, " ") + "]"
}

func (m *Model) gMask(mask uint8) string {
	var b []string
	for ; mask != 0; mask &= mask - 1 {
		b = append(b, m.gName(nthBit(mask, 0)))
	}
	return "{" + strings.Join(b, " ") + "}"
}

// fields renders s as ordered name=value pairs; FormatState prints them
// grouped, FormatStep prints the ones that changed.
func (m *Model) fields(s *State) [][2]string {
	c := m.C
	var f [][2]string
	add := func(k, v string) { f = append(f, [2]string{k, v}) }
	sc := &s.Sched
	add("sched.lock", m.mRef(sc.Lock))
	add("npidle", fmt.Sprint(sc.NPidle))
	var pidle []string
	for _, p := range sc.Pidle {
		if p != 0 {
			pidle = append(pidle, m.pName(p))
		}
	}
	add("pidle", "["+strings.Join(pidle, " ")+"]")
	add("nmspinning", fmt.Sprint(sc.NMSpinning))
	add("needspinning", fmt.Sprint(b2u(sc.NeedSpinning)))
	add("nmidle", fmt.Sprint(sc.NMidle))
	var midle []string
	for _, x := range sc.Midle {
		if x != 0 {
			midle = append(midle, m.mRef(x))
		}
	}
	add("midle", "["+strings.Join(midle, " ")+"]")
	add("nmidlelocked", fmt.Sprint(sc.NMidleLocked))
	add("mcount", fmt.Sprint(sc.MNext))
	if sc.MWait != 0 {
		add("mcount.waiting", fmt.Sprint(sc.MWait))
	}
	add("nmsys", fmt.Sprint(sc.NMSys))
	add("runqueue", m.gList(sc.Runq[:sc.RunqN]))
	add("sysmonwait", fmt.Sprint(sc.SysmonWait))
	add("sysmonnote", fmt.Sprint(sc.SysmonNote))
	add("lastpoll", map[bool]string{true: "set", false: "0 (polling)"}[sc.LastPoll])
	add("pollUntil", fmt.Sprint(b2u(sc.PollUntil)))
	if c.Netpoll {
		add("netpollWaiters", fmt.Sprint(sc.NetpollWaiters))
		add("netready", m.gMask(sc.NetReady))
		add("netpollBreak", fmt.Sprint(sc.NetBreak))
	}
	if c.Forcegc {
		add("forcegc.idle", fmt.Sprint(sc.ForcegcIdle))
		add("forcegc.lock", m.mRef(sc.ForcegcLock))
	}
	if c.STW {
		w := &s.World
		add("gcwaiting", fmt.Sprint(w.GCWaiting))
		add("stopwait", fmt.Sprint(w.StopWait))
		add("stopnote", fmt.Sprint(w.StopNote))
		add("worldStopped", fmt.Sprint(w.Stopped))
		add("worldsema", m.mRef(w.Stopper))
		add("safePointFn", map[bool]string{true: "set", false: "nil"}[w.SafePointFn])
		add("safePointWait", fmt.Sprint(w.SafePointWait))
		add("safePointNote", fmt.Sprint(w.SafePointNote))
		add("runSafePointFn", m.pMask(w.RunSafePointFn))
		add("gcphase", gcPhaseNames[w.GCPhase])
	}
	if c.GCWork {
		w := &s.World
		add("gcBlackenEnabled", fmt.Sprint(b2u(w.GCBlacken)))
		add("markwork", fmt.Sprint(w.MarkWork))
		add("markWaiter", m.gRef(w.MarkWaiter))
	}
	for k := 0; k < MaxObj; k++ {
		if sc.ObjLock[k] != 0 || sc.ObjWait[k] != 0 || sc.ObjTokens[k] != 0 {
			add(fmt.Sprintf("obj%d", k), fmt.Sprintf("lock=%s waiters=%s wakeups=%d", m.mRef(sc.ObjLock[k]), m.gMask(sc.ObjWait[k]), sc.ObjTokens[k]))
		}
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		k := fmt.Sprintf("P%d", p)
		add(k+".status", pStatusNames[pp.Status])
		add(k+".m", m.mRef(pp.M))
		add(k+".runq", m.gList(pp.Runq[:pp.RunqN]))
		add(k+".runnext", m.gRef(pp.Runnext))
		if c.Timers {
			add(k+".timers", m.gMask(pp.Timers))
		}
	}
	for i := 0; i < c.nm(); i++ {
		mm := &s.M[i]
		if !mm.Created {
			continue
		}
		k := m.mName(i)
		add(k+".at", m.where(mm))
		add(k+".p", m.pName(mm.P))
		add(k+".nextp", m.pName(mm.NextP))
		add(k+".oldp", m.pName(mm.OldP))
		add(k+".curg", m.gRef(mm.CurG))
		add(k+".spinning", fmt.Sprint(mm.Spinning))
		add(k+".park", fmt.Sprint(mm.Park))
		// Locals, each only while set.
		local := func(name, v string, set bool) {
			if set {
				add(k+"."+name, v)
			}
		}
		local("pp", m.pName(mm.LP), mm.LP != 0)
		local("mp", m.mRef(mm.LM), mm.LM != 0)
		gp := "gp"
		if pc(mm.PC) == pcStealRunnext {
			gp = "next" // runqgrab's read of the victim's runnext
		}
		local(gp, m.gRef(mm.LG), mm.LG != 0)
		local("gp2", m.gRef(mm.LG2), mm.LG2 != 0)
		local("list", m.gMask(mm.List|mm.List2), mm.List|mm.List2 != 0)
		local("batch", m.gList(mm.Q[:mm.QN]), mm.QN != 0)
		local("n", fmt.Sprint(mm.N), mm.N != 0)
		local("delta", fmt.Sprint(mm.Delta), mm.Delta != 0)
		local("visited", m.pMask(mm.Visited), mm.Visited != 0)
		local("flags", flagNames(mm.Flags), mm.Flags != 0)
	}
	for g := 0; g < c.ng(); g++ {
		gs := &s.G[g]
		k := m.gName(g)
		v := gStatusName(gs.Status)
		if gs.M != 0 {
			v += " m=" + m.mRef(gs.M)
		}
		if gs.Preempt {
			v += " preempt"
		}
		if gs.Status&^_Gscan == _Gwaiting {
			v += " on " + waitName(gs.Wait)
		}
		if gs.Expired {
			v += " timer-fired"
		}
		if c.isUser(g) {
			v += fmt.Sprintf(" pc=%d", gs.PC)
		}
		add(k, v)
	}
	if s.Throw != 0 {
		add("throw", fmt.Sprintf("%q by %s", throws[s.Throw].msg, m.mRef(s.ThrowM)))
	}
	switch s.Report {
	case reportAllAsleep:
		add("fatal", "all goroutines are asleep - deadlock!")
	case reportNoGoroutines:
		add("fatal", "no goroutines (main called runtime.Goexit) - deadlock!")
	}
	if s.Exited {
		add("exit", "main returned")
	}
	return f
}

func (m *Model) pMask(mask uint8) string {
	var b []string
	for ; mask != 0; mask &= mask - 1 {
		b = append(b, fmt.Sprintf("P%d", nthBit(mask, 0)))
	}
	return "{" + strings.Join(b, " ") + "}"
}

var gcPhaseNames = [...]string{gcOff: "off", gcSweepTerm: "sweep termination", gcMark: "mark", gcMarkDone: "mark done", gcMarkTerm: "mark termination"}

func waitName(w uint8) string {
	switch {
	case w == waitNone:
		return "(committing)"
	case w >= waitObj && w < waitObj+MaxObj:
		return fmt.Sprintf("obj%d", w-waitObj)
	case w == waitNet:
		return "netpoll"
	case w == waitTimer:
		return "timer"
	case w == waitForcegc:
		return "forcegc"
	case w == waitPolled:
		return "netpoll (returned)"
	case w == waitSTW:
		return "its M (stopping the world, or forEachP)"
	case w == waitGCMark:
		return "the mark phase (gcWaitOnMark)"
	}
	return "?"
}

var flagNameList = []string{"spinarg", "lockheld", "wasSpinning", "pollUntil", "sysretake", "ranTimer", "inherit", "stole", "lastPass", "next", "preempted", "sbOK", "mwait", "markWorker", "safePointWait"}

func flagNames(f uint16) string {
	var b []string
	for i, n := range flagNameList {
		if f&(1<<i) != 0 {
			b = append(b, n)
		}
	}
	return strings.Join(b, ",")
}

// where names the M's step and the calls it is inside, innermost last.
func (m *Model) where(mm *M) string {
	var b []string
	for i := 0; i < int(mm.Depth); i++ {
		b = append(b, "("+steps[mm.Ret[i]].name+")")
	}
	b = append(b, steps[mm.PC].name)
	return strings.Join(b, " ")
}

// FormatState renders s like GODEBUG=schedtrace=1,scheddetail=1.
func (m *Model) FormatState(s *State) string {
	c := m.C
	sc := &s.Sched
	var b strings.Builder
	gcw, sw := "", ""
	if c.STW {
		// As schedtrace's scheddetail line (proc.go:6908).
		gcw = fmt.Sprintf(" gcwaiting=%v", s.World.GCWaiting)
		sw = fmt.Sprintf(" stopwait=%d", s.World.StopWait)
	}
	fmt.Fprintf(&b, "SCHED: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d needspinning=%d idlethreads=%d runqueue=%d%s nmidlelocked=%d%s nmsys=%d sysmonwait=%v lock=%s\n",
		c.GOMAXPROCS, sc.NPidle, sc.MNext, sc.NMSpinning, b2u(sc.NeedSpinning), sc.NMidle, sc.RunqN, gcw, sc.NMidleLocked, sw, sc.NMSys, sc.SysmonWait, m.mRef(sc.Lock))
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		fmt.Fprintf(&b, "  P%d: status=%s m=%s runq=%s runnext=%s", p, pStatusNames[pp.Status], m.mRef(pp.M), m.gList(pp.Runq[:pp.RunqN]), m.gRef(pp.Runnext))
		if c.Timers {
			fmt.Fprintf(&b, " timers=%s", m.gMask(pp.Timers))
		}
		b.WriteByte('\n')
	}
	for i := 0; i < c.nm(); i++ {
		mm := &s.M[i]
		if !mm.Created {
			continue
		}
		fmt.Fprintf(&b, "  %s: p=%s nextp=%s curg=%s spinning=%v park=%d at %s\n", strings.ToUpper(m.mName(i)[:1])+m.mName(i)[1:],
			m.pName(mm.P), m.pName(mm.NextP), m.gRef(mm.CurG), mm.Spinning, mm.Park, m.where(mm))
	}
	for g := 0; g < c.ng(); g++ {
		gs := &s.G[g]
		fmt.Fprintf(&b, "  G%d(%s): status=%s m=%s", g, m.gName(g), gStatusName(gs.Status), m.mRef(gs.M))
		if gs.Status&^_Gscan == _Gwaiting {
			fmt.Fprintf(&b, " waiting on %s", waitName(gs.Wait))
		}
		if gs.Preempt {
			b.WriteString(" preempt")
		}
		b.WriteByte('\n')
	}
	if s.Throw != 0 {
		fmt.Fprintf(&b, "fatal error: %s (%s, %s)\n", throws[s.Throw].msg, m.mRef(s.ThrowM), throws[s.Throw].source)
	}
	switch s.Report {
	case reportAllAsleep:
		b.WriteString("fatal error: all goroutines are asleep - deadlock!\n")
	case reportNoGoroutines:
		b.WriteString("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// FormatStep lists what the step changed, as "npidle 1->0, P1.status
// idle->running".
func (m *Model) FormatStep(prev *State, a Action, next *State) string {
	before, after := m.fields(prev), m.fields(next)
	old := make(map[string]string, len(before))
	for _, kv := range before {
		old[kv[0]] = kv[1]
	}
	var ch []string
	if a.Actor != actorEnv && pc(a.Step) == pcUser {
		g := int(prev.M[a.Actor].CurG) - 1
		if g >= 0 {
			ch = append(ch, fmt.Sprintf("%s: %s", m.gName(g), m.C.instr(prev, g)))
		}
	}
	now := make(map[string]bool, len(after))
	for _, kv := range after {
		now[kv[0]] = true
	}
	for _, kv := range after {
		o, ok := old[kv[0]]
		switch {
		case !ok:
			ch = append(ch, fmt.Sprintf("%s=%s", kv[0], kv[1]))
		case o != kv[1]:
			if strings.HasSuffix(kv[0], ".at") {
				ch = append(ch, fmt.Sprintf("%s -> %s", kv[0][:len(kv[0])-3], kv[1]))
				continue
			}
			ch = append(ch, fmt.Sprintf("%s %s->%s", kv[0], o, kv[1]))
		}
	}
	for _, kv := range before {
		if !now[kv[0]] {
			ch = append(ch, fmt.Sprintf("%s %s->-", kv[0], kv[1]))
		}
	}
	return strings.Join(ch, ", ")
}
