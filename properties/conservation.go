package properties

import (
	"fmt"
	"math/bits"

	"github.com/gmpspec/gmpspec/spec"
)

// Conservation of goroutines.
//
// A goroutine is never lost (it is somewhere the scheduler or the
// environment will find it again) and never duplicated (it is in at most one
// place that runs it or will run it), and over a whole run it is created once,
// by its parent's go statement, and destroyed once, by its own exit. The
// spec's invariant g-in-one-place checks the first half state by state from
// each G's status; the Ledger counts places without looking at the status
// where it can, and adds what no single state can say: the history.
//
// The places a G can be:
//   - queued: a slot of a P's local run queue, a P's runnext, the global
//     run queue;
//   - on an M: the M's curg;
//   - on a wait object's waiter set (sched.ObjWait), or the GC's list of
//     goroutines waiting for the mark phase to end (World.MarkWaiter);
//   - with the environment: waiting on the network, on a timer or, for
//     forcegc's helper, on forcegc.idle;
//   - in transit: in a local variable of an M (a G to run, to ready, to
//     put; a batch or a list of Gs).
//
// Lost: a G that is not dead and in none of these places. Duplicated: a G in
// two queue slots, on two Ms, on two wait objects, or in a queue and on an M
// or a wait object. A G on an M may already be on a wait object's waiter set:
// park takes the object's lock and enqueues the G before park_m changes its
// status and drops it (proc.go:4253-4305).

// Wait reasons that leave a G with the environment (spec/state.go: waitNet,
// waitTimer, waitForcegc).
const (
	waitNet     = 8
	waitTimer   = 9
	waitForcegc = 10
)

// A Ledger follows one run and checks each step for conservation.
type Ledger struct {
	c       *spec.Config
	started uint16 // Gs created so far (main and forcegc's helper from the start)
	exited  uint16 // Gs destroyed so far
}

// NewLedger starts the ledger of a run of c at its initial state.
func NewLedger(c *spec.Config) *Ledger {
	l := &Ledger{c: c, started: 1}
	if c.Forcegc {
		l.started |= 1 << len(c.Gs)
	}
	return l
}

// Places counts where each G is in s.
type Places struct {
	Queued, OnM, OnObj [spec.MaxG]int
	Held               uint8 // Gs in some M's local variables
}

// CountPlaces counts the places of every G in s.
func CountPlaces(c *spec.Config, s *spec.State) Places {
	var p Places
	for i := 0; i < c.GOMAXPROCS; i++ {
		pp := &s.P[i]
		for _, g := range pp.Runq[:pp.RunqN] {
			p.Queued[g-1]++
		}
		if pp.Runnext != 0 {
			p.Queued[pp.Runnext-1]++
		}
	}
	for _, g := range s.Sched.Runq[:s.Sched.RunqN] {
		p.Queued[g-1]++
	}
	for i := range s.M {
		m := &s.M[i]
		if !m.Created {
			continue
		}
		if m.CurG != 0 {
			p.OnM[m.CurG-1]++
		}
		for _, g := range []uint8{m.LG, m.LG2} {
			if g != 0 {
				p.Held |= 1 << (g - 1)
			}
		}
		for _, g := range m.Q[:m.QN] {
			p.Held |= 1 << (g - 1)
		}
		p.Held |= m.List | m.List2
		if g := s.World.LockedG[i]; g != 0 && m.Park != 0 {
			// startlockedm woke the M locked to g and handed g over.
			p.Held |= 1 << (g - 1)
		}
	}
	for k := range s.Sched.ObjWait {
		for w := s.Sched.ObjWait[k]; w != 0; w &= w - 1 {
			p.OnObj[bits.TrailingZeros8(w)]++
		}
	}
	if g := s.World.MarkWaiter; g != 0 {
		// gcWaitOnMark's waiter list (work.sweepWaiters).
		p.OnObj[g-1]++
	}
	return p
}

func ng(c *spec.Config) int {
	if c.Forcegc {
		return len(c.Gs) + 1
	}
	return len(c.Gs)
}

