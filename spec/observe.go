package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Observation: the scheduler as Go's execution tracer sees it.
//
// The runtime's tracer (runtime/trace; golang.org/x/exp/trace reads its
// files) records, for every goroutine and every P, each state transition and
// the thread that made it. Of the model's state it sees little: a G's status
// (runnable, running, in a syscall, waiting, or not existing) and the M it
// runs on; a P's status (idle or running) and the M that holds it. Spinning,
// the idle lists, run queues, notes and counters are invisible.
//
// This file is the one place where the model states what a trace may show.
//
//   - Observe projects a model state onto the observable fields, the way the
//     tracer reports them. One case needs care: after exitsyscall's CAS
//     _Gsyscall -> _Grunning on an M whose P was taken (proc.go:4913-4930),
//     the G is _Grunning without a P until exitsyscallTryGetP gives it one
//     or exitsyscallNoP queues it; the tracer emits nothing in that window
//     and reports the syscall's end only afterwards (proc.go:4964-4970,
//     5077), so the projection keeps such a G in its syscall.
//   - ObserveStep derives the events a step makes visible by comparing the
//     projections before and after it: no step carries hand-written trace
//     events.
//   - Obs is a machine over observable states, unbounded (a real trace has
//     thousands of goroutines), that takes one event at a time: Step checks
//     the event's guard and applies its effect, then checks the observable
//     invariants on what the event touched. Each guard is what every model
//     step that makes that event guarantees, named after the model property
//     it comes from.
//
// TestObservable ties the three together on every edge of the pinned
// configurations: Obs accepts the events ObserveStep derives, applying them
// to Observe(prev) gives exactly Observe(next), and the observable
// invariants hold on every projected state. It also records which model
// steps make each kind of event (obsSteps, observe_steps.go), which is what
// a rejection lists as "the steps the model would have allowed". gmpcheck
// validate runs Obs over real traces.
//
// A few events of real traces come from mechanisms the model does not have
// (coroutines created parked, the stop-the-world of the garbage collector,
// GOMAXPROCS changes, system calls that hand their P off at once). Obs
// accepts them under rules of their own, marked as abstractions; each is
// listed with its reason in docs/model.md ("What a trace shows").

// GoState is a goroutine's observable status.
type GoState uint8

const (
	GoNotExist GoState = iota // _Gidle, _Gdead
	GoRunnable                // _Grunnable
	GoRunning                 // _Grunning with a P
	GoSyscall                 // _Gsyscall, and _Grunning while exitsyscall looks for a P
	GoWaiting                 // _Gwaiting, _Gpreempted
	numGoState
)

var goStateNames = [numGoState]string{"notexist", "runnable", "running", "syscall", "waiting"}

func (s GoState) String() string {
	if s < numGoState {
		return goStateNames[s]
	}
	return fmt.Sprintf("GoState(%d)", s)
}

// ProcState is a P's observable status.
type ProcState uint8

const (
	ProcNotExist ProcState = iota // beyond GOMAXPROCS
	ProcIdle                      // _Pidle (on the idle list or in transit)
	ProcRunning                   // _Prunning, held by an M
	numProcState
)

var procStateNames = [numProcState]string{"notexist", "idle", "running"}

func (s ProcState) String() string {
	if s < numProcState {
		return procStateNames[s]
	}
	return fmt.Sprintf("ProcState(%d)", s)
}

// EvKind is the kind of an observable event. The names are the tracer's
// (internal/trace/tracev2 event names), which are what its readers print.
type EvKind uint8

const (
	EvNone                EvKind = iota
	EvGoCreate                   // notexist -> runnable: newproc
	EvGoCreateBlocked            // notexist -> waiting: a coroutine created parked (abstraction)
	EvGoStart                    // runnable -> running: execute
	EvGoStop                     // running -> runnable: Gosched, preemption
	EvGoBlock                    // running -> waiting: gopark
	EvGoUnblock                  // waiting -> runnable: ready, netpoll, a timer
	EvGoDestroy                  // running -> notexist: goexit
	EvGoSyscallBegin             // running -> syscall: entersyscall
	EvGoSyscallEnd               // syscall -> running on the P it kept: exitsyscall's fast path
	EvGoSyscallEndBlocked        // syscall -> runnable: the P was lost during the syscall
	EvProcStart                  // idle -> running: acquirep
	EvProcStop                   // running -> idle by the P's own M: releasep
	EvProcSteal                  // running -> idle by another M: takeP of a P in a syscall
	EvGoStatus                   // a goroutine's status at the start of a trace (no transition)
	EvProcStatus                 // a P's status at the start of a trace, or a GOMAXPROCS change
	numEvKind
)

var evKindNames = [numEvKind]string{
	"None", "GoCreate", "GoCreateBlocked", "GoStart", "GoStop", "GoBlock", "GoUnblock", "GoDestroy",
	"GoSyscallBegin", "GoSyscallEnd", "GoSyscallEndBlocked", "ProcStart", "ProcStop", "ProcSteal",
	"GoStatus", "ProcStatus",
}

func (k EvKind) String() string {
	if k < numEvKind {
		return evKindNames[k]
	}
	return fmt.Sprintf("EvKind(%d)", k)
}

// EvKinds lists the event kinds, for documentation.
func EvKinds() []EvKind {
	var ks []EvKind
	for k := EvGoCreate; k < numEvKind; k++ {
		ks = append(ks, k)
	}
	return ks
}

// NoCtx marks an event field that its source does not give.
const NoCtx = -2

