package examples

// A bounded buffer whose liveness hangs on fairness
//
// A producer (process 0) and a consumer (process 1) share a buffer of
// capacity K, guarded by a lock. Both busy-wait; the difference between the
// variants is whether the producer holds the lock while it spins.
//
// Consumer (both variants):
//
//	c0: if count == 0 { spin }                       "c wait" (self-loop)
//	    else acquire the lock (when free); goto c1     "c lock"
//	c1: count--; release the lock; goto c0             "c take"
//
// Fixed producer: it spins on the count without the lock.
//
//	p0: if count == K { spin }                       "p wait" (self-loop)
//	    else acquire the lock (when free); goto p1     "p lock"
//	p1: count++; release the lock; goto p0             "p put"
//
// Buggy producer: it takes the lock first and checks the count under it.
//
//	p0: acquire the lock (when free); goto p1          "p lock"
//	p1: if count < K { count++ }                     "p put" / "p full"
//	    release the lock; goto p0
//
// Properties:
//
//   - "drain": LeadsTo(count == K, count < K): a full buffer is eventually
//     drained, that is, the consumer eventually takes an item.
//   - "fill": LeadsTo(count == 0, count > 0): the producer eventually
//     refills an empty buffer.
//   - "start": Eventually(count > 0): the producer eventually produces.
//
// Why "drain" holds in the fixed variant, and only because of fairness:
// once the buffer is full the producer can only spin ("p wait", a
// self-loop), and it spins without the lock. The consumer's next step ("c
// lock" at c0, whose guard count > 0 and lock free now hold for good, or
// "c take" at c1) is therefore enabled in every state of the loop, and weak
// fairness obliges it to take it. Without fairness the path that spins on
// "p wait" forever in the full state is a counterexample. The same holds
// for "fill" and "start", with the consumer's "c wait" spin at count == 0
// and the producer's continuously enabled "p lock" or "p put".
//
// Why "drain" fails in the buggy variant even under weak fairness: with a
// full buffer the producer cycles "p lock", "p full" forever. In the state
// between the two it holds the lock, so the consumer's "c lock" is enabled
// in only one of the two states of the cycle: weak fairness (a process
// continuously enabled must eventually move) does not oblige the consumer,
// and the cycle is a fair lasso. Only strong fairness would forbid it. The
// buggy variant still satisfies "fill" and "start", since the consumer
// never holds the lock while it spins.

import (
	"fmt"

	"github.com/gmpspec/gmpspec/checker"
)

// Lock holders in BufState.Lock.
const (
	bufFree     uint8 = iota
	bufProducer       // held by the producer
	bufConsumer       // held by the consumer
)

var bufLockNames = [...]string{"free", "producer", "consumer"}

// BufState is a state of the buffer: the item count, the lock holder and
// the two program counters (0 or 1, see the pseudo-code above).
type BufState struct {
	Count uint8
	Lock  uint8
	P, C  uint8
}

// Buffer action kinds, in ActionKinds order.
const (
	BufPWait uint8 = iota // producer spins on a full buffer (fixed)
	BufPLock              // producer acquires the lock
	BufPut                // producer adds an item and releases the lock
	BufPFull              // producer finds the buffer full and releases the lock (buggy)
	BufCWait              // consumer spins on an empty buffer
	BufCLock              // consumer acquires the lock
	BufTake               // consumer removes an item and releases the lock
)

var bufKindNames = []string{"p wait", "p lock", "p put", "p full", "c wait", "c lock", "c take"}

// BufAction is an action of the buffer model; its process is 0 for the
// producer's kinds and 1 for the consumer's.
type BufAction uint8

// Buffer is the bounded buffer model with capacity K, 1 <= K <= 100.
type Buffer struct {
	K int
	// Bug makes the producer spin holding the lock.
	Bug bool
}

// Init returns the one initial state: empty buffer, lock free.
func (m Buffer) Init() []BufState {
	if m.K < 1 || m.K > 100 {
		panic(fmt.Sprintf("examples.Buffer: K = %d, want 1..100", m.K))
	}
	return []BufState{{}}
}

