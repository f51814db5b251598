package properties

import (
	"fmt"

	"github.com/gmpspec/gmpspec/spec"
)

// Ground truth for checkdead.
//
// checkdead's verdict is about the program, not the scheduler: "all
// goroutines are asleep" is true when no user goroutine can ever run again.
// Whether that can happen is a property of the goroutine programs alone, so
// Analyze decides it without the scheduler, by exploring every interleaving
// of the programs' instructions, each instruction one atomic step, under
// these assumptions about what the scheduler and the environment do:
//
//   - Every runnable goroutine eventually runs (the scheduler is work
//     conserving and fair); the order is free, so all interleavings count.
//   - syscall returns, netwait's descriptor becomes ready and sleep's timer
//     fires, each eventually: the kernel and the clock always make progress
//     (the spec's environment events netpoll.ready and timer.fire, and the
//     syscall return, are always enabled while needed). For deadlock these
//     three instructions are therefore the same as compute and gosched: a
//     goroutine blocked in one of them is not asleep for good, which is also
//     why the runtime's checkdead keeps quiet while a timer is pending or the
//     poller has waiters.
//   - park K and ready K behave as in the spec (docs/model.md, "Wait
//     objects"): park K consumes a pending wakeup of object K if there is one
//     and otherwise blocks on K; ready K wakes one goroutine blocked on K (any
//     of them: every choice is explored) or, if none is, leaves one pending
//     wakeup (at most one: a second is lost).
//   - go G makes G runnable; a goroutine exits at exit or at the end of its
//     program; main exiting ends the program.
//
// A run of the programs ends either with main exiting (the program exits) or
// in a deadlock: no goroutine runnable, main blocked on a wait object (main
// has not exited, so it is blocked), every other goroutine blocked on one,
// exited or never started. Each step advances one program counter, so every
// run ends. The workload must deadlock when every run ends in a deadlock,
// may deadlock when some do, and cannot deadlock when none does.
//
// The only instructions that interact are park and ready on the same
// object: the others touch only their own goroutine (or, for go, one that
// nobody else can touch yet), so Analyze runs them eagerly, one goroutine at
// a time, and branches only on park and ready. The deadlock states and
// whether the program can exit are the same as in the full interleaving
// (the eager steps commute with every other step, and each is taken on every
// run that does not end with main exiting first, where it does not matter).

// A Verdict is the ground truth about a workload's deadlocks.
type Verdict uint8

const (
	CannotDeadlock Verdict = iota // every run of the programs ends with main exiting
	MayDeadlock                   // some runs deadlock, some exit
	MustDeadlock                  // every run deadlocks
)

func (v Verdict) String() string {
	return [...]string{"cannot deadlock", "may deadlock", "must deadlock"}[v]
}

// A Truth is the result of Analyze.
type Truth struct {
	Verdict Verdict
	// Deadlocks are the abstract deadlock states (see DeadlockKey).
	Deadlocks map[DeadlockKey]bool
	// States is the number of abstract states explored.
	States int
}

// A DeadlockKey describes a deadlock: for each user goroutine, the program
// counter at which it is blocked on a wait object (its PC has moved past the
// park, as in spec.G.PC) and the object, or dead (never started, or exited);
// and the pending wakeups of each wait object.
type DeadlockKey struct {
	PC     [spec.MaxG]uint8 // blocked: the G's PC; dead: 0
	Obj    [spec.MaxG]int8  // blocked: the object; dead: -1
	Tokens [spec.MaxObj]uint8
}

func (k DeadlockKey) String(c *spec.Config) string {
	s := ""
	for g := range c.Gs {
		if k.Obj[g] < 0 {
			s += fmt.Sprintf("%s:dead ", c.Gs[g].Name)
		} else {
			s += fmt.Sprintf("%s:park %d@%d ", c.Gs[g].Name, k.Obj[g], k.PC[g])
		}
	}
	return s + fmt.Sprintf("tokens=%v", k.Tokens)
}

// abstract goroutine states
const (
	aUnstarted = iota
	aLive
	aParked
	aDead
)

type astate struct {
	pc     [spec.MaxG]uint8
	st     [spec.MaxG]uint8
	obj    [spec.MaxG]uint8 // aParked: the object
	tokens [spec.MaxObj]uint8
}