// An ObsEvent is one observable event. Ids are dense small integers chosen
// by whoever produces the events (the model's indexes; the validator maps a
// trace's goroutine, thread and P ids onto them); -1 means none.
type ObsEvent struct {
	Kind EvKind
	M    int32 // the thread that made the event (-1: none, as for the environment)
	G    int32 // the goroutine the event is about (Go* events)
	P    int32 // the P the event is about (Proc* events)

	// The event's context as its source saw it, checked against the
	// machine's own view when given (NoCtx: not given): the P the thread
	// held and the goroutine it ran just before the event.
	CtxP, CtxG int32

	// Status events only: the state reported, and the thread a running or
	// syscalling goroutine is on (M is the thread that wrote the event).
	// Confirm: the object is known and must already be in that state.
	GoState   GoState
	ProcState ProcState
	On        int32
	Confirm   bool
}

// ObsG, ObsP and ObsM are the observable parts of a G, a P and an M.
type ObsG struct {
	State GoState
	M     int32 // the M it runs on (running or syscall), else -1
}

type ObsP struct {
	State ProcState
	M     int32 // the M holding it (running), else -1
}

type ObsM struct {
	G int32 // the G it runs (running or syscall), else -1
	P int32 // the P it holds, else -1
	// LostP: its G is in a syscall and the M lost its P meanwhile (taken
	// by retake or exitsyscall, or handed off), so the syscall must end
	// blocked (GoSyscallEndBlocked), not on the P.
	LostP bool
}

// Obs is an observable scheduler state and the machine that checks events
// against it. The zero Obs is empty; Grow makes room for ids.
type Obs struct {
	G []ObsG
	P []ObsP
	M []ObsM
	// Abstractions: accept the events of mechanisms the model lacks
	// (see Abstraction). The model's own events never need them.
	Abstractions bool
	// Used is the abstraction the last accepted event needed, or "".
	Used Abstraction
	// touched objects of the last event, for the invariant checks.
	tg, tp, tm [4]int32
	ntg        int
	ntp        int
	ntm        int
}

// Grow makes room for goroutine, P and M ids below ng, np and nm.
func (o *Obs) Grow(ng, np, nm int) {
	for len(o.G) < ng {
		o.G = append(o.G, ObsG{M: -1})
	}
	for len(o.P) < np {
		o.P = append(o.P, ObsP{M: -1})
	}
	for len(o.M) < nm {
		o.M = append(o.M, ObsM{G: -1, P: -1})
	}
}

// Clone returns a deep copy of o.
func (o *Obs) Clone() *Obs {
	c := *o
	c.G = slices.Clone(o.G)
	c.P = slices.Clone(o.P)
	c.M = slices.Clone(o.M)
	return &c
}

// Equal reports whether o and p are the same observable state.
func (o *Obs) Equal(p *Obs) bool {
	return slices.Equal(o.G, p.G) && slices.Equal(o.P, p.P) && slices.Equal(o.M, p.M)
}

// --- The projection of model states.

// Observe projects s onto what a trace shows. Ids are the model's indexes:
// goroutine g, P p, M m (sysmon included).
func (m *Model) Observe(s *State) *Obs {
	o := new(Obs)
	m.ObserveInto(s, o)
	return o
}

// ObserveInto is Observe into o, reusing its slices.
func (m *Model) ObserveInto(s *State, o *Obs) {
	c := m.C
	o.G, o.P, o.M = o.G[:0], o.P[:0], o.M[:0]
	o.Grow(c.ng(), c.GOMAXPROCS, c.nm())
	for i := 0; i < c.nm(); i++ {
		mm := &s.M[i]
		if p := int32(mm.P) - 1; p >= 0 && s.P[p].Status == _Prunning && s.P[p].M == mref(i) {
			o.M[i].P = p
		}
	}
	for g := 0; g < c.ng(); g++ {
		gs := &s.G[g]
		var st GoState
		switch gs.Status &^ _Gscan {
		case _Grunnable:
			st = GoRunnable
		case _Grunning:
			st = GoRunning
			if gs.M != 0 && o.M[gs.M-1].P < 0 {
				// exitsyscall's CAS done, no P yet: the tracer
				// still shows the syscall.
				st = GoSyscall
			}
		case _Gsyscall:
			st = GoSyscall
		case _Gwaiting, _Gpreempted:
			st = GoWaiting
		}
		o.G[g].State = st
		if (st == GoRunning || st == GoSyscall) && gs.M != 0 {
			mi := int32(gs.M) - 1
			o.G[g].M = mi
			if s.M[mi].CurG == gref(g) {
				o.M[mi].G = int32(g)
			}
		}
	}
	for i := 0; i < c.nm(); i++ {
		if g := o.M[i].G; g >= 0 && o.G[g].State == GoSyscall && o.M[i].P < 0 {
			o.M[i].LostP = true
		}
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		o.P[p].State = ProcIdle
		if pp.Status == _Prunning && pp.M != 0 {
			o.P[p] = ObsP{State: ProcRunning, M: int32(pp.M) - 1}
		}
	}
}

// ObserveStep returns the events a step from prev to next makes visible,
// derived from the two projections, in the order the tracer writes them:
// the Ps an M gives up or takes away, then the Ps it acquires, then the
// goroutines' transitions. It fails on a change no event describes.
func (m *Model) ObserveStep(prev *State, a Action, next *State) ([]ObsEvent, error) {
	before, after := m.Observe(prev), m.Observe(next)
	return m.diffEvents(before, after, a)
}

