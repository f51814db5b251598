package examples

// Independent counters: a big, regular state space for benchmarks
//
// N counters each run 0, 1, ..., Max and wrap back to 0: counter i has
// exactly one enabled action, "ci inc" below Max and "ci reset" at Max.
// Every state therefore has exactly N successors, every vector in
// {0..Max}^N is reachable, and the state graph is strongly connected:
//
//   - distinct states: (Max+1)^N (4 counters of 0..63: 64^4 = 16,777,216);
//   - generated transitions: N*(Max+1)^N;
//   - the shortest path to v has sum(v) steps (a reset only returns to 0),
//     so the farthest state is (Max, ..., Max) at N*Max steps.
//
// Transitions are a byte increment, so the benchmark measures the checker.

import (
	"encoding/binary"
	"fmt"

	"github.com/gmpspec/gmpspec/checker"
)

// MaxCounters bounds Counters.N. It is 8, so that a state is one 64-bit
// word (see Next).
const MaxCounters = 8

// A compile-time check that MaxCounters is 8.
var _ = [1]struct{}{}[MaxCounters-8]

// CountersState holds the counters; entries from N on stay zero.
type CountersState [MaxCounters]uint8

// CountersAction is counter I taking a step; Reset marks a wrap to 0.
type CountersAction struct {
	I     uint8
	Reset bool
}

// Counters is the counters model: N counters (1..MaxCounters) of 0..Max
// (1..255).
type Counters struct {
	N   int
	Max int
}

// Init returns the one initial state, all zeros.
func (m Counters) Init() []CountersState {
	if m.N < 1 || m.N > MaxCounters || m.Max < 1 || m.Max > 255 {
		panic(fmt.Sprintf("examples.Counters: N = %d, Max = %d, want 1..%d and 1..255", m.N, m.Max, MaxCounters))
	}
	return []CountersState{{}}
}

// Actions lists one action per counter, in counter order.
func (m Counters) Actions(s *CountersState, dst []CountersAction) []CountersAction {
	for i := 0; i < m.N; i++ {
		dst = append(dst, CountersAction{I: uint8(i), Reset: int(s[i]) == m.Max})
	}
	return dst
}

// Next takes action a from s.
//
// It works on the counters as one little-endian word: the plain form
// (t := *s; t[a.I]++; return t) stores a byte and then copies the array out
// with a wide load of the same bytes, a store-forwarding stall that cost
// about a quarter of the benchmark's CPU time. An increment never carries,
// since a counter at Max resets instead.
func (m Counters) Next(s *CountersState, a CountersAction) CountersState {
	x := binary.LittleEndian.Uint64(s[:])
	shift := 8 * uint(a.I%MaxCounters)
	if a.Reset {
		x &^= 0xff << shift
	} else {
		x += 1 << shift
	}
	var t CountersState
	binary.LittleEndian.PutUint64(t[:], x)
	return t
}

// Encode writes the N counters.
func (m Counters) Encode(s *CountersState, dst []byte) []byte {
	return append(dst, s[:m.N]...)
}

// Properties: Always "bounded" (every counter <= Max), Sometimes "all max".
func (m Counters) Properties() []checker.Property[CountersState] {
	return []checker.Property[CountersState]{
		checker.Always("bounded", func(s *CountersState) bool {
			for i := 0; i < m.N; i++ {
				if int(s[i]) > m.Max {
					return false
				}
			}
			return true
		}),
		checker.Sometimes("all max", func(s *CountersState) bool {
			for i := 0; i < m.N; i++ {
				if int(s[i]) != m.Max {
					return false
				}
			}
			return true
		}),
	}
}

var countersKindNames = []string{"inc", "reset"}

// ActionKinds: inc, reset.
func (m Counters) ActionKinds() []string { return countersKindNames }

// Kind returns a's kind.
func (m Counters) Kind(a CountersAction) int {
	if a.Reset {
		return 1
	}
	return 0
}

// Process returns the counter that a steps.
func (m Counters) Process(a CountersAction) int { return int(a.I) }

// FormatAction labels a as, for example, "c2 inc".
func (m Counters) FormatAction(a CountersAction) string {
	return fmt.Sprintf("c%d %s", a.I, countersKindNames[m.Kind(a)])
}

// FormatStep shows the counter's new value.
func (m Counters) FormatStep(_ *CountersState, a CountersAction, next *CountersState) string {
	return fmt.Sprintf("c%d = %d", a.I, next[a.I])
}

var (
	_ checker.Model[CountersState, CountersAction]         = Counters{}
	_ checker.StepFormatter[CountersState, CountersAction] = Counters{}
)
