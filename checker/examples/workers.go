package examples

// Interchangeable workers incrementing a counter under a lock
//
// N identical workers share a counter and a lock. A worker loops:
//
//	idle:    if count < Max { goto waiting }           "want"
//	waiting: acquire the lock (when free)              "lock"
//	locked:  tmp = count                               "read"
//	read:    if tmp < Max { count = tmp + 1 }          "write" / "skip"
//	         release the lock; goto idle
//
// The count < Max test at idle is racy (made without the lock), so a worker
// may find the counter already at Max once it holds the lock; it then skips
// the write. When the counter is at Max and every worker is idle nothing is
// enabled: that is the intended end (Terminal), not a deadlock.
//
// The workers are interchangeable: the lock holder is whichever worker is
// in "locked" or "read", so swapping two workers' (pc, tmp) pairs maps
// states to states and transitions to transitions. Representative sorts
// the pairs.
//
// State counts, derived by hand (M = Max >= 1, N workers):
//
//   - concrete: for each count below M, the non-holders are each idle or
//     waiting (2^N with no holder, 2^(N-1) per holder and holder pc), so
//     (N+1)*2^N states; at count M no worker can start waiting and the last
//     writer is idle, which rules out "all waiting": 2^N-1 without a holder
//     and 2*N*(2^(N-1)-1) with one. Total (M+1)*(N+1)*2^N - 2N - 1.
//   - up to symmetry: per count below M, the number of waiting workers
//     0..N with no holder, or the holder's pc and 0..N-1 waiting: 3N+1; at
//     count M, 0..N-1 waiting with no holder and 2*(N-1) with one: 3N-2.
//     Total M*(3N+1) + 3N - 2.
//
// The farthest state (both ways) is count M with the holder about to skip
// and N-2 others waiting: 4M steps for the increments, then the holder's
// lock and read after its "want" and the N-2 other "want"s: 4M + N + 1.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// MaxWorkers bounds Workers.N.
const MaxWorkers = 8

// Worker program counters.
const (
	wIdle uint8 = iota
	wWaiting
	wLocked // holds the lock, about to read
	wRead   // holds the lock, has read Tmp
)

var wPCNames = [...]string{"idle", "waiting", "locked", "read"}

// WorkersState is a state of the workers model. Entries from N on stay
// zero; Tmp[i] is zero unless PC[i] is "read".
type WorkersState struct {
	Count uint8
	PC    [MaxWorkers]uint8
	Tmp   [MaxWorkers]uint8
}

// Worker action kinds, in ActionKinds order.
const (
	WWant uint8 = iota
	WLock
	WRead
	WWrite
	WSkip
)

var wKindNames = []string{"want", "lock", "read", "write", "skip"}

// WorkersAction is worker W taking a step of kind Op.
type WorkersAction struct {
	W  uint8
	Op uint8
}

// Workers is the symmetric counter model: N workers (1..MaxWorkers), counter
// bound Max (1..255).
type Workers struct {
	N   int
	Max int
}

// Init returns the one initial state: count 0, every worker idle.
func (m Workers) Init() []WorkersState {
	if m.N < 1 || m.N > MaxWorkers || m.Max < 1 || m.Max > 255 {
		panic(fmt.Sprintf("examples.Workers: N = %d, Max = %d, want 1..%d and 1..255", m.N, m.Max, MaxWorkers))
	}
	return []WorkersState{{}}
}

// holders counts the workers holding the lock.
func (m Workers) holders(s *WorkersState) int {
	c := 0
	for i := 0; i < m.N; i++ {
		if s.PC[i] >= wLocked {
			c++
		}
	}
	return c
}

// Actions lists at most one action per worker, in worker order.
func (m Workers) Actions(s *WorkersState, dst []WorkersAction) []WorkersAction {
	free := m.holders(s) == 0
	for i := 0; i < m.N; i++ {
		w := uint8(i)
		switch s.PC[i] {
		case wIdle:
			if int(s.Count) < m.Max {
				dst = append(dst, WorkersAction{W: w, Op: WWant})
			}
		case wWaiting:
			if free {
				dst = append(dst, WorkersAction{W: w, Op: WLock})
			}
		case wLocked:
			dst = append(dst, WorkersAction{W: w, Op: WRead})
		case wRead:
			op := WSkip
			if int(s.Tmp[i]) < m.Max {
				op = WWrite
			}
			dst = append(dst, WorkersAction{W: w, Op: op})
		}
	}
	return dst
}