func (m *Model) diffEvents(before, after *Obs, a Action) ([]ObsEvent, error) {
	actor := int32(-1)
	if a.Actor != actorEnv {
		actor = int32(a.Actor)
	}
	ev := func(k EvKind) ObsEvent {
		return ObsEvent{Kind: k, M: actor, G: -1, P: -1, CtxP: NoCtx, CtxG: NoCtx, On: -1}
	}
	var stops, starts, gs []ObsEvent
	bad := func(what string) error {
		return fmt.Errorf("%s: no event describes %s", m.FormatAction(a), what)
	}
	for p := range after.P {
		b, t := before.P[p], after.P[p]
		if b == t {
			continue
		}
		switch {
		case b.State == ProcIdle && t.State == ProcRunning && t.M == actor:
			e := ev(EvProcStart)
			e.P = int32(p)
			starts = append(starts, e)
		case b.State == ProcRunning && t.State == ProcIdle:
			e := ev(EvProcStop)
			if b.M != actor {
				e.Kind = EvProcSteal
			}
			e.P = int32(p)
			stops = append(stops, e)
		default:
			return nil, bad(fmt.Sprintf("P%d %v(m%d) -> %v(m%d)", p, b.State, b.M, t.State, t.M))
		}
	}
	for g := range after.G {
		b, t := before.G[g], after.G[g]
		if b == t {
			continue
		}
		e := ev(EvNone)
		e.G = int32(g)
		switch {
		case b.State == GoNotExist && t.State == GoRunnable:
			e.Kind = EvGoCreate
		case b.State == GoRunnable && t.State == GoRunning:
			e.Kind = EvGoStart
		case b.State == GoRunning && t.State == GoRunnable:
			e.Kind = EvGoStop
		case b.State == GoRunning && t.State == GoWaiting:
			e.Kind = EvGoBlock
		case b.State == GoRunning && t.State == GoNotExist:
			e.Kind = EvGoDestroy
		case b.State == GoRunning && t.State == GoSyscall:
			e.Kind = EvGoSyscallBegin
		case b.State == GoSyscall && t.State == GoRunning && before.M[b.M].LostP:
			// The P was lost and a new one acquired in this step:
			// the tracer writes the syscall's end, then the start.
			e.Kind = EvGoSyscallEndBlocked
			gs = append(gs, e)
			e.Kind = EvGoStart
		case b.State == GoSyscall && t.State == GoRunning:
			e.Kind = EvGoSyscallEnd
		case b.State == GoSyscall && t.State == GoRunnable:
			e.Kind = EvGoSyscallEndBlocked
		case b.State == GoWaiting && t.State == GoRunnable:
			e.Kind = EvGoUnblock
		default:
			return nil, bad(fmt.Sprintf("%s %v -> %v", m.gName(g), b.State, t.State))
		}
		gs = append(gs, e)
	}
	return append(append(stops, starts...), gs...), nil
}

// --- The machine.

// A Rejection is an event the machine does not accept: the rule or
// invariant it breaks, and why.
type Rejection struct {
	Event ObsEvent
	Rule  string // the model property the guard states, or the invariant
	Why   string
}

func (r *Rejection) Error() string { return fmt.Sprintf("%s: %s", r.Rule, r.Why) }

// Step checks e against o and applies it. On a rejection o is unchanged
// except where the invariant check after the effect failed.
func (o *Obs) Step(e *ObsEvent) *Rejection {
	o.ntg, o.ntp, o.ntm = 0, 0, 0
	o.Used = AbsNone
	if r := o.guard(e); r != nil {
		return r
	}
	o.apply(e)
	return o.checkTouched(e)
}

func (o *Obs) rej(e *ObsEvent, rule, format string, args ...any) *Rejection {
	return &Rejection{Event: *e, Rule: rule, Why: fmt.Sprintf(format, args...)}
}

func (o *Obs) touchG(g int32) {
	if g >= 0 && o.ntg < len(o.tg) {
		o.tg[o.ntg] = g
		o.ntg++
	}
}
func (o *Obs) touchP(p int32) {
	if p >= 0 && o.ntp < len(o.tp) {
		o.tp[o.ntp] = p
		o.ntp++
	}
}
func (o *Obs) touchM(m int32) {
	if m >= 0 && o.ntm < len(o.tm) {
		o.tm[o.ntm] = m
		o.ntm++
	}
}

// from names the state an event kind requires of its goroutine.
var goFrom = [numEvKind]GoState{
	EvGoCreate: GoNotExist, EvGoCreateBlocked: GoNotExist, EvGoStart: GoRunnable,
	EvGoStop: GoRunning, EvGoBlock: GoRunning, EvGoDestroy: GoRunning, EvGoSyscallBegin: GoRunning,
	EvGoSyscallEnd: GoSyscall, EvGoSyscallEndBlocked: GoSyscall, EvGoUnblock: GoWaiting,
}

var goTo = [numEvKind]GoState{
	EvGoCreate: GoRunnable, EvGoCreateBlocked: GoWaiting, EvGoStart: GoRunning,
	EvGoStop: GoRunnable, EvGoBlock: GoWaiting, EvGoDestroy: GoNotExist, EvGoSyscallBegin: GoSyscall,
	EvGoSyscallEnd: GoRunning, EvGoSyscallEndBlocked: GoRunnable, EvGoUnblock: GoRunnable,
}

// GoTransition returns the kind of event that takes a goroutine from one
// state to the other, or EvNone if no model step does.
func GoTransition(from, to GoState) EvKind {
	for k := EvGoCreate; k < EvProcStart; k++ {
		if goFrom[k] == from && goTo[k] == to {
			return k
		}
	}
	return EvNone
}

