package spec

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/gmpspec/gmpspec/checker"
)

// Model is the scheduler as a checker.Model.
type Model struct {
	C     *Config
	props []checker.Property[State]
	// others are the Always properties that are not throws: AlwaysHold
	// tests the throws at once (State.Throw) and then these.
	others []func(*State) bool
	kinds  []string
	// kindOf maps a step (pc, then numPC+env) to its index in kinds; -1
	// for a step that cannot fire in C (see stepApplies).
	kindOf [int(numPC) + numEnv]int16
}

// An Action is one step of an M (Actor < number of Ms), or an event of the
// environment: a network descriptor becoming ready, or a timer firing.
type Action struct {
	Actor  uint8 // M index, or actorEnv
	Step   uint8 // pc for an M; env* for the environment
	Choice uint8 // the nondeterministic choice within the step
	Arg    uint8 // env: the G
}

const actorEnv = 255

// Environment events.
const (
	envNetReady  = iota // the kernel reports g's descriptor ready
	envTimerFire        // time passes beyond g's timer
	numEnv
)

var envNames = [numEnv]string{"netpoll.ready", "timer.fire"}

// New returns the model of configuration c.
func New(c *Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := &Model{C: c}
	for i := range m.kindOf {
		m.kindOf[i] = -1
	}
	for p := pc(1); p < numPC; p++ {
		if stepApplies(c, p) {
			m.kindOf[p] = int16(len(m.kinds))
			m.kinds = append(m.kinds, steps[p].name)
		}
	}
	for e, n := range envNames {
		if e == envNetReady && !c.Netpoll || e == envTimerFire && !c.Timers {
			continue
		}
		m.kindOf[int(numPC)+e] = int16(len(m.kinds))
		m.kinds = append(m.kinds, n)
	}
	m.props = properties(c)
	for _, p := range m.props {
		if p.Expect == checker.ExpectAlways && !strings.HasPrefix(p.Name, "throw-") {
			m.others = append(m.others, p.Cond)
		}
	}
	return m, nil
}

// AlwaysHold is checker.InvariantFilter: no throw was recorded (each
// throw-* invariant is "State.Throw is not this code") and every other
// Always property holds.
func (m *Model) AlwaysHold(s *State) bool {
	if s.Throw != 0 {
		return false
	}
	for _, f := range m.others {
		if !f(s) {
			return false
		}
	}
	return true
}

// stepApplies reports whether step p exists in configuration c: the go1.14
// profile's own steps (pcs named ...114...) only in that profile; the
// steps of sysmon, the network poller, timers and forcegc only with those
// features; goready, goschedImpl and preemptone only with instructions that
// lead there. ActionKinds lists just these, so that a coverage report's
// "never fired" is about c; a step outside them that fires anyway is a bug
// in the model, and Kind panics on it.
func stepApplies(c *Config, p pc) bool {
	if go114Step(p) && !c.go114() {
		// Without mReserveID, 1.26's startm creates the M as 1.14's did.
		return c.Has(BugNoMReserveID) && (p == pcStartmNewm114Lock || p == pcStartmNewm114)
	}
	name := steps[p].name
	switch {
	case stwStep(p):
		return c.STW && !(c.go114() && stw126Step(p))
	case gcworkStep(p):
		return c.GCWork
	case p == pcExitNoPLockedRead:
		return c.Locked && c.Has(BugExitsyscallLockedmRace)
	case lockedStep(p):
		return c.Locked
	case p == pcFRSpinGateNpidle:
		return c.split&splitSpinGate != 0
	case p == pcHandoffpSpinNpidle:
		return c.split&splitHandoffpSum != 0
	case p == pcFRNetpollPoll || p == pcFRNetpollStore:
		return c.Netpoll && c.split&splitNetpoll0 != 0
	case p == pcParkNetCommit:
		return c.Netpoll && c.split&splitNetpollCommit != 0
	case p == pcReady:
		// goready: a ready instruction, a timer's function, or the
		// end of the mark phase.
		return hasOp(c, OpReady) || c.Timers || c.GCWork
	case p == pcGoschedLock || p == pcGoschedPut:
		// Gosched, or sysmon's (or a stopper's preemptall's)
		// preemption of a computing goroutine.
		return hasOp(c, OpGosched) || hasOp(c, OpCompute) && (c.Sysmon || c.STW)
	case p == pcPreemptRead || p == pcPreemptSet:
		// Only goroutines with work ahead are worth preempting
		// (mayPreempt): computing ones, and forcegc's helper.
		return c.Sysmon && (hasOp(c, OpCompute) || c.Forcegc)
	case strings.HasPrefix(name, "sysmon.forcegc"):
		return c.Forcegc && c.Sysmon
	case p == pcFRCheckTimers || p == pcWakeNetPoller || p == pcTimerWake || p == pcStealTimerRunqget || p == pcSysmonTimers114:
		return c.Timers
	case strings.HasPrefix(name, "sysmon") || strings.HasPrefix(name, "retake") ||
		strings.HasPrefix(name, "preemptone") || strings.Contains(name, "sysmonnote"):
		return c.Sysmon
	case strings.Contains(strings.ToLower(name), "netpoll") && p != pcWakeNetPoller:
		return c.Netpoll
	}
	return true
}

