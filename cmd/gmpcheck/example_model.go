package main

// Mutual exclusion by test-and-set
//
// Until the scheduler spec is plugged in, gmpcheck's default target is this
// small, self-contained model, so that `go run ./cmd/gmpcheck` is a real
// check run. N processes share one lock word. Each process cycles through a
// non-critical section, a trying section and a critical section:
//
//	ncs --request--> try --tas--> cs --release--> ncs
//
// In the correct variant, tas is one atomic test-and-set: it sets the lock
// and enters the critical section if the lock was clear, and otherwise
// spins (stays in try). Two mutants show what the checker reports:
//
//   - racy: the test-and-set is split into a check and a later set (load
//     the lock and spin while it is held; then store it and enter), so two
//     processes can both see a clear lock and both enter: the
//     mutual-exclusion invariant fails after six steps.
//   - leaky: release forgets to clear the lock, so the next process spins
//     forever: the progress property fails on a lasso, without a deadlock
//     (spinning is always enabled).
//
// The model is symmetric in its processes: Representative sorts them.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// mutexMaxProcs bounds the number of processes so that a state is a plain
// array value.
const mutexMaxProcs = 4

// mutexPC is a process's program counter.
type mutexPC uint8

const (
	pcNCS mutexPC = iota // non-critical section
	pcTry                // trying: about to test-and-set (or load, if racy)
	pcSet                // racy only: saw the lock clear, about to set it
	pcCS                 // critical section
)

var mutexPCNames = [...]string{pcNCS: "ncs", pcTry: "try", pcSet: "set", pcCS: "cs"}

func (pc mutexPC) String() string { return mutexPCNames[pc] }

// mutexState is one state of the mutex model. It is a plain value.
type mutexState struct {
	// Lock is the shared lock word. Invariant (unless racy or leaky):
	// Lock is set exactly when some process is at pcCS.
	Lock bool
	// PC is each process's program counter; entries from n on stay pcNCS.
	PC [mutexMaxProcs]mutexPC
}

// mutexKind is the class of a mutex action.
type mutexKind uint8

const (
	kindRequest mutexKind = iota // ncs -> try
	kindTAS                      // atomic test-and-set
	kindLoad                     // racy: load the lock, spin while it is held
	kindStore                    // racy: set the lock and enter
	kindRelease                  // cs -> ncs, clearing the lock (unless leaky)
)

var mutexKindNames = [...]string{
	kindRequest: "request", kindTAS: "tas", kindLoad: "load", kindStore: "store", kindRelease: "release",
}

// mutexAction is process P taking a step of kind K.
type mutexAction struct {
	P uint8
	K mutexKind
}

// mutexModel is the mutex model; the zero bug flags give the correct one.
type mutexModel struct {
	n     int  // number of processes, 1..mutexMaxProcs
	racy  bool // split test-and-set into load and store
	leaky bool // release does not clear the lock
	kinds []mutexKind
}

func newMutexModel(n int, racy, leaky bool) *mutexModel {
	if n < 1 || n > mutexMaxProcs {
		panic(fmt.Sprintf("newMutexModel: %d processes, want 1..%d", n, mutexMaxProcs))
	}
	m := &mutexModel{n: n, racy: racy, leaky: leaky}
	if racy {
		m.kinds = []mutexKind{kindRequest, kindLoad, kindStore, kindRelease}
	} else {
		m.kinds = []mutexKind{kindRequest, kindTAS, kindRelease}
	}
	return m
}

func (m *mutexModel) Init() []mutexState { return []mutexState{{}} }

func (m *mutexModel) Actions(s *mutexState, dst []mutexAction) []mutexAction {
	for p := range m.n {
		var k mutexKind
		switch s.PC[p] {
		case pcNCS:
			k = kindRequest
		case pcTry:
			k = kindTAS
			if m.racy {
				k = kindLoad
			}
		case pcSet:
			k = kindStore
		case pcCS:
			k = kindRelease
		}
		dst = append(dst, mutexAction{P: uint8(p), K: k})
	}
	return dst
}