// guard checks e's precondition. The rules, by event:
//
//   - Every transition starts from the state its kind names (a G's status
//     changes only by casgstatus from the status the caller expects,
//     proc.go:1277-1383).
//   - The thread's context, where the source gives it, is the machine's
//     (ctx-matches: the P and the G the thread holds).
//   - GoStart: the thread holds a P and runs no G (execute runs on an M
//     with a P, proc.go:3331-3383; p-owned-once, g-in-one-place).
//   - GoStop, GoBlock, GoDestroy, GoSyscallBegin: the G runs on this very
//     thread (only a G's own M changes it from _Grunning).
//   - GoSyscallBegin and GoSyscallEnd: the thread holds its P (a syscall
//     is entered with the P, proc.go:4627-4716; the fast path keeps it,
//     proc.go:4929-4957); GoSyscallEnd: and never lost it meanwhile.
//   - GoSyscallEndBlocked: the thread lost its P during the syscall
//     (exitsyscallTryGetP's P, proc.go:4958-4974, or none: exitsyscallNoP,
//     proc.go:5067-5077).
//   - ProcStart: the P is idle and the thread holds none (wirep's throws,
//     proc.go:6296-6321).
//   - ProcStop: the P is the thread's own and the thread runs no G
//     (releasep in findRunnable and stopm's callers, proc.go:6324-6353).
//   - ProcSteal: the P is held by another thread whose G is in a syscall
//     (takeP after setBlockOnExitSyscall, proc.go:6750-6831), and the
//     stealer holds no P (sysmon, or an M leaving its own syscall).
func (o *Obs) guard(e *ObsEvent) *Rejection {
	k := e.Kind
	if k == EvGoStatus || k == EvProcStatus {
		return o.guardStatus(e)
	}
	if k <= EvNone || k >= numEvKind {
		return o.rej(e, "event-kind", "unknown event kind %d", k)
	}
	mi := e.M
	var m *ObsM
	if mi >= 0 {
		if int(mi) >= len(o.M) {
			return o.rej(e, "event-ids", "thread id %d out of range", mi)
		}
		m = &o.M[mi]
		if e.CtxP != NoCtx && e.CtxP != m.P {
			return o.rej(e, "ctx-matches", "the event says its thread holds %s; the thread holds %s", pStr(e.CtxP), pStr(m.P))
		}
		if e.CtxG != NoCtx && e.CtxG != m.G {
			return o.rej(e, "ctx-matches", "the event says its thread runs %s; the thread runs %s", gStr(e.CtxG), gStr(m.G))
		}
	}
	needM := func() *Rejection {
		if m == nil {
			return o.rej(e, "event-ids", "%v without a thread", k)
		}
		return nil
	}
	if k < EvProcStart {
		g := e.G
		if g < 0 || int(g) >= len(o.G) {
			return o.rej(e, "event-ids", "goroutine id %d out of range", g)
		}
		gs := &o.G[g]
		if gs.State != goFrom[k] {
			return o.rej(e, "g-status", "%v needs %s %v; it is %v%s", k, gStr(g), goFrom[k], gs.State, o.onStr(gs.M))
		}
		switch k {
		case EvGoCreate:
			// newproc runs on a goroutine's stack: its thread runs a
			// goroutine and holds a P.
			if m == nil || m.G < 0 || o.G[m.G].State != GoRunning || m.P < 0 {
				return o.abstract(e, AbsTimerGo)
			}
			return nil
		case EvGoCreateBlocked:
			return o.abstract(e, AbsCreateParked)
		case EvGoUnblock:
			return nil
		case EvGoStart:
			if r := needM(); r != nil {
				return r
			}
			if m.P < 0 {
				return o.rej(e, "running-g-has-p", "GoStart of %s on m%d, which holds no P", gStr(g), mi)
			}
			if m.G >= 0 {
				return o.rej(e, "g-in-one-place", "GoStart of %s on m%d, which runs %s", gStr(g), mi, gStr(m.G))
			}
			return nil
		}
		// The G's own thread: stop, block, destroy, syscall begin/end.
		if r := needM(); r != nil {
			return r
		}
		if gs.M != mi {
			return o.rej(e, "g-in-one-place", "%v of %s by m%d; it runs on m%d", k, gStr(g), mi, gs.M)
		}
		switch k {
		case EvGoSyscallBegin:
			if m.P < 0 {
				return o.rej(e, "running-g-has-p", "GoSyscallBegin on m%d, which holds no P", mi)
			}
		case EvGoSyscallEnd:
			if m.LostP || m.P < 0 {
				return o.rej(e, "syscall-exit-path", "GoSyscallEnd on m%d, which lost its P during the syscall: the syscall must end blocked", mi)
			}
		case EvGoSyscallEndBlocked:
			if !m.LostP {
				return o.rej(e, "syscall-exit-path", "GoSyscallEndBlocked on m%d, which kept %s through the syscall: exitsyscall's fast path would have run", mi, pStr(m.P))
			}
		}
		return nil
	}
	// Proc events.
	if r := needM(); r != nil {
		return r
	}
	p := e.P
	if p < 0 || int(p) >= len(o.P) {
		return o.rej(e, "event-ids", "P id %d out of range", p)
	}
	ps := &o.P[p]
	switch k {
	case EvProcStart:
		if ps.State != ProcIdle {
			return o.rej(e, "p-owned-once", "ProcStart of P%d by m%d; P%d is %v%s", p, mi, p, ps.State, o.heldStr(ps.M))
		}
		if m.P >= 0 {
			return o.rej(e, "p-owned-once", "ProcStart of P%d by m%d, which holds P%d", p, mi, m.P)
		}
	case EvProcStop:
		if ps.State != ProcRunning || ps.M != mi {
			return o.rej(e, "p-owned-once", "ProcStop of P%d by m%d; P%d is %v%s", p, mi, p, ps.State, o.heldStr(ps.M))
		}
		if m.G >= 0 {
			if o.G[m.G].State == GoSyscall {
				return o.abstract(e, AbsSyscallHandoff)
			}
			return o.rej(e, "releasep-without-g", "ProcStop of P%d by m%d, which runs %s (%v)", p, mi, gStr(m.G), o.G[m.G].State)
		}
	case EvProcSteal:
		if ps.State != ProcRunning || ps.M < 0 {
			return o.rej(e, "p-owned-once", "ProcSteal of P%d by m%d; P%d is %v", p, mi, p, ps.State)
		}
		if ps.M == mi {
			return o.rej(e, "p-owned-once", "ProcSteal of P%d by its own m%d", p, mi)
		}
		v := &o.M[ps.M]
		if v.G < 0 || o.G[v.G].State != GoSyscall {
			return o.rej(e, "steal-only-in-syscall", "ProcSteal of P%d from m%d, whose G is %s", p, ps.M, o.gDesc(v.G))
		}
		if m.P >= 0 {
			return o.abstract(e, AbsSTWSteal)
		}
	}
	return nil
}

