package sched

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmpspec/gmpspec/impl/runq"
)

// Step points.
//
// The twin's code is cut at the spec's step boundaries: each spec step is
// one stretch of code that begins with a step point, mp.step("label"), and
// runs until the M's next step point, or until it is about to block outside
// the scheduler (a futex sleep, a system call, user code), where it calls
// mp.pause("next label"). In ModeRun the step points do nothing but a nil
// check. In ModeLog every step runs holding one global step lock, so steps
// are atomic with respect to each other exactly as the spec's are, and at
// its end the step is logged with a snapshot of the shared state. In
// ModeControl every step waits for the Controller to name the M that moves;
// after Controller.Release the Ms run as in ModeRun.
//
// An M never blocks holding the step lock. A step that the spec enables
// only under a condition (a lock acquisition: the lock is free; exitsyscall's
// CAS: the scan bit is clear; a wait object's lock) has a guard: if the
// guard is false, the M lets the step lock go without logging and tries
// again, as the spec's step is simply not enabled meanwhile.

// An Event is one step of the twin, as the spec would name it.
type Event struct {
	M      int    // the M; -1 for the environment
	Label  string // the spec's step name (spec's steps[pc].name), or the environment's event
	Choice int    // the choice the step made, numbered as the spec's choices
	Arg    int    // the environment's event: the G
	Snap   *Snapshot
}

func (e *Event) String() string {
	if e.M < 0 {
		return fmt.Sprintf("env %s(g%d)", e.Label, e.Arg)
	}
	return fmt.Sprintf("m%d %s #%d", e.M, e.Label, e.Choice)
}

type harness struct {
	s    *Sched
	mode Mode

	mu     sync.Mutex // the step lock
	cur    *m         // the M in a step; guarded by mu (ModeLog) or the controller's turn
	rng    uint64     // guarded by mu
	events []Event    // guarded by mu
	steps  atomic.Int64

	// ModeControl.
	cmu     sync.Mutex
	gate    map[int]string // the Ms waiting at a step point, and its label
	arrive  chan struct{}  // an M arrived at a step point
	stepEnd chan *Event    // the granted step ended
	dying   chan struct{}  // closed at the end of the run
	// Controller.Release: from then on the Ms run freely, as in
	// ModeRun.
	released atomic.Bool
	free     chan struct{}
	errMu    sync.Mutex
	err      string // a disagreement the twin found with the controller's step
}

func newHarness(s *Sched) *harness {
	h := &harness{s: s, mode: s.cfg.Mode, rng: s.cfg.Seed*0x2545F4914F6CDD1D + 7, dying: make(chan struct{}), free: make(chan struct{})}
	if h.mode == ModeControl {
		h.gate = map[int]string{}
		h.arrive = make(chan struct{}, 1)
		h.stepEnd = make(chan *Event, 1)
	}
	return h
}

// step ends the M's current step, if it is in one, and begins step label.
func (mp *m) step(label string) {
	if h := mp.sched.h; h != nil && !h.released.Load() {
		h.end(mp, label)
		h.begin(mp, label, nil)
	}
}

// stepWhen is step for a step the spec enables only when enabled holds;
// enabled is evaluated in the step, and may take what it tests for (a
// TryLock).
func (mp *m) stepWhen(label string, enabled func() bool) {
	if h := mp.sched.h; h != nil && !h.released.Load() {
		h.end(mp, label)
		h.begin(mp, label, enabled)
	}
}

// pause ends the M's step before it blocks outside the scheduler; next is
// the step it takes when it comes back.
func (mp *m) pause(next string) {
	if h := mp.sched.h; h != nil && !h.released.Load() {
		h.end(mp, next)
	}
}

// decide makes one of the step's n choices, numbered as the spec numbers
// them; run is the choice the scheduler makes in ModeRun (by time, by
// schedtick, at random as the runtime does).
func (mp *m) decide(n, run int) int {
	h := mp.sched.h
	if h == nil || h.released.Load() {
		return run
	}
	if n <= 1 {
		return 0
	}
	mp.decided = true
	if h.mode == ModeControl {
		if mp.choice >= n {
			h.fail(fmt.Sprintf("m%d %s: the spec's choice #%d, but the twin has %d choices here", mp.id, mp.label, mp.choice, n))
			panic(errRunOver)
		}
		return mp.choice
	}
	h.rng += 0x9E3779B97F4A7C15
	z := h.rng
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	c := int((z ^ (z >> 31)) % uint64(n))
	mp.choice = c
	return c
}