func (m *mutexModel) Next(s *mutexState, a mutexAction) mutexState {
	t := *s
	p := a.P
	switch a.K {
	case kindRequest:
		t.PC[p] = pcTry
	case kindTAS:
		if !t.Lock {
			t.Lock = true
			t.PC[p] = pcCS
		}
	case kindLoad:
		if !t.Lock {
			t.PC[p] = pcSet
		}
	case kindStore:
		t.Lock = true
		t.PC[p] = pcCS
	case kindRelease:
		if !m.leaky {
			t.Lock = false
		}
		t.PC[p] = pcNCS
	}
	return t
}

func (m *mutexModel) Encode(s *mutexState, dst []byte) []byte {
	lock := byte(0)
	if s.Lock {
		lock = 1
	}
	dst = append(dst, lock)
	for p := range m.n {
		dst = append(dst, byte(s.PC[p]))
	}
	return dst
}

func (m *mutexModel) inCS(s *mutexState) int {
	c := 0
	for p := range m.n {
		if s.PC[p] == pcCS {
			c++
		}
	}
	return c
}

func (m *mutexModel) Properties() []checker.Property[mutexState] {
	return []checker.Property[mutexState]{
		checker.Always("mutual-exclusion", func(s *mutexState) bool { return m.inCS(s) <= 1 }),
		checker.Sometimes("critical-section-reachable", func(s *mutexState) bool { return m.inCS(s) == 1 }),
		checker.Sometimes("contention-reachable", func(s *mutexState) bool {
			return m.inCS(s) == 1 && m.count(s, pcTry) > 0
		}),
		checker.LeadsTo("try-leads-to-critical-section",
			func(s *mutexState) bool { return m.count(s, pcTry) > 0 },
			func(s *mutexState) bool { return m.inCS(s) > 0 }),
	}
}

func (m *mutexModel) count(s *mutexState, pc mutexPC) int {
	c := 0
	for p := range m.n {
		if s.PC[p] == pc {
			c++
		}
	}
	return c
}

func (m *mutexModel) ActionKinds() []string {
	names := make([]string, len(m.kinds))
	for i, k := range m.kinds {
		names[i] = mutexKindNames[k]
	}
	return names
}

func (m *mutexModel) Kind(a mutexAction) int {
	for i, k := range m.kinds {
		if k == a.K {
			return i
		}
	}
	panic(fmt.Sprintf("mutexModel.Kind: %s is not an action of this variant", mutexKindNames[a.K]))
}

func (m *mutexModel) Process(a mutexAction) int { return int(a.P) }

func (m *mutexModel) FormatAction(a mutexAction) string {
	return fmt.Sprintf("p%d %s", a.P, mutexKindNames[a.K])
}

// Representative sorts the processes by program counter, which is all
// there is to a process.
func (m *mutexModel) Representative(s *mutexState) mutexState {
	t := *s
	slices.Sort(t.PC[:m.n])
	return t
}

func (m *mutexModel) FormatState(s *mutexState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "lock=%v", s.Lock)
	for p := range m.n {
		fmt.Fprintf(&b, " p%d=%s", p, s.PC[p])
	}
	return b.String()
}

// FormatStep lists the fields that changed, in state order.
func (m *mutexModel) FormatStep(prev *mutexState, _ mutexAction, next *mutexState) string {
	var ch []string
	if prev.Lock != next.Lock {
		ch = append(ch, fmt.Sprintf("lock: %v -> %v", prev.Lock, next.Lock))
	}
	for p := range m.n {
		if prev.PC[p] != next.PC[p] {
			ch = append(ch, fmt.Sprintf("p%d: %s -> %s", p, prev.PC[p], next.PC[p]))
		}
	}
	if len(ch) == 0 {
		return "(no change)"
	}
	return strings.Join(ch, ", ")
}

// The mutex model implements every optional interface but Terminator.
var (
	_ checker.Model[mutexState, mutexAction]         = (*mutexModel)(nil)
	_ checker.Symmetric[mutexState]                  = (*mutexModel)(nil)
	_ checker.StateFormatter[mutexState]             = (*mutexModel)(nil)
	_ checker.StepFormatter[mutexState, mutexAction] = (*mutexModel)(nil)
)
