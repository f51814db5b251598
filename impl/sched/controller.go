package sched

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// A Controller drives a scheduler in ModeControl: every M waits at its
// step points until the controller names it, with the choice it makes.
// This is how a counterexample of the spec is replayed on the running
// code (spec/twin_sched_test.go): the controller takes the trace's
// actions one by one, and after each step compares the twin's snapshot
// with the spec's state.
type Controller struct {
	s       *Sched
	timeout time.Duration
	started bool
	stopped bool
	res     *Result

	releasedAt    time.Time
	busyAtRelease time.Duration
}

// NewController returns a controller of a new scheduler. cfg.Mode is set
// to ModeControl; cfg.Watchdog bounds each wait for an M (default 5s).
func NewController(cfg Config) (*Controller, error) {
	cfg.Mode = ModeControl
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Controller{s: s, timeout: s.cfg.Watchdog}, nil
}

// Start starts the threads: m0 runs main, sysmon starts.
func (c *Controller) Start() {
	if !c.started {
		c.started = true
		c.s.start = time.Now()
		c.s.startThreads()
	}
}

// At reports, for each M at a step point, the step it waits to take.
func (c *Controller) At() map[int]string {
	h := c.s.h
	h.cmu.Lock()
	defer h.cmu.Unlock()
	at := make(map[int]string, len(h.gate))
	for m, l := range h.gate {
		at[m] = l
	}
	return at
}

// Next waits for M m to come to a step point and returns the step it
// waits to take, or fails after the timeout (m is blocked).
func (c *Controller) Next(m int) (string, error) {
	h := c.s.h
	deadline := time.Now().Add(c.timeout)
	for {
		h.cmu.Lock()
		at, ok := h.gate[m]
		h.cmu.Unlock()
		if ok {
			return at, nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return "", fmt.Errorf("m%d did not come to a step point within %v: %s", m, c.timeout, c.where(m))
		}
		select {
		case <-h.arrive:
		case <-time.After(min(wait, 10*time.Millisecond)):
		}
	}
}

// Step lets M m take its next step, which must be label, with the given
// choice, and returns the step's event. It fails, without waiting for
// ever, if m does not come to a step point within the timeout (it is
// blocked: in a futex sleep, a system call, a poll), if its next step is
// another, or if the twin disagrees with the choice.
func (c *Controller) Step(m int, label string, choice int) (*Event, error) {
	s, h := c.s, c.s.h
	if s.over.Load() {
		return nil, fmt.Errorf("m%d %s: the run is over", m, label)
	}
	deadline := time.Now().Add(c.timeout)
	for {
		h.cmu.Lock()
		at, ok := h.gate[m]
		if ok {
			delete(h.gate, m)
		}
		h.cmu.Unlock()
		if ok {
			if at != label {
				h.cmu.Lock()
				h.gate[m] = at
				h.cmu.Unlock()
				return nil, fmt.Errorf("m%d is at step %q; the spec's action is %q", m, at, label)
			}
			break
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, fmt.Errorf("m%d did not come to step %q within %v: %s", m, label, c.timeout, c.where(m))
		}
		select {
		case <-h.arrive:
		case <-time.After(min(wait, 10*time.Millisecond)):
		}
	}
	mp := s.ms()[m]
	mp.grant <- choice
	select {
	case ev := <-h.stepEnd:
		if msg := h.failure(); msg != "" {
			return ev, fmt.Errorf("%s", msg)
		}
		return ev, nil
	case <-time.After(c.timeout):
		return nil, fmt.Errorf("m%d did not finish step %q within %v", m, label, c.timeout)
	}
}

// where says what M m is doing, for an error.
func (c *Controller) where(m int) string {
	ms := c.s.ms()
	if m < 0 || m >= len(ms) || ms[m] == nil {
		return fmt.Sprintf("m%d does not exist", m)
	}
	at := ""
	if a := ms[m].at.Load(); a != nil {
		at = *a
	}
	return fmt.Sprintf("it is blocked before step %q (a futex sleep, a system call or a poll); Ms at step points: %s", at, c.atString())
}

func (c *Controller) atString() string {
	at := c.At()
	var ids []int
	for m := range at {
		ids = append(ids, m)
	}
	sort.Ints(ids)
	var b []string
	for _, m := range ids {
		b = append(b, fmt.Sprintf("m%d %s", m, at[m]))
	}
	return strings.Join(b, ", ")
}

// NetReady is the environment's event "netpoll.ready": g's descriptor
// becomes ready.
func (c *Controller) NetReady(g int) (*Event, error) {
	s := c.s
	gs := s.gs()
	if g < 0 || g >= len(gs) || !s.makeReady(gs[g]) {
		return nil, fmt.Errorf("netpoll.ready(g%d): g%d does not wait on the network", g, g)
	}
	return &Event{M: -1, Label: "netpoll.ready", Arg: g, Snap: s.snapshot()}, nil
}

// Snapshot reads the state between steps.
func (c *Controller) Snapshot() *Snapshot { return c.s.snapshot() }

// Release lets every M run freely from now on, as in ModeRun, with the
// runtime's own decisions (by the clock, schedtick, at random): the state
// a trace led the twin to goes on running as real code. Snapshot may not
// be called after Release. With sample > 0 the run then samples the
// work-conservation condition (Result.Stranded).
func (c *Controller) Release(sample time.Duration) {
	s, h := c.s, c.s.h
	now := time.Now()
	for _, mp := range s.ms() {
		if mp != nil && !mp.userStart.IsZero() {
			mp.userStart = now // utilisation counts from here
		}
	}
	for _, pp := range s.allp {
		c.busyAtRelease += time.Duration(pp.busy.Load())
	}
	c.releasedAt = now
	h.released.Store(true)
	close(h.free)
	if sample > 0 {
		s.cfg.Sample = sample
		s.wg.Add(1)
		go s.sample()
	}
	if s.cfg.Netpoll {
		s.wg.Add(1)
		go s.netEnv()
	}
}

// Wait waits, after Release, for the run to end (or for timeout, which
// ends it as the watchdog would), and returns the result with the wall
// time and the Ps' busy time since Release.
func (c *Controller) Wait(timeout time.Duration) (r *Result, wall, busy time.Duration) {
	s := c.s
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.end(func() { s.watchdog = fmt.Sprintf("the released run is not over after %v", timeout) })
	}
	c.stopped = true
	c.res = s.finish()
	end := s.start.Add(c.res.Wall)
	return c.res, end.Sub(c.releasedAt), c.res.Busy - c.busyAtRelease
}

// Stop ends the run and waits for the threads.
func (c *Controller) Stop() *Result {
	if c.stopped {
		return c.res
	}
	c.stopped = true
	c.s.end(func() {})
	c.res = c.s.finish()
	return c.res
}