// Next takes action a from s.
func (m Workers) Next(s *WorkersState, a WorkersAction) WorkersState {
	t := *s
	i := a.W
	switch a.Op {
	case WWant:
		t.PC[i] = wWaiting
	case WLock:
		t.PC[i] = wLocked
	case WRead:
		t.PC[i], t.Tmp[i] = wRead, t.Count
	case WWrite:
		t.Count = t.Tmp[i] + 1
		t.PC[i], t.Tmp[i] = wIdle, 0
	case WSkip:
		t.PC[i], t.Tmp[i] = wIdle, 0
	}
	return t
}

// Encode writes the count, then each worker's pc and tmp.
func (m Workers) Encode(s *WorkersState, dst []byte) []byte {
	dst = append(dst, s.Count)
	for i := 0; i < m.N; i++ {
		dst = append(dst, s.PC[i], s.Tmp[i])
	}
	return dst
}

// Representative sorts the workers by (pc, tmp).
func (m Workers) Representative(s *WorkersState) WorkersState {
	type worker struct{ pc, tmp uint8 }
	var ws [MaxWorkers]worker
	for i := 0; i < m.N; i++ {
		ws[i] = worker{s.PC[i], s.Tmp[i]}
	}
	slices.SortFunc(ws[:m.N], func(a, b worker) int {
		return cmp.Or(cmp.Compare(a.pc, b.pc), cmp.Compare(a.tmp, b.tmp))
	})
	t := *s
	for i := 0; i < m.N; i++ {
		t.PC[i], t.Tmp[i] = ws[i].pc, ws[i].tmp
	}
	return t
}

// Terminal: the counter is at Max and every worker is idle.
func (m Workers) Terminal(s *WorkersState) bool {
	if int(s.Count) != m.Max {
		return false
	}
	for i := 0; i < m.N; i++ {
		if s.PC[i] != wIdle {
			return false
		}
	}
	return true
}

// Properties: Always "mutex" (at most one lock holder), Always "bounded"
// (count <= Max), Sometimes "done" (count == Max).
func (m Workers) Properties() []checker.Property[WorkersState] {
	return []checker.Property[WorkersState]{
		checker.Always("mutex", func(s *WorkersState) bool { return m.holders(s) <= 1 }),
		checker.Always("bounded", func(s *WorkersState) bool { return int(s.Count) <= m.Max }),
		checker.Sometimes("done", func(s *WorkersState) bool { return int(s.Count) == m.Max }),
	}
}

// ActionKinds: want, lock, read, write, skip.
func (m Workers) ActionKinds() []string { return wKindNames }

// Kind returns a's kind.
func (m Workers) Kind(a WorkersAction) int { return int(a.Op) }

// Process returns the worker taking a.
func (m Workers) Process(a WorkersAction) int { return int(a.W) }

// FormatAction labels a as, for example, "w1 lock".
func (m Workers) FormatAction(a WorkersAction) string {
	return fmt.Sprintf("w%d %s", a.W, wKindNames[a.Op])
}

// FormatState renders s, for example "count=1 w0=read(1) w1=waiting".
func (m Workers) FormatState(s *WorkersState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "count=%d", s.Count)
	for i := 0; i < m.N; i++ {
		fmt.Fprintf(&b, " w%d=%s", i, wPCNames[s.PC[i]])
		if s.PC[i] == wRead {
			fmt.Fprintf(&b, "(%d)", s.Tmp[i])
		}
	}
	return b.String()
}

var (
	_ checker.Model[WorkersState, WorkersAction] = Workers{}
	_ checker.Symmetric[WorkersState]            = Workers{}
	_ checker.Terminator[WorkersState]           = Workers{}
	_ checker.StateFormatter[WorkersState]       = Workers{}
)