// begin waits for the M's turn and begins step label.
func (h *harness) begin(mp *m, label string, enabled func() bool) {
	mp.setAt(label)
	if h.mode == ModeControl {
		h.cmu.Lock()
		h.gate[mp.id] = label
		h.cmu.Unlock()
		select {
		case h.arrive <- struct{}{}:
		default:
		}
		var ch int
		select {
		case ch = <-mp.grant:
		case <-h.free:
			// Released: take the step as ModeRun would.
			mp.inStep = false
			for enabled != nil && !enabled() {
				runtime.Gosched()
				mp.checkOver()
			}
			return
		case <-h.dying:
			panic(errRunOver)
		}
		mp.inStep, mp.label, mp.choice, mp.decided = true, label, ch, false
		h.cur = mp
		if enabled != nil && !enabled() {
			h.fail(fmt.Sprintf("m%d %s: the spec takes this step, but the twin's guard does not hold", mp.id, label))
			mp.stop()
		}
		return
	}
	for tries := 0; ; tries++ {
		h.mu.Lock()
		if h.s.over.Load() {
			h.mu.Unlock()
			panic(errRunOver)
		}
		if enabled == nil || enabled() {
			break
		}
		h.mu.Unlock()
		if tries < 50 {
			runtime.Gosched()
		} else {
			time.Sleep(time.Duration(1+mp.fastrand()%20) * time.Microsecond)
		}
	}
	mp.inStep, mp.label, mp.choice, mp.decided = true, label, 0, false
	h.cur = mp
}

// end ends the M's step, if it is in one: the event is logged with the
// state the step left, and the M's turn ends.
func (h *harness) end(mp *m, next string) {
	mp.setAt(next)
	if !mp.inStep {
		return
	}
	mp.inStep = false
	h.cur = nil
	ev := Event{M: mp.id, Label: mp.label, Choice: mp.choice, Snap: h.s.snapshot()}
	if h.mode == ModeControl {
		if mp.choice != 0 && !mp.decided {
			h.fail(fmt.Sprintf("m%d %s: the spec chose #%d, but the twin made no choice in this step", mp.id, mp.label, mp.choice))
		}
		h.steps.Add(1)
		h.stepEnd <- &ev
		return
	}
	h.events = append(h.events, ev)
	if n := h.steps.Add(1); n >= int64(h.s.cfg.MaxSteps) && !h.s.over.Load() {
		h.s.end(func() {
			h.s.watchdog = fmt.Sprintf("%d steps without the program ending\n%s", n, ev.Snap)
		})
	}
	h.mu.Unlock()
	// Shake the interleaving: the OS schedules the Ms, these pauses
	// let other threads in.
	switch r := mp.fastrand() % 64; {
	case r < 16:
		runtime.Gosched()
	case r < 18:
		time.Sleep(time.Duration(mp.fastrand()%30) * time.Microsecond)
	}
}

// fail records a disagreement between the twin and the controller.
func (h *harness) fail(msg string) {
	h.errMu.Lock()
	if h.err == "" {
		h.err = msg
	}
	h.errMu.Unlock()
}

func (h *harness) failure() string {
	h.errMu.Lock()
	defer h.errMu.Unlock()
	return h.err
}

func (h *harness) wakeAll() {
	select {
	case <-h.dying:
	default:
		close(h.dying)
	}
}

// runqSite turns impl/runq's Sites into the spec's step boundaries inside
// runqput, runqgrab and runqsteal. Only the M in its step gets there.
func (h *harness) runqSite(site runq.Site) {
	var label string
	switch site {
	case runq.SiteRunqputKick:
		label = "runqput.tail"
	case runq.SiteRunqgrabRunnext:
		label = "runqgrab.next"
	case runq.SiteRunqgrabRetry:
		label = "runqgrab.retry"
	case runq.SiteRunqstealPublish:
		label = "runqsteal.publish"
	default:
		return
	}
	if !h.released.Load() {
		h.cur.step(label)
	}
}

// stealBackoff is runqgrab's back-off before the runnext CAS: a step
// boundary ("runqsteal.runnext").
func (h *harness) stealBackoff() {
	if h.released.Load() {
		runtime.Gosched()
		return
	}
	h.cur.step("runqsteal.runnext")
}

// envStep runs an event of the environment as a step, and logs it if it
// happened.
func (h *harness) envStep(label string, f func() (g int, ok bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.s.over.Load() {
		return
	}
	g, ok := f()
	if !ok {
		return
	}
	h.events = append(h.events, Event{M: -1, Label: label, Arg: g, Snap: h.s.snapshot()})
	h.steps.Add(1)
}

// watch ends a run that makes no progress (ModeLog: no step for
// Watchdog; ModeRun: not over after Watchdog), with the state.
func (s *Sched) watch() {
	d := s.cfg.Watchdog
	if s.h == nil {
		select {
		case <-s.done:
		case <-time.After(d):
			s.end(func() { s.watchdog = fmt.Sprintf("the run is not over after %v", d) })
		}
		return
	}
	if s.h.mode == ModeControl {
		return // the Controller times out each step
	}
	last, since := int64(-1), time.Now()
	t := time.NewTicker(d / 20)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		n := s.h.steps.Load()
		if n != last {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) < d {
			continue
		}
		state := "(the step lock is held: no snapshot)"
		if s.h.mu.TryLock() {
			state = s.snapshot().String()
			s.h.mu.Unlock()
		}
		s.end(func() { s.watchdog = fmt.Sprintf("no step for %v: the twin is stuck\n%s", d, state) })
		return
	}
}
