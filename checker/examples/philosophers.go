package examples

// The dining philosophers
//
// N philosophers sit at a round table with a fork between each pair of
// neighbours: philosopher i's left fork is fork i, its right fork is fork
// (i+1) mod N. A philosopher thinks, takes its first fork, takes its second
// fork and eats, then puts both forks down and thinks again. Taking a fork
// is enabled only while the fork is free.
//
// In the naive protocol every philosopher takes its left fork first. When
// all of them hold their left fork no action is enabled: a deadlock after N
// steps, and no shorter one exists, because a deadlock needs every fork held
// and nobody eating (an eater can always put down), and with nobody eating
// fork i can only be held by philosopher i as its left fork.
//
// In the fixed protocol the last philosopher takes its right fork (fork 0)
// first. The forks are then taken in increasing order by everybody, which
// rules out a cycle of waiting philosophers: no deadlock.

import (
	"fmt"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// MaxPhilosophers bounds Philosophers.N.
const MaxPhilosophers = 8

// Philosopher program counters.
const (
	philThinking uint8 = iota
	philHungry         // holds its first fork
	philEating         // holds both forks
)

var philPCNames = [...]string{"thinking", "hungry", "eating"}

// PhilState is a state of the table. Fork[f] is 0 when fork f is free and
// p+1 when philosopher p holds it. Entries from N on stay zero.
type PhilState struct {
	PC   [MaxPhilosophers]uint8
	Fork [MaxPhilosophers]uint8
}

// Philosopher action kinds, in ActionKinds order.
const (
	PhilLeft    uint8 = iota // take the left fork
	PhilRight                // take the right fork
	PhilRelease              // put both forks down
)

var philKindNames = []string{"left", "right", "release"}

// PhilAction is philosopher P taking a step of kind Op.
type PhilAction struct {
	P  uint8
	Op uint8
}

// Philosophers is the dining philosophers model, 2 <= N <= MaxPhilosophers.
type Philosophers struct {
	N int
	// Fixed makes the last philosopher take its right fork first.
	Fixed bool
}

func (m Philosophers) leftFork(p int) int  { return p }
func (m Philosophers) rightFork(p int) int { return (p + 1) % m.N }

// forks returns p's first and second fork and the kinds of taking them.
func (m Philosophers) forks(p int) (first, second int, firstOp, secondOp uint8) {
	if m.Fixed && p == m.N-1 {
		return m.rightFork(p), m.leftFork(p), PhilRight, PhilLeft
	}
	return m.leftFork(p), m.rightFork(p), PhilLeft, PhilRight
}

// Init returns the one initial state: everybody thinking, all forks free.
func (m Philosophers) Init() []PhilState {
	if m.N < 2 || m.N > MaxPhilosophers {
		panic(fmt.Sprintf("examples.Philosophers: N = %d, want 2..%d", m.N, MaxPhilosophers))
	}
	return []PhilState{{}}
}

// Actions lists at most one action per philosopher, in order.
func (m Philosophers) Actions(s *PhilState, dst []PhilAction) []PhilAction {
	for p := 0; p < m.N; p++ {
		first, second, fop, sop := m.forks(p)
		switch s.PC[p] {
		case philThinking:
			if s.Fork[first] == 0 {
				dst = append(dst, PhilAction{P: uint8(p), Op: fop})
			}
		case philHungry:
			if s.Fork[second] == 0 {
				dst = append(dst, PhilAction{P: uint8(p), Op: sop})
			}
		case philEating:
			dst = append(dst, PhilAction{P: uint8(p), Op: PhilRelease})
		}
	}
	return dst
}

// Next takes action a from s.
func (m Philosophers) Next(s *PhilState, a PhilAction) PhilState {
	t := *s
	p := int(a.P)
	switch a.Op {
	case PhilLeft, PhilRight:
		f := m.leftFork(p)
		if a.Op == PhilRight {
			f = m.rightFork(p)
		}
		t.Fork[f] = a.P + 1
		t.PC[p]++
	case PhilRelease:
		t.Fork[m.leftFork(p)] = 0
		t.Fork[m.rightFork(p)] = 0
		t.PC[p] = philThinking
	}
	return t
}

// Encode writes, per philosopher, PC<<4 | holder of fork p.
func (m Philosophers) Encode(s *PhilState, dst []byte) []byte {
	for p := 0; p < m.N; p++ {
		dst = append(dst, s.PC[p]<<4|s.Fork[p])
	}
	return dst
}

// consistent reports whether the forks held are exactly those the program
// counters say.
func (m Philosophers) consistent(s *PhilState) bool {
	var want [MaxPhilosophers]uint8
	for p := 0; p < m.N; p++ {
		first, second, _, _ := m.forks(p)
		if s.PC[p] >= philHungry {
			if want[first] != 0 {
				return false
			}
			want[first] = uint8(p) + 1
		}
		if s.PC[p] == philEating {
			if want[second] != 0 {
				return false
			}
			want[second] = uint8(p) + 1
		}
	}
	return want == s.Fork
}

// Properties: Always "forks" (every fork held by at most one philosopher,
// the one whose program counter says so), Sometimes "eating".
func (m Philosophers) Properties() []checker.Property[PhilState] {
	return []checker.Property[PhilState]{
		checker.Always("forks", m.consistent),
		checker.Sometimes("eating", func(s *PhilState) bool {
			for p := 0; p < m.N; p++ {
				if s.PC[p] == philEating {
					return true
				}
			}
			return false
		}),
	}
}

// ActionKinds: left, right, release.
func (m Philosophers) ActionKinds() []string { return philKindNames }

// Kind returns a's kind.
func (m Philosophers) Kind(a PhilAction) int { return int(a.Op) }

// Process returns the philosopher taking a.
func (m Philosophers) Process(a PhilAction) int { return int(a.P) }

// FormatAction labels a as, for example, "p2 left".
func (m Philosophers) FormatAction(a PhilAction) string {
	return fmt.Sprintf("p%d %s", a.P, philKindNames[a.Op])
}

// FormatStep names the fork taken or the forks put down.
func (m Philosophers) FormatStep(_ *PhilState, a PhilAction, _ *PhilState) string {
	p := int(a.P)
	switch a.Op {
	case PhilLeft:
		return fmt.Sprintf("p%d takes fork %d", p, m.leftFork(p))
	case PhilRight:
		return fmt.Sprintf("p%d takes fork %d", p, m.rightFork(p))
	}
	return fmt.Sprintf("p%d puts down forks %d and %d", p, m.leftFork(p), m.rightFork(p))
}

// FormatState renders s, for example "p0=hungry p1=thinking".
func (m Philosophers) FormatState(s *PhilState) string {
	parts := make([]string, m.N)
	for p := range parts {
		parts[p] = fmt.Sprintf("p%d=%s", p, philPCNames[s.PC[p]])
	}
	return strings.Join(parts, " ")
}

var (
	_ checker.Model[PhilState, PhilAction]         = Philosophers{}
	_ checker.StateFormatter[PhilState]            = Philosophers{}
	_ checker.StepFormatter[PhilState, PhilAction] = Philosophers{}
)