// Check checks the step from prev by a (taken by M actor, or -1 for the
// environment) to next. It returns a description of the first violation,
// or "".
func (l *Ledger) Check(prev *spec.State, a spec.Action, actor int, next *spec.State) string {
	c := l.c
	p := CountPlaces(c, next)
	for g := 0; g < ng(c); g++ {
		gs := &next.G[g]
		name := gLabel(c, g)
		q, m, o, h := p.Queued[g], p.OnM[g], p.OnObj[g], p.Held&(1<<g) != 0
		switch {
		case q > 1 || m > 1 || o > 1 || q+m > 1 || q+o > 1:
			return fmt.Sprintf("goroutine %s duplicated: %d queue slots, on %d Ms, on %d wait objects", name, q, m, o)
		case gs.Status == gDead && q+m+o > 0:
			return fmt.Sprintf("dead goroutine %s still has a place: %d queue slots, on %d Ms, on %d wait objects", name, q, m, o)
		case gs.Status != gDead && q+m+o == 0 && !h &&
			!(gs.Status == gWaiting && (gs.Wait == waitNet || gs.Wait == waitTimer || gs.Wait == waitForcegc)):
			return fmt.Sprintf("goroutine %s lost: status %d, in no queue, on no M or wait object, held by no M", name, gs.Status)
		}
	}
	// The history: program counters move by one, on the G's own M.
	for g := range c.Gs {
		was, now := prev.G[g].PC, next.G[g].PC
		if now == was {
			continue
		}
		if now != was+1 || actor < 0 || prev.M[actor].CurG != uint8(g+1) {
			return fmt.Sprintf("goroutine %s's program counter moved %d->%d on a step of %s", gLabel(c, g), was, now, actorName(actor))
		}
	}
	for g := 0; g < ng(c); g++ {
		wasDead, isDead := prev.G[g].Status == gDead, next.G[g].Status == gDead
		switch {
		case wasDead && !isDead:
			// Created: by the actor's G running "go g".
			if l.started&(1<<g) != 0 {
				return fmt.Sprintf("goroutine %s created twice", gLabel(c, g))
			}
			if actor < 0 || prev.M[actor].CurG == 0 {
				return fmt.Sprintf("goroutine %s created by %s, which runs no goroutine", gLabel(c, g), actorName(actor))
			}
			parent := int(prev.M[actor].CurG - 1)
			if in, ok := instrAt(c, prev, parent); !ok || in.Op != spec.OpGo || in.Arg != g {
				return fmt.Sprintf("goroutine %s created while %s runs %s, not go %s", gLabel(c, g), gLabel(c, parent), in, gLabel(c, g))
			}
			l.started |= 1 << g
		case !wasDead && isDead:
			// Destroyed: by its own exit, on its own M.
			if g >= len(c.Gs) {
				return "forcegc's helper died"
			}
			if actor < 0 || prev.M[actor].CurG != uint8(g+1) {
				return fmt.Sprintf("goroutine %s destroyed by %s, which does not run it", gLabel(c, g), actorName(actor))
			}
			if in, ok := instrAt(c, prev, g); ok && in.Op != spec.OpExit {
				return fmt.Sprintf("goroutine %s destroyed at %s", gLabel(c, g), in)
			}
			l.exited |= 1 << g
		}
	}
	return ""
}

// Started and Exited are the sets of Gs created and destroyed so far.
func (l *Ledger) Started() uint16 { return l.started }
func (l *Ledger) Exited() uint16  { return l.exited }

// instrAt is the instruction user goroutine g runs next; ok is false past
// the end of its program (an implicit exit).
func instrAt(c *spec.Config, s *spec.State, g int) (spec.Instr, bool) {
	code := c.Gs[g].Code
	if int(s.G[g].PC) >= len(code) {
		return spec.Instr{Op: spec.OpExit}, false
	}
	return code[s.G[g].PC], true
}

func gLabel(c *spec.Config, g int) string {
	if g < len(c.Gs) {
		return c.Gs[g].Name
	}
	return "forcegc"
}

func actorName(actor int) string {
	if actor < 0 {
		return "the environment"
	}
	return fmt.Sprintf("m%d", actor)
}