// go114Step reports whether p is a step of the go1.14 profile alone.
func go114Step(p pc) bool {
	switch p {
	case pcNewproc114Check, pcReady114Check,
		pcFRRecheck114, pcFRRecheck114Lock, pcFRRecheck114Get, pcFRRecheck114Acquire,
		pcStartmNewm114Lock, pcStartmNewm114,
		pcInject114Lock, pcInject114Put, pcInject114Start,
		pcEntersyscall114Release,
		pcExit114Fast, pcExit114Wirep, pcExit114Cas, pcExit114PidleLock, pcExit114PidleGet,
		pcExit114Acquire, pcExit114Slow, pcExit114SlowLock, pcExit114SlowGet, pcExit114SlowAcquire,
		pcSysmonTimers114, pcRetake114Cas, pcRetake114DecLock, pcRetake114Dec,
		pcEntersyscall114GCWaitLock, pcEntersyscall114GCWait, pcStartTW114Wakep,
		pcSTWSyscall114, pcForEachPSyscall114:
		return true
	}
	return false
}

// Init is the state after runtime.main started sysmon: m0 runs main on P0,
// the other Ps are idle, sysmon is about to run, forcegc's helper is parked
// (proc.go:149-334, schedinit, procresize).
func (m *Model) Init() []State {
	c := m.C
	var s State
	s.M[0] = M{Created: true, Started: true, PC: uint8(pcUser), P: pref(0), CurG: gref(0)}
	s.Sched.MNext = 1
	if c.Sysmon {
		s.M[1] = M{Created: true, Started: true, PC: uint8(pcSysmonStartLock)}
		s.Sched.MNext = 2
	}
	s.P[0] = P{Status: _Prunning, M: mref(0)}
	// procresize puts the Ps on the idle list from the last to the first.
	for p := c.GOMAXPROCS - 1; p >= 1; p-- {
		push(s.Sched.Pidle[:], pref(p))
		s.Sched.NPidle++
	}
	s.G[0] = G{Status: _Grunning, M: mref(0)}
	for g := 1; g < len(c.Gs); g++ {
		s.G[g] = G{Status: _Gdead}
	}
	if c.Forcegc {
		s.G[c.ng()-1] = G{Status: _Gwaiting, Wait: waitForcegc}
		s.Sched.ForcegcIdle = true
	}
	s.Sched.LastPoll = true
	return []State{s}
}

// Terminal: the runtime threw, checkdead reported, or main returned.
func (m *Model) Terminal(s *State) bool { return s.Throw != 0 || s.Report != 0 || s.Exited }