// maxTruthStates bounds Analyze; the generators' workloads stay far below.
const maxTruthStates = 1 << 20

// Analyze computes the ground truth of c's workload (see "Ground truth for
// checkdead" above). It fails if the programs have more than
// maxTruthStates abstract states.
func Analyze(c *spec.Config) (*Truth, error) {
	tr := &Truth{Deadlocks: make(map[DeadlockKey]bool)}
	seen := make(map[astate]bool)
	canExit := false
	var s0 astate
	s0.st[0] = aLive
	stack := []astate{s0}
	n := len(c.Gs)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if exited := runLocal(c, &s); exited {
			canExit = true
			continue
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		if len(seen) > maxTruthStates {
			return nil, fmt.Errorf("workload has more than %d abstract states", maxTruthStates)
		}
		live := false
		for g := 0; g < n; g++ {
			if s.st[g] != aLive {
				continue
			}
			live = true
			// runLocal left g at a park or a ready.
			in := c.Gs[g].Code[s.pc[g]]
			k := in.Arg
			t := s
			t.pc[g]++
			switch in.Op {
			case spec.OpPark:
				if t.tokens[k] > 0 {
					t.tokens[k]--
				} else {
					t.st[g], t.obj[g] = aParked, uint8(k)
				}
				stack = append(stack, t)
			case spec.OpReady:
				woke := false
				for w := 0; w < n; w++ {
					if t.st[w] == aParked && int(t.obj[w]) == k {
						u := t
						u.st[w], u.obj[w] = aLive, 0
						stack = append(stack, u)
						woke = true
					}
				}
				if !woke {
					if t.tokens[k] < 1 {
						t.tokens[k]++
					}
					stack = append(stack, t)
				}
			default:
				panic("properties: runLocal stopped at " + in.String())
			}
		}
		if !live {
			var key DeadlockKey
			for g := 0; g < n; g++ {
				key.Obj[g] = -1
				if s.st[g] == aParked {
					key.PC[g], key.Obj[g] = s.pc[g], int8(s.obj[g])
				}
			}
			key.Tokens = s.tokens
			tr.Deadlocks[key] = true
		}
	}
	tr.States = len(seen)
	switch {
	case len(tr.Deadlocks) == 0:
		tr.Verdict = CannotDeadlock
	case canExit:
		tr.Verdict = MayDeadlock
	default:
		tr.Verdict = MustDeadlock
	}
	return tr, nil
}

// runLocal runs every live goroutine's local instructions (all but park and
// ready) until each is dead or at a park or a ready. It reports whether
// main exited.
func runLocal(c *spec.Config, s *astate) (exited bool) {
	for g := range c.Gs {
		for s.st[g] == aLive {
			code := c.Gs[g].Code
			if int(s.pc[g]) >= len(code) || code[s.pc[g]].Op == spec.OpExit {
				s.st[g], s.pc[g] = aDead, 0
				if g == 0 {
					return true
				}
				break
			}
			in := code[s.pc[g]]
			if in.Op == spec.OpPark || in.Op == spec.OpReady {
				break
			}
			s.pc[g]++
			if in.Op == spec.OpGo {
				s.st[in.Arg] = aLive
				if in.Arg < g {
					// Started goroutines have larger indexes in
					// generated workloads, but not in every file.
					return runLocal(c, s)
				}
			}
		}
	}
	return false
}

// Deadlock returns the deadlock key of spec state s: each user goroutine
// blocked on a wait object, with its PC, or dead; and the pending wakeups.
// ok is false if some user goroutine is neither (so s is no deadlock).
func Deadlock(c *spec.Config, s *spec.State) (key DeadlockKey, ok bool) {
	for g := range c.Gs {
		key.Obj[g] = -1
		gs := &s.G[g]
		switch gs.Status {
		case gDead:
		case gWaiting:
			k := -1
			for o := 0; o < spec.MaxObj; o++ {
				if s.Sched.ObjWait[o]&(1<<g) != 0 {
					k = o
				}
			}
			if k < 0 {
				return key, false
			}
			key.PC[g], key.Obj[g] = gs.PC, int8(k)
		default:
			return key, false
		}
	}
	for o := 0; o < spec.MaxObj; o++ {
		key.Tokens[o] = s.Sched.ObjTokens[o]
	}
	return key, true
}