// abstract accepts e under abstraction a, or rejects it without
// Abstractions.
func (o *Obs) abstract(e *ObsEvent, a Abstraction) *Rejection {
	if !o.Abstractions {
		return o.rej(e, "abstraction", "%v: %s", e.Kind, a.Why())
	}
	o.Used = a
	return nil
}

// guardStatus checks a status event: it sets the state of an object the
// machine has not seen, or confirms the state of one it has.
func (o *Obs) guardStatus(e *ObsEvent) *Rejection {
	if e.Kind == EvGoStatus {
		if e.G < 0 || int(e.G) >= len(o.G) {
			return o.rej(e, "event-ids", "goroutine id %d out of range", e.G)
		}
		if e.Confirm && o.G[e.G].State != e.GoState {
			return o.rej(e, "status-matches", "the trace reports %s %v; it is %v%s", gStr(e.G), e.GoState, o.G[e.G].State, o.onStr(o.G[e.G].M))
		}
		if (e.GoState == GoRunning || e.GoState == GoSyscall) && (e.On < 0 || int(e.On) >= len(o.M)) {
			return o.rej(e, "event-ids", "a %v goroutine on no thread", e.GoState)
		}
		return nil
	}
	if e.P < 0 || int(e.P) >= len(o.P) {
		return o.rej(e, "event-ids", "P id %d out of range", e.P)
	}
	if e.Confirm && o.P[e.P].State != e.ProcState {
		return o.rej(e, "status-matches", "the trace reports P%d %v; it is %v%s", e.P, e.ProcState, o.P[e.P].State, o.heldStr(o.P[e.P].M))
	}
	if e.ProcState == ProcRunning && (e.On < 0 || int(e.On) >= len(o.M)) {
		return o.rej(e, "event-ids", "a running P on no thread")
	}
	if e.ProcState == ProcNotExist {
		return o.abstract(e, AbsResize)
	}
	return nil
}

func (o *Obs) apply(e *ObsEvent) {
	switch k := e.Kind; k {
	case EvGoStatus:
		if !e.Confirm {
			o.setG(e.G, e.GoState, e.On)
		}
	case EvProcStatus:
		if !e.Confirm {
			o.setP(e.P, e.ProcState, e.On)
		}
	case EvProcStart:
		o.P[e.P] = ObsP{State: ProcRunning, M: e.M}
		o.M[e.M].P = e.P
		o.touchP(e.P)
		o.touchM(e.M)
	case EvProcStop, EvProcSteal:
		owner := o.P[e.P].M
		o.P[e.P] = ObsP{State: ProcIdle, M: -1}
		om := &o.M[owner]
		om.P = -1
		if om.G >= 0 && o.G[om.G].State == GoSyscall {
			om.LostP = true
		}
		o.touchP(e.P)
		o.touchM(owner)
		o.touchM(e.M)
	default:
		g := &o.G[e.G]
		g.State = goTo[k]
		switch k {
		case EvGoStart:
			g.M = e.M
			o.M[e.M].G = e.G
		case EvGoStop, EvGoBlock, EvGoDestroy, EvGoSyscallEndBlocked:
			o.M[e.M].G = -1
			o.M[e.M].LostP = false
			g.M = -1
		}
		o.touchG(e.G)
		o.touchM(e.M)
	}
}

// setG and setP apply a status event: the object takes the reported state,
// and whatever it was linked to before lets go of it.
func (o *Obs) setG(g int32, st GoState, on int32) {
	gs := &o.G[g]
	if gs.M >= 0 && o.M[gs.M].G == g {
		o.M[gs.M].G = -1
	}
	gs.State, gs.M = st, -1
	if st == GoRunning || st == GoSyscall {
		if old := o.M[on].G; old >= 0 && old != g {
			o.G[old].M = -1
		}
		gs.M = on
		o.M[on].G = g
		// A syscall reported on a thread without a P lost it before
		// the report; setP clears this if the P is reported later.
		o.M[on].LostP = st == GoSyscall && o.M[on].P < 0
	}
}

func (o *Obs) setP(p int32, st ProcState, on int32) {
	ps := &o.P[p]
	if ps.M >= 0 && o.M[ps.M].P == p {
		o.M[ps.M].P = -1
	}
	ps.State, ps.M = st, -1
	if st == ProcRunning {
		if old := o.M[on].P; old >= 0 && old != p {
			o.P[old].M = -1
		}
		ps.M = on
		o.M[on].P = p
		o.M[on].LostP = false
	}
}