// Actions lists, for each M in index order, its enabled step (with each of
// its choices), then the environment's events.
func (m *Model) Actions(s *State, dst []Action) []Action {
	if m.Terminal(s) {
		return dst
	}
	c := m.C
	x := getExec()
	defer putExec(x)
	*x = exec{s: s, c: c}
	nm, ng := c.nm(), c.ng() // the steps do not change c
	for i := 0; i < nm; i++ {
		mm := &s.M[i]
		if !mm.Created {
			continue
		}
		d := &steps[mm.PC]
		x.m, x.mm = i, mm
		if d.enabled != nil && !d.enabled(x) {
			continue
		}
		n := 1
		if d.choices != nil {
			n = d.choices(x)
		}
		for ch := 0; ch < n; ch++ {
			dst = append(dst, Action{Actor: uint8(i), Step: mm.PC, Choice: uint8(ch)})
		}
	}
	for g := 0; g < ng; g++ {
		gs := &s.G[g]
		if gs.Status != _Gwaiting {
			continue
		}
		if gs.Wait == waitNet && s.Sched.NetReady&(1<<g) == 0 {
			dst = append(dst, Action{Actor: actorEnv, Step: envNetReady, Arg: uint8(g)})
		}
		if gs.Wait == waitTimer && !gs.Expired && s.timerHeld(g) {
			dst = append(dst, Action{Actor: actorEnv, Step: envTimerFire, Arg: uint8(g)})
		}
	}
	return dst
}

// Waiting reports the Ms blocked on sched.lock (or forcegc.lock, or a wait
// object's lock): for liveness the locks are fair, so an M that waits for
// one forever while it is free now and then is treated as starved (see
// docs/model.md, "Fairness").
func (m *Model) Waiting(s *State) uint64 {
	var w uint64
	if m.Terminal(s) {
		return 0
	}
	x := getExec()
	defer putExec(x)
	*x = exec{s: s, c: m.C}
	for i := 0; i < m.C.nm(); i++ {
		mm := &s.M[i]
		if !mm.Created {
			continue
		}
		d := &steps[mm.PC]
		x.m, x.mm = i, mm
		if d.enabled != nil && !d.enabled(x) && waitsForLock(pc(mm.PC)) {
			w |= 1 << i
		}
	}
	return w
}

// waitsForLock reports whether step p is blocked only by a lock.
func waitsForLock(p pc) bool {
	switch p {
	case pcStopmSleep, pcFRPollBlock, pcInSyscall, pcMstart, pcStoplockedmPark:
		return false
	}
	return true
}

// timerHeld reports whether g's timer is on some P's heap.
func (s *State) timerHeld(g int) bool {
	for i := range s.P {
		if s.P[i].Timers&(1<<g) != 0 {
			return true
		}
	}
	return false
}

// Next takes action a.
func (m *Model) Next(s *State, a Action) State {
	var t State
	m.NextInto(s, a, &t)
	return t
}

// NextInto sets *t to the state action a leads to from s (the checker's
// allocation-free Next).
func (m *Model) NextInto(s *State, a Action, t *State) {
	*t = *s
	if a.Actor == actorEnv {
		switch a.Step {
		case envNetReady:
			t.Sched.NetReady |= 1 << a.Arg
		case envTimerFire:
			t.G[a.Arg].Expired = true
		}
		return
	}
	x := getExec()
	*x = exec{s: t, c: m.C, m: int(a.Actor), mm: &t.M[a.Actor], ch: int(a.Choice)}
	steps[a.Step].fn(x)
	putExec(x)
}

// Steps are called through a table, so the exec they get escapes: a
// pooled one costs no allocation per step.
var execPool = sync.Pool{New: func() any { return new(exec) }}

func getExec() *exec { return execPool.Get().(*exec) }

func putExec(x *exec) {
	*x = exec{} // keep no state alive
	execPool.Put(x)
}

// Encode writes the used part of the state: its arrays are fixed-size
// values without padding (checked in init), so the bytes are the state.
func (m *Model) Encode(s *State, dst []byte) []byte {
	c := m.C
	dst = append(dst, bytesOf(&s.G, c.ng()*int(unsafe.Sizeof(G{})))...)
	dst = append(dst, bytesOf(&s.M, c.nm()*int(unsafe.Sizeof(M{})))...)
	dst = append(dst, bytesOf(&s.P, c.GOMAXPROCS*int(unsafe.Sizeof(P{})))...)
	dst = append(dst, bytesOf(&s.Sched, int(unsafe.Sizeof(Sched{})))...)
	if c.world() {
		dst = append(dst, bytesOf(&s.World, int(unsafe.Sizeof(World{})))...)
	}
	return append(dst, s.Throw, s.ThrowM, s.Report, b2u(s.Exited))
}