// Actions lists the producer's action, then the consumer's; each has
// exactly one enabled, or none while the other holds the lock.
func (m Buffer) Actions(s *BufState, dst []BufAction) []BufAction {
	k := uint8(m.K)
	switch {
	case s.P == 1 && !m.Bug:
		dst = append(dst, BufAction(BufPut))
	case s.P == 1 && s.Count < k:
		dst = append(dst, BufAction(BufPut))
	case s.P == 1:
		dst = append(dst, BufAction(BufPFull))
	case !m.Bug && s.Count == k:
		dst = append(dst, BufAction(BufPWait))
	case s.Lock == bufFree:
		dst = append(dst, BufAction(BufPLock))
	}
	switch {
	case s.C == 1:
		dst = append(dst, BufAction(BufTake))
	case s.Count == 0:
		dst = append(dst, BufAction(BufCWait))
	case s.Lock == bufFree:
		dst = append(dst, BufAction(BufCLock))
	}
	return dst
}

// Next takes action a from s.
func (m Buffer) Next(s *BufState, a BufAction) BufState {
	t := *s
	switch uint8(a) {
	case BufPLock:
		t.Lock, t.P = bufProducer, 1
	case BufPut:
		t.Count++
		t.Lock, t.P = bufFree, 0
	case BufPFull:
		t.Lock, t.P = bufFree, 0
	case BufCLock:
		t.Lock, t.C = bufConsumer, 1
	case BufTake:
		t.Count--
		t.Lock, t.C = bufFree, 0
	}
	return t
}

// Encode writes the count, then lock<<2 | P<<1 | C.
func (m Buffer) Encode(s *BufState, dst []byte) []byte {
	return append(dst, s.Count, s.Lock<<2|s.P<<1|s.C)
}

// Properties: Always "bounds" (count <= K and the lock held exactly by a
// process at its pc 1), Sometimes "full", Eventually "start", LeadsTo
// "drain" and LeadsTo "fill".
func (m Buffer) Properties() []checker.Property[BufState] {
	k := uint8(m.K)
	return []checker.Property[BufState]{
		checker.Always("bounds", func(s *BufState) bool {
			want := bufFree
			if s.P == 1 {
				want = bufProducer
			}
			if s.C == 1 {
				if want != bufFree {
					return false
				}
				want = bufConsumer
			}
			return s.Count <= k && s.Lock == want
		}),
		checker.Sometimes("full", func(s *BufState) bool { return s.Count == k }),
		checker.Eventually("start", func(s *BufState) bool { return s.Count > 0 }),
		checker.LeadsTo("drain",
			func(s *BufState) bool { return s.Count == k },
			func(s *BufState) bool { return s.Count < k }),
		checker.LeadsTo("fill",
			func(s *BufState) bool { return s.Count == 0 },
			func(s *BufState) bool { return s.Count > 0 }),
	}
}

// ActionKinds: p wait, p lock, p put, p full, c wait, c lock, c take.
func (m Buffer) ActionKinds() []string { return bufKindNames }

// Kind returns a's kind.
func (m Buffer) Kind(a BufAction) int { return int(a) }

// Process returns 0 for the producer, 1 for the consumer.
func (m Buffer) Process(a BufAction) int {
	if uint8(a) >= BufCWait {
		return 1
	}
	return 0
}

// FormatAction labels a as, for example, "p put".
func (m Buffer) FormatAction(a BufAction) string { return bufKindNames[a] }

// FormatStep shows the count and the lock after the step.
func (m Buffer) FormatStep(_ *BufState, _ BufAction, next *BufState) string {
	return fmt.Sprintf("count=%d lock=%s", next.Count, bufLockNames[next.Lock])
}

// FormatState renders s, for example "count=2 lock=free p0 c1".
func (m Buffer) FormatState(s *BufState) string {
	return fmt.Sprintf("count=%d lock=%s p%d c%d", s.Count, bufLockNames[s.Lock], s.P, s.C)
}

var (
	_ checker.Model[BufState, BufAction]         = Buffer{}
	_ checker.StateFormatter[BufState]           = Buffer{}
	_ checker.StepFormatter[BufState, BufAction] = Buffer{}
)