// --- Observable invariants: the model's properties whose fields a trace
// shows. The model satisfies them in every reachable state
// (TestObservable); Step checks them on what each event touched.

// ObsInvariant is an observable property, for docs and messages.
type ObsInvariant struct {
	Name, Statement, From string
}

// ObsInvariants lists the observable invariants.
func ObsInvariants() []ObsInvariant {
	return []ObsInvariant{
		{"obs-g-on-one-m", "a running or syscalling goroutine is on exactly one thread, and that thread's goroutine is it; no other goroutine is on a thread", "g-in-one-place"},
		{"obs-p-owned-once", "a running P is held by exactly one thread, and that thread's P is it; an idle P is held by none", "p-owned-once"},
		{"obs-running-g-has-p", "the thread of a running goroutine holds a P", "g-in-one-place, p-owned-once (execute runs with a P; a syscall that lost its P ends blocked)"},
	}
}

func (o *Obs) checkTouched(e *ObsEvent) *Rejection {
	for i := 0; i < o.ntg; i++ {
		if r := o.checkG(e, o.tg[i]); r != nil {
			return r
		}
	}
	for i := 0; i < o.ntp; i++ {
		if r := o.checkP(e, o.tp[i]); r != nil {
			return r
		}
	}
	for i := 0; i < o.ntm; i++ {
		if r := o.checkM(e, o.tm[i]); r != nil {
			return r
		}
	}
	return nil
}

func (o *Obs) checkG(e *ObsEvent, g int32) *Rejection {
	gs := &o.G[g]
	switch gs.State {
	case GoRunning, GoSyscall:
		if gs.M < 0 || o.M[gs.M].G != g {
			return o.rej(e, "obs-g-on-one-m", "%s is %v on m%d, which runs %s", gStr(g), gs.State, gs.M, gStr(o.mG(gs.M)))
		}
		if gs.State == GoRunning && o.M[gs.M].P < 0 {
			return o.rej(e, "obs-running-g-has-p", "%s runs on m%d, which holds no P", gStr(g), gs.M)
		}
	default:
		if gs.M >= 0 {
			return o.rej(e, "obs-g-on-one-m", "%s is %v but on m%d", gStr(g), gs.State, gs.M)
		}
	}
	return nil
}

func (o *Obs) checkP(e *ObsEvent, p int32) *Rejection {
	ps := &o.P[p]
	if ps.State == ProcRunning {
		if ps.M < 0 || o.M[ps.M].P != p {
			return o.rej(e, "obs-p-owned-once", "P%d is running on m%d, which holds %s", p, ps.M, pStr(o.mP(ps.M)))
		}
	} else if ps.M >= 0 {
		return o.rej(e, "obs-p-owned-once", "P%d is %v but held by m%d", p, ps.State, ps.M)
	}
	return nil
}

func (o *Obs) checkM(e *ObsEvent, m int32) *Rejection {
	mm := &o.M[m]
	if mm.G >= 0 {
		g := &o.G[mm.G]
		if g.M != m || (g.State != GoRunning && g.State != GoSyscall) {
			return o.rej(e, "obs-g-on-one-m", "m%d runs %s, which is %v%s", m, gStr(mm.G), g.State, o.onStr(g.M))
		}
		if g.State == GoRunning && mm.P < 0 {
			return o.rej(e, "obs-running-g-has-p", "m%d runs %s without a P", m, gStr(mm.G))
		}
	}
	if mm.P >= 0 {
		if p := &o.P[mm.P]; p.State != ProcRunning || p.M != m {
			return o.rej(e, "obs-p-owned-once", "m%d holds P%d, which is %v%s", m, mm.P, p.State, o.heldStr(p.M))
		}
	}
	return nil
}

// CheckAll checks the observable invariants on the whole state.
func (o *Obs) CheckAll() *Rejection {
	e := &ObsEvent{Kind: EvNone, M: -1, G: -1, P: -1, CtxP: NoCtx, CtxG: NoCtx}
	for g := range o.G {
		if r := o.checkG(e, int32(g)); r != nil {
			return r
		}
	}
	for p := range o.P {
		if r := o.checkP(e, int32(p)); r != nil {
			return r
		}
	}
	for m := range o.M {
		if r := o.checkM(e, int32(m)); r != nil {
			return r
		}
	}
	return nil
}

// Allowed lists the events the machine would accept now about the objects
// of e (its goroutine, its P, its thread), each with the model steps that
// make it: what a rejection prints as the alternatives.
func (o *Obs) Allowed(e *ObsEvent) []string {
	var out []string
	try := func(c ObsEvent) {
		cl := o.Clone()
		if cl.Step(&c) == nil {
			out = append(out, fmt.Sprintf("%s (%s)", o.describe(&c), strings.Join(StepsFor(c.Kind), ", ")))
		}
	}
	base := ObsEvent{M: e.M, G: -1, P: -1, CtxP: NoCtx, CtxG: NoCtx}
	if e.G >= 0 && int(e.G) < len(o.G) {
		for k := EvGoCreate; k < EvProcStart; k++ {
			c := base
			c.Kind, c.G = k, e.G
			if k == EvGoStop || k == EvGoBlock || k == EvGoDestroy || k == EvGoSyscallBegin || k == EvGoSyscallEnd || k == EvGoSyscallEndBlocked {
				c.M = o.G[e.G].M // only its own thread can
			}
			if c.M >= 0 || k == EvGoCreate || k == EvGoUnblock || k == EvGoCreateBlocked {
				try(c)
			}
		}
	}
	if e.P >= 0 && int(e.P) < len(o.P) && e.M >= 0 && int(e.M) < len(o.M) {
		for k := EvProcStart; k <= EvProcSteal; k++ {
			c := base
			c.Kind, c.P = k, e.P
			try(c)
		}
	}
	if e.M >= 0 && int(e.M) < len(o.M) && o.M[e.M].P >= 0 && e.P != o.M[e.M].P {
		c := base
		c.Kind, c.P = EvProcStop, o.M[e.M].P
		try(c)
	}
	return out
}