// Decode rebuilds the state that Encode encoded as b: the parts of the
// arrays a configuration does not use are zero in every state. The checker
// keeps the states it has yet to expand encoded, at about half the size.
func (m *Model) Decode(b []byte, s *State) {
	c := m.C
	*s = State{}
	b = b[copy(bytesOf(&s.G, c.ng()*int(unsafe.Sizeof(G{}))), b):]
	b = b[copy(bytesOf(&s.M, c.nm()*int(unsafe.Sizeof(M{}))), b):]
	b = b[copy(bytesOf(&s.P, c.GOMAXPROCS*int(unsafe.Sizeof(P{}))), b):]
	b = b[copy(bytesOf(&s.Sched, int(unsafe.Sizeof(Sched{}))), b):]
	if c.world() {
		b = b[copy(bytesOf(&s.World, int(unsafe.Sizeof(World{}))), b):]
	}
	s.Throw, s.ThrowM, s.Report, s.Exited = b[0], b[1], b[2], b[3] != 0
}

func bytesOf[T any](p *T, n int) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(p)), n) }

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func init() {
	// Encode relies on these layouts having no padding.
	if unsafe.Sizeof(G{}) != 6 || unsafe.Sizeof(M{})%2 != 0 || unsafe.Sizeof(P{}) != 11 {
		panic(fmt.Sprintf("spec: unexpected layout: G %d, M %d, P %d", unsafe.Sizeof(G{}), unsafe.Sizeof(M{}), unsafe.Sizeof(P{})))
	}
	if unsafe.Offsetof(World{}.LockedExit)+unsafe.Sizeof(World{}.LockedExit) != unsafe.Sizeof(World{}) {
		panic(fmt.Sprintf("spec: unexpected layout: World %d", unsafe.Sizeof(World{})))
	}
}

// Properties lists the invariants, reachability goals and liveness
// properties (properties.go).
func (m *Model) Properties() []checker.Property[State] { return m.props }

// ActionKinds names the steps, for coverage.
func (m *Model) ActionKinds() []string { return m.kinds }

// Kind maps an action to its step's entry in ActionKinds.
func (m *Model) Kind(a Action) int {
	i := int(a.Step)
	if a.Actor == actorEnv {
		i = int(numPC) + int(a.Step)
	}
	k := m.kindOf[i]
	if k < 0 {
		panic(fmt.Sprintf("spec: %s fired in a configuration that has no such step (%s)", m.FormatAction(a), m.C))
	}
	return int(k)
}

// Process: each M is a process; each goroutine's environment (its network
// descriptor, its timer) is another.
func (m *Model) Process(a Action) int {
	if a.Actor == actorEnv {
		return m.C.nm() + int(a.Arg)
	}
	return int(a.Actor)
}

// FormatAction names the actor and the step, as "m2 findRunnable.dropP".
func (m *Model) FormatAction(a Action) string {
	if a.Actor == actorEnv {
		return fmt.Sprintf("env %s(%s)", envNames[a.Step], m.gName(int(a.Arg)))
	}
	name := steps[a.Step].name
	if pc(a.Step) == pcUser {
		// the instruction is part of the label
		name = "user"
	}
	s := fmt.Sprintf("%s %s", m.mName(int(a.Actor)), name)
	if d := &steps[a.Step]; d.choices != nil {
		s += fmt.Sprintf(" #%d", a.Choice)
	}
	return s
}

func (m *Model) mName(i int) string {
	if i == m.C.sysmonM() {
		return "sysmon"
	}
	return fmt.Sprintf("m%d", i)
}

func (m *Model) gName(g int) string {
	if g < len(m.C.Gs) {
		return m.C.Gs[g].Name
	}
	return "forcegc"
}
