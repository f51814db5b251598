package examples

// Peterson's mutual exclusion for N processes: the filter lock
//
// With N processes there are N-1 levels. To enter its critical section,
// process i climbs the levels one by one; at level L it announces itself
// and defers to the others:
//
//	for L := 1; L < N; L++ {
//		level[i] = L
//		victim[L] = i
//		await !(exists k != i: level[k] >= L) || victim[L] != i
//	}
//	critical section
//	level[i] = 0
//
// For N = 2 this is Peterson's algorithm (level[i] is flag[i], victim[1] is
// turn). Each line above is one atomic step; the await is a blocking step,
// enabled only when its condition holds. A process that passes the await at
// level L < N-1 takes a local step ("pass") to level L+1; at level N-1 the
// step is "enter". Processes loop forever: exit returns to the non-critical
// section, from which the first write of level 1 starts the next attempt.
//
// Two bugs break mutual exclusion:
//
//   - PetersonNoWait skips the await: a process passes every level at once.
//   - PetersonVictimFirst swaps the two writes of each level (victim[L] = i
//     before level[i] = L), the classic wrong order. For N = 2: p0 writes
//     turn, p1 writes turn and its flag and enters (p0's flag is still
//     down), then p0 raises its flag and enters (the turn is p1's).

import (
	"fmt"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// MaxPetersonProcs bounds Peterson.N, so that a state is a plain array value.
const MaxPetersonProcs = 4

// PetersonBug selects a variant of the filter lock.
type PetersonBug uint8

const (
	// PetersonCorrect is the filter lock as published.
	PetersonCorrect PetersonBug = iota
	// PetersonNoWait skips the await at every level.
	PetersonNoWait
	// PetersonVictimFirst writes victim[L] before level[i] at each level.
	PetersonVictimFirst
)

var petersonBugNames = [...]string{"correct", "nowait", "victimfirst"}

func (b PetersonBug) String() string {
	if int(b) < len(petersonBugNames) {
		return petersonBugNames[b]
	}
	return fmt.Sprintf("PetersonBug(%d)", uint8(b))
}

// Program counters of a Peterson process.
const (
	petNCS    uint8 = iota // non-critical section; next: first write of level 1
	petFirst               // about to do the first write of level Lv
	petSecond              // about to do the second write of level Lv
	petWait                // waiting at level Lv
	petCS                  // critical section
)

var petPCNames = [...]string{"ncs", "first", "second", "wait", "cs"}

// PetersonState is a state of the filter lock. Entries from N on stay zero.
type PetersonState struct {
	PC [MaxPetersonProcs]uint8 // program counter (petNCS...)
	Lv [MaxPetersonProcs]uint8 // the level a process is climbing; 0 in its NCS
	// Level is the shared level[i]; Victim[L] the shared victim[L] for
	// L in 1..N-1 (Victim[0] is unused). Victims start as process 0.
	Level  [MaxPetersonProcs]uint8
	Victim [MaxPetersonProcs]uint8
}

// Peterson action kinds, in ActionKinds order.
const (
	PetLevel  uint8 = iota // level[i] = L
	PetVictim              // victim[L] = i
	PetPass                // the await at level L < N-1 passed: go to L+1
	PetEnter               // the await at level N-1 passed: enter the CS
	PetExit                // level[i] = 0, back to the NCS
)

var petKindNames = []string{"level", "victim", "pass", "enter", "exit"}

// PetersonAction is process P taking a step of kind Op.
type PetersonAction struct {
	P  uint8
	Op uint8
}

// Peterson is the filter lock model for N processes, 2 <= N <=
// MaxPetersonProcs.
type Peterson struct {
	N   int
	Bug PetersonBug
	// Progress adds the liveness property "progress": when p0 starts its
	// entry protocol it eventually enters its critical section.
	Progress bool
}

func (m Peterson) check() {
	if m.N < 2 || m.N > MaxPetersonProcs {
		panic(fmt.Sprintf("examples.Peterson: N = %d, want 2..%d", m.N, MaxPetersonProcs))
	}
}

// Init returns the one initial state: every process in its NCS, every
// level 0, every victim process 0.
func (m Peterson) Init() []PetersonState {
	m.check()
	return []PetersonState{{}}
}

// first and second return the kinds of a level's two writes.
func (m Peterson) first() uint8 {
	if m.Bug == PetersonVictimFirst {
		return PetVictim
	}
	return PetLevel
}

func (m Peterson) second() uint8 {
	if m.Bug == PetersonVictimFirst {
		return PetLevel
	}
	return PetVictim
}

// canPass reports whether process i's await at its level holds.
func (m Peterson) canPass(s *PetersonState, i int) bool {
	if m.Bug == PetersonNoWait {
		return true
	}
	l := s.Lv[i]
	if int(s.Victim[l]) != i {
		return true
	}
	for k := 0; k < m.N; k++ {
		if k != i && s.Level[k] >= l {
			return false
		}
	}
	return true
}

// Actions lists at most one action per process, in process order.
func (m Peterson) Actions(s *PetersonState, dst []PetersonAction) []PetersonAction {
	for i := 0; i < m.N; i++ {
		p := uint8(i)
		switch s.PC[i] {
		case petNCS, petFirst:
			dst = append(dst, PetersonAction{P: p, Op: m.first()})
		case petSecond:
			dst = append(dst, PetersonAction{P: p, Op: m.second()})
		case petWait:
			if m.canPass(s, i) {
				op := PetPass
				if int(s.Lv[i]) == m.N-1 {
					op = PetEnter
				}
				dst = append(dst, PetersonAction{P: p, Op: op})
			}
		case petCS:
			dst = append(dst, PetersonAction{P: p, Op: PetExit})
		}
	}
	return dst
}

// Next takes action a from s.
func (m Peterson) Next(s *PetersonState, a PetersonAction) PetersonState {
	t := *s
	i := a.P
	switch a.Op {
	case PetLevel, PetVictim:
		if t.PC[i] == petNCS {
			t.Lv[i] = 1
		}
		if a.Op == PetLevel {
			t.Level[i] = t.Lv[i]
		} else {
			t.Victim[t.Lv[i]] = i
		}
		if t.PC[i] == petSecond {
			t.PC[i] = petWait
		} else {
			t.PC[i] = petSecond
		}
	case PetPass:
		t.Lv[i]++
		t.PC[i] = petFirst
	case PetEnter:
		t.PC[i] = petCS
	case PetExit:
		t.Level[i] = 0
		t.Lv[i] = 0
		t.PC[i] = petNCS
	}
	return t
}

// Encode writes, per process, PC<<4|Lv and level[i]; then victim[1..N-1].
func (m Peterson) Encode(s *PetersonState, dst []byte) []byte {
	for i := 0; i < m.N; i++ {
		dst = append(dst, s.PC[i]<<4|s.Lv[i], s.Level[i])
	}
	return append(dst, s.Victim[1:m.N]...)
}

// InCritical counts the processes in their critical sections.
func (m Peterson) InCritical(s *PetersonState) int {
	c := 0
	for i := 0; i < m.N; i++ {
		if s.PC[i] == petCS {
			c++
		}
	}
	return c
}

// Properties: Always "mutex", Sometimes "critical", and, with Progress,
// LeadsTo "progress".
func (m Peterson) Properties() []checker.Property[PetersonState] {
	ps := []checker.Property[PetersonState]{
		checker.Always("mutex", func(s *PetersonState) bool { return m.InCritical(s) <= 1 }),
		checker.Sometimes("critical", func(s *PetersonState) bool { return m.InCritical(s) >= 1 }),
	}
	if m.Progress {
		ps = append(ps, checker.LeadsTo("progress",
			func(s *PetersonState) bool { return s.PC[0] != petNCS && s.PC[0] != petCS },
			func(s *PetersonState) bool { return s.PC[0] == petCS }))
	}
	return ps
}

// ActionKinds: level, victim, pass, enter, exit.
func (m Peterson) ActionKinds() []string { return petKindNames }

// Kind returns a's kind.
func (m Peterson) Kind(a PetersonAction) int { return int(a.Op) }

// Process returns the process taking a.
func (m Peterson) Process(a PetersonAction) int { return int(a.P) }

// FormatAction labels a as, for example, "p1 enter".
func (m Peterson) FormatAction(a PetersonAction) string {
	return fmt.Sprintf("p%d %s", a.P, petKindNames[a.Op])
}

// FormatStep names the shared write or the process's new program counter.
func (m Peterson) FormatStep(prev *PetersonState, a PetersonAction, next *PetersonState) string {
	switch a.Op {
	case PetLevel:
		return fmt.Sprintf("level[%d] = %d", a.P, next.Level[a.P])
	case PetVictim:
		return fmt.Sprintf("victim[%d] = %d", next.Lv[a.P], a.P)
	case PetPass:
		return fmt.Sprintf("p%d climbs to level %d", a.P, next.Lv[a.P])
	case PetExit:
		return fmt.Sprintf("level[%d] = 0", a.P)
	}
	return fmt.Sprintf("p%d: %s -> %s", a.P, petPCNames[prev.PC[a.P]], petPCNames[next.PC[a.P]])
}

// FormatState renders s, for example "p0=wait@1 p1=cs@1 level=[1 1] victim=[1]".
func (m Peterson) FormatState(s *PetersonState) string {
	var b strings.Builder
	for i := 0; i < m.N; i++ {
		fmt.Fprintf(&b, "p%d=%s@%d ", i, petPCNames[s.PC[i]], s.Lv[i])
	}
	fmt.Fprintf(&b, "level=%v victim=%v", s.Level[:m.N], s.Victim[1:m.N])
	return b.String()
}

var (
	_ checker.Model[PetersonState, PetersonAction]         = Peterson{}
	_ checker.StateFormatter[PetersonState]                = Peterson{}
	_ checker.StepFormatter[PetersonState, PetersonAction] = Peterson{}
)