// StepsFor lists the model steps that make events of kind k, or says why
// none does.
func StepsFor(k EvKind) []string {
	if s, ok := obsSteps[k]; ok {
		return slices.Clone(s)
	}
	switch k {
	case EvGoCreateBlocked:
		return []string{"no model step: " + AbsCreateParked.Why()}
	case EvGoStatus, EvProcStatus:
		return []string{"a status report, not a step"}
	}
	return nil
}

// An Abstraction is a mechanism of the runtime that the model lacks, whose
// events Obs accepts (with Abstractions on) under a rule of its own.
// docs/model.md ("What a trace shows") gives each with its reason.
type Abstraction uint8

const (
	AbsNone Abstraction = iota
	// AbsCreateParked: a coroutine created parked (GoCreateBlocked).
	AbsCreateParked
	// AbsSyscallHandoff: a thread gives up its P while its goroutine is
	// in a syscall (ProcStop with the G in a syscall).
	AbsSyscallHandoff
	// AbsSTWSteal: a thread that holds a P takes another thread's P
	// from its syscall (ProcSteal by a thread with a P).
	AbsSTWSteal
	// AbsResize: a P created or destroyed (GOMAXPROCS changed).
	AbsResize
	// AbsTimerGo: a goroutine created by a thread that runs none (a
	// timer's function, time.AfterFunc).
	AbsTimerGo
	numAbstraction
)

var absNames = [numAbstraction]string{"", "coroutine created parked", "P handed off in a syscall", "stop-the-world steal", "GOMAXPROCS change", "goroutine started by a timer"}

func (a Abstraction) String() string { return absNames[a] }

// Why says what the runtime does that the model does not.
func (a Abstraction) Why() string {
	switch a {
	case AbsCreateParked:
		return "a coroutine (iter.Pull) is created parked (newproc1's parked argument, proc.go:5313-5427, from coro.go's newcoro); the model creates every goroutine runnable"
	case AbsSyscallHandoff:
		return "entersyscallblock hands its P off at once (proc.go:4791-4861), entersyscall gives it to a pending stop-the-world (entersyscallHandleGCWait, proc.go:4755-4777), and exitsyscall pretends a steal when syscalltick was changed under it (proc.go:4943-4952); the model's syscalls keep their P until retake or exitsyscall takes it"
	case AbsSTWSteal:
		return "stopTheWorldWithSema takes the Ps of syscalling threads while holding its own (proc.go:1669-1670, gcstopP 6800-6806); the model has no stop-the-world"
	case AbsResize:
		return "procresize creates and destroys Ps when GOMAXPROCS changes (proc.go:6030-6251); the model's GOMAXPROCS is fixed"
	case AbsTimerGo:
		return "a timer's function runs in the scheduler, on a thread with no goroutine, and time.AfterFunc's starts a goroutine there (time/sleep.go goFunc); the model's timers only ready their sleeper, and its goroutines are created by running goroutines"
	}
	return ""
}

// Abstractions lists the abstractions, for documentation.
func Abstractions() []Abstraction {
	var as []Abstraction
	for a := AbsNone + 1; a < numAbstraction; a++ {
		as = append(as, a)
	}
	return as
}

// --- Presentation.

func gStr(g int32) string {
	if g < 0 {
		return "no G"
	}
	return fmt.Sprintf("g%d", g)
}

func pStr(p int32) string {
	if p < 0 {
		return "no P"
	}
	return fmt.Sprintf("P%d", p)
}

func (o *Obs) mG(m int32) int32 {
	if m < 0 || int(m) >= len(o.M) {
		return -1
	}
	return o.M[m].G
}

func (o *Obs) mP(m int32) int32 {
	if m < 0 || int(m) >= len(o.M) {
		return -1
	}
	return o.M[m].P
}

func (o *Obs) onStr(m int32) string {
	if m < 0 {
		return ""
	}
	return fmt.Sprintf(" on m%d", m)
}

func (o *Obs) heldStr(m int32) string {
	if m < 0 {
		return ""
	}
	return fmt.Sprintf(" (held by m%d)", m)
}

func (o *Obs) gDesc(g int32) string {
	if g < 0 {
		return "none"
	}
	return fmt.Sprintf("g%d (%v)", g, o.G[g].State)
}

func (o *Obs) describe(e *ObsEvent) string {
	switch {
	case e.Kind >= EvProcStart && e.Kind <= EvProcSteal:
		return fmt.Sprintf("%v P%d by m%d", e.Kind, e.P, e.M)
	case e.M >= 0:
		return fmt.Sprintf("%v g%d on m%d", e.Kind, e.G, e.M)
	}
	return fmt.Sprintf("%v g%d", e.Kind, e.G)
}

// Describe renders e in the machine's terms (ids as the machine's).
func (o *Obs) Describe(e *ObsEvent) string { return o.describe(e) }

// ObsNames names the machine's ids in output: a trace's own ids, or the
// model's names. Nil fields print the dense ids.
type ObsNames struct {
	G, P, M func(id int32) string
}

// Format renders o in the schedtrace form of Model.FormatState: a SCHED
// line, the Ps, the Ms that hold a P or run a G, and the goroutines that
// are running or in a syscall (with counts of the others).
func (o *Obs) Format(n ObsNames) string {
	gn, pn, mn := n.G, n.P, n.M
	if gn == nil {
		gn = func(id int32) string { return gStr(id) }
	}
	if pn == nil {
		pn = func(id int32) string { return pStr(id) }
	}
	if mn == nil {
		mn = func(id int32) string { return fmt.Sprintf("m%d", id) }
	}
	opt := func(f func(int32) string, id int32, none string) string {
		if id < 0 {
			return none
		}
		return f(id)
	}
	var count [numGoState]int
	for _, g := range o.G {
		count[g.State]++
	}
	np, idle := 0, 0
	for _, p := range o.P {
		if p.State != ProcNotExist {
			np++
		}
		if p.State == ProcIdle {
			idle++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SCHED: gomaxprocs=%d idleprocs=%d threads=%d runnable=%d running=%d syscall=%d waiting=%d\n",
		np, idle, len(o.M), count[GoRunnable], count[GoRunning], count[GoSyscall], count[GoWaiting])
	for p, ps := range o.P {
		if ps.State == ProcNotExist {
			continue
		}
		fmt.Fprintf(&b, "  %s: status=%v m=%s\n", pn(int32(p)), ps.State, opt(mn, ps.M, "nil"))
	}
	for m, ms := range o.M {
		if ms.P < 0 && ms.G < 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s: p=%s curg=%s", mn(int32(m)), opt(pn, ms.P, "nil"), opt(gn, ms.G, "nil"))
		if ms.LostP {
			b.WriteString(" (lost its P in the syscall)")
		}
		b.WriteByte('\n')
	}
	for g, gs := range o.G {
		if gs.State != GoRunning && gs.State != GoSyscall {
			continue
		}
		fmt.Fprintf(&b, "  %s: status=%v m=%s\n", gn(int32(g)), gs.State, opt(mn, gs.M, "nil"))
	}
	return strings.TrimRight(b.String(), "\n")
}

// evGuards states each event kind's guard for ObservationDoc; guard holds
// the code.
var evGuards = [numEvKind]string{
	EvGoCreate:            "the goroutine does not exist; the thread runs a goroutine and holds a P (newproc runs on the creator's stack; from the scheduler: abstraction)",
	EvGoCreateBlocked:     "the goroutine does not exist (abstraction: created parked)",
	EvGoStart:             "runnable; the thread holds a P and runs no goroutine (`running-g-has-p`, `g-in-one-place`)",
	EvGoStop:              "running on this thread (`g-in-one-place`)",
	EvGoBlock:             "running on this thread (`g-in-one-place`)",
	EvGoUnblock:           "waiting",
	EvGoDestroy:           "running on this thread (`g-in-one-place`)",
	EvGoSyscallBegin:      "running on this thread, which holds a P (`running-g-has-p`)",
	EvGoSyscallEnd:        "in a syscall on this thread, which kept its P throughout (`syscall-exit-path`)",
	EvGoSyscallEndBlocked: "in a syscall on this thread, which lost its P during it (`syscall-exit-path`)",
	EvProcStart:           "the P is idle and the thread holds none (`p-owned-once`)",
	EvProcStop:            "the P is the thread's own and the thread runs no goroutine (`p-owned-once`, `releasep-without-g`; with the goroutine in a syscall: abstraction)",
	EvProcSteal:           "the P is another thread's, whose goroutine is in a syscall, and the stealer holds no P (`p-owned-once`, `steal-only-in-syscall`; a stealer with a P: abstraction)",
	EvGoStatus:            "none (sets the state); a repeated report must match (`status-matches`)",
	EvProcStatus:          "none (sets the state); a repeated report must match (`status-matches`)",
}

// ObservationDoc renders the observation for docs/model.md: each event
// kind with its transition, guard and the model steps that make it; the
// abstractions; the observable invariants.
func ObservationDoc() string {
	var b strings.Builder
	b.WriteString("| event | transition | guard | model steps that make it |\n|---|---|---|---|\n")
	for _, k := range EvKinds() {
		tr := ""
		switch {
		case k < EvProcStart:
			tr = fmt.Sprintf("G %v → %v", goFrom[k], goTo[k])
		case k == EvProcStart:
			tr = "P idle → running"
		case k == EvProcStop, k == EvProcSteal:
			tr = "P running → idle"
		default:
			tr = "(status)"
		}
		steps := StepsFor(k)
		for i, s := range steps {
			if !strings.HasPrefix(s, "no model step") && !strings.HasPrefix(s, "a status") {
				steps[i] = "`" + s + "`"
			}
		}
		fmt.Fprintf(&b, "| %v | %s | %s | %s |\n", k, tr, evGuards[k], strings.Join(steps, ", "))
	}
	b.WriteString("\nAbstractions (accepted unless `gmpcheck validate -strict`):\n\n| abstraction | what the runtime does that the model does not |\n|---|---|\n")
	for _, a := range Abstractions() {
		fmt.Fprintf(&b, "| %v | %s |\n", a, a.Why())
	}
	b.WriteString("\nObservable invariants, checked after every event on what it touched:\n\n| invariant | statement | from |\n|---|---|---|\n")
	for _, inv := range ObsInvariants() {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", inv.Name, inv.Statement, inv.From)
	}
	return b.String()
}
