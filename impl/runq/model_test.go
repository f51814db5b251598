package runq

// The sequential specification
//
// runqModel is what one P's run queue and the global queue do when one
// operation happens at a time. Its state is runnext, the ring (oldest
// first) and the global queue; thieves' own rings are not state, because a
// steal's output is the whole batch it grabbed, oldest first (the Gs left
// in the thief's ring followed by the one runqsteal returned).
//
// The model's state is the twin's own, read at one instant: runnext, the
// slots from runqhead to runqtail, and the global queue. Each kind of
// operation is one atomic read or write of that state in the twin (a load,
// store or CAS of runnext, runqhead or runqtail, or the global queue under
// its lock), named after the runtime function it happens in, and the
// model state equals the twin's at every instant. Several runtime functions
// act at more than one instant, and the history recorder
// (history_test.go) turns a call of such a function into one operation per
// instant, all over the call's interval:
//
//	runqput(g, true)  runqput.runnext (the CAS of runnext; output: the
//	                  G kicked out) and, if it kicked one, runqput of it
//	                  (the store of runqtail, or runqputslow's CAS)
//	runqsteal         runqgrab.size (at the load of runqtail the ring held
//	                  2k-1 or 2k Gs, the batch of k oldest first) and
//	                  runqgrab (the CAS of runqhead: those k leave); or
//	                  runqgrab.empty (the ring was seen empty) and
//	                  runqgrab.runnext (the CAS of runnext, or runnext seen
//	                  nil)
//	runqputbatch      runqputbatch.full (if some Gs did not fit: the ring
//	                  held Cap-k Gs at the load of runqhead) and
//	                  runqputbatch (the store of runqtail: k Gs placed)
//
// "What porcupine checks" in doc.go says why, and TestNotAtomic shows each
// split is needed. The one-step versions are kept as the kinds
// runqput.next, runqsteal and runqputbatch.all, for that test.
//
// The specification is deterministic: given the state, the input and the
// output, the step is legal or not, and the next state is fixed; and for
// every kind but runqgrab and runqputbatch at most one output is legal. A
// steal's batch is n-n/2 of the n Gs the ring held when runqtail was
// loaded, and that is what runqgrab.size checks; the commit may come later,
// when the owner has put more Gs, so runqgrab itself takes the k oldest Gs
// whatever the ring's length. runqputbatch may place fewer Gs than there
// is room for, because runqhead was loaded before a thief moved it, and
// runqputbatch.full checks the count against the ring at that load.
//
// Puts require the G to be in no queue: the runtime's "A G can only be on
// one gQueue or gList at a time" (proc.go:7749-7750), here for the local
// queue too. Besides catching a G put twice, this orders the two halves of
// a split runqput: the kicked G cannot be put before it leaves runnext.
//
// Reference: proc.go:7445-7747 (runqempty to runqsteal), proc.go:7266-7289
// (globrunqputbatch, globrunqget); runtime2.go p.runnext.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// An opKind is one atomic step, or for the naive kinds one whole call.
type opKind uint8

const (
	kRunqput          opKind = iota // the ring put of runqput, runqputslow when full
	kRunqputRunnext                 // runqput's CAS of runnext; output.g is the G kicked out
	kRunqputbatch                   // runqputbatch; output.k Gs of input.gs placed
	kRunqputbatchFull               // observation: the ring held Cap-output.k Gs
	kRunqget                        // runqget
	kRunqgrabSize                   // observation: the ring held 2k-1 or 2k Gs, output.gs (k) oldest
	kRunqgrab                       // runqgrab's CAS of runqhead; output.gs is the batch
	kRunqgrabEmpty                  // observation: runqgrab saw the ring empty
	kRunqgrabRunnext                // runqgrab's CAS of runnext (output.g), or runnext seen nil
	kRunqempty                      // runqempty
	kGlobrunqget                    // globrunqget

	// Naive specifications of whole calls, for TestNotAtomic only.
	kRunqputNext     // runqput(g, true) as one step
	kRunqsteal       // runqsteal as one step; output.gs is the batch
	kRunqputbatchAll // runqputbatch as one step, placing as many as fit
)

var kindNames = [...]string{
	kRunqput:          "runqput",
	kRunqputRunnext:   "runqput.runnext",
	kRunqputbatch:     "runqputbatch",
	kRunqputbatchFull: "runqputbatch.full",
	kRunqget:          "runqget",
	kRunqgrabSize:     "runqgrab.size",
	kRunqgrab:         "runqgrab",
	kRunqgrabEmpty:    "runqgrab.empty",
	kRunqgrabRunnext:  "runqgrab.runnext",
	kRunqempty:        "runqempty",
	kGlobrunqget:      "globrunqget",
	kRunqputNext:      "runqput.next",
	kRunqsteal:        "runqsteal",
	kRunqputbatchAll:  "runqputbatch.all",
}

func (k opKind) String() string { return kindNames[k] }

// An input is the argument side of an operation.
type input struct {
	kind          opKind
	g             G    // the G put (runqput, runqput.runnext, runqput.next)
	gs            []G  // the Gs offered (runqputbatch*)
	stealRunNextG bool // runqsteal
}

// An output is the result side of an operation; only the fields of its
// kind are set.
type output struct {
	g       G    // kicked (runqput.runnext), taken (runqget, runqgrab.runnext, globrunqget)
	inherit bool // runqget
	gs      []G  // batch, oldest first (runqgrab, runqsteal)
	k       int  // placed (runqputbatch*)
	empty   bool // runqempty
}

// A qstate is the model state. Steps never modify one; they build new
// slices.
type qstate struct {
	runnext G
	ring    []G // oldest first; len <= cap
	global  []G // sched.runq, oldest first
}

func (s qstate) has(g G) bool {
	return g != 0 && (s.runnext == g || slices.Contains(s.ring, g) || slices.Contains(s.global, g))
}

func (s qstate) String() string {
	return fmt.Sprintf("runnext=%s ring=%s global=%s", fmtG(s.runnext), fmtGs(s.ring), fmtGs(s.global))
}

// hash is FNV-1a over the Gs, with a separator between the parts.
func (s qstate) hash() uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint32) {
		h ^= uint64(v)
		h *= 1099511628211
	}
	mix(uint32(s.runnext))
	for _, part := range [][]G{s.ring, s.global} {
		mix(^uint32(0))
		for _, g := range part {
			mix(uint32(g))
		}
	}
	return h
}

func fmtG(g G) string {
	if g == 0 {
		return "nil"
	}
	return fmt.Sprintf("g%d", g)
}

func fmtGs(gs []G) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, g := range gs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fmtG(g))
	}
	b.WriteByte(']')
	return b.String()
}

// A runqModel is the specification for rings of capacity cap.
type runqModel struct{ cap int }

// putTail is the ring put of runqput: append g, or, if the ring is full,
// runqputslow's move of the older half and g to the global queue.
func (m runqModel) putTail(s qstate, g G) qstate {
	if len(s.ring) < m.cap {
		s.ring = append(slices.Clip(s.ring), g)
		return s
	}
	half := m.cap / 2
	s.global = append(append(slices.Clip(s.global), s.ring[:half]...), g)
	s.ring = s.ring[half:]
	return s
}

// step applies one operation. It reports whether the output is the one the
// specification allows in state s, and the state after.
func (m runqModel) step(s qstate, in input, out output) (bool, qstate) {
	switch in.kind {
	case kRunqput:
		if in.g == 0 || s.has(in.g) {
			return false, s
		}
		return true, m.putTail(s, in.g)

	case kRunqputRunnext:
		if in.g == 0 || s.has(in.g) || s.runnext != out.g {
			return false, s
		}
		s.runnext = in.g
		return true, s

	case kRunqputNext:
		if in.g == 0 || s.has(in.g) {
			return false, s
		}
		old := s.runnext
		s.runnext = in.g
		if old != 0 {
			s = m.putTail(s, old)
		}
		return true, s

	case kRunqputbatch, kRunqputbatchFull, kRunqputbatchAll:
		k := out.k
		if k < 0 || k > len(in.gs) || len(s.ring)+k > m.cap {
			return false, s
		}
		for _, g := range in.gs[:k] {
			if g == 0 || s.has(g) {
				return false, s
			}
		}
		switch in.kind {
		case kRunqputbatchFull:
			// runqputbatch stopped after k Gs because, with the head it
			// loaded, the ring was then full: it held Cap-k Gs.
			return len(s.ring) == m.cap-k, s
		case kRunqputbatchAll:
			if k != min(len(in.gs), m.cap-len(s.ring)) {
				return false, s
			}
		}
		s.ring = append(slices.Clip(s.ring), in.gs[:k]...)
		return true, s

	case kRunqget:
		switch {
		case s.runnext != 0:
			ok := out.g == s.runnext && out.inherit
			s.runnext = 0
			return ok, s
		case len(s.ring) > 0:
			ok := out.g == s.ring[0] && !out.inherit
			s.ring = s.ring[1:]
			return ok, s
		default:
			return out.g == 0 && !out.inherit, s
		}

	case kRunqgrabSize:
		// n = t-h; n = n - n/2 gave k: the ring held 2k-1 or 2k Gs, and
		// the batch was its oldest k.
		k := len(out.gs)
		return k > 0 && (len(s.ring) == 2*k-1 || len(s.ring) == 2*k) && slices.Equal(out.gs, s.ring[:k]), s

	case kRunqgrab:
		k := len(out.gs)
		if k == 0 || k > len(s.ring) || !slices.Equal(out.gs, s.ring[:k]) {
			return false, s
		}
		s.ring = s.ring[k:]
		return true, s

	case kRunqgrabEmpty:
		return len(s.ring) == 0, s

	case kRunqgrabRunnext:
		if s.runnext != out.g {
			return false, s
		}
		s.runnext = 0
		return true, s

	case kRunqsteal:
		if n := len(s.ring) - len(s.ring)/2; n > 0 {
			if !slices.Equal(out.gs, s.ring[:n]) {
				return false, s
			}
			s.ring = s.ring[n:]
			return true, s
		}
		if in.stealRunNextG && s.runnext != 0 {
			if !slices.Equal(out.gs, []G{s.runnext}) {
				return false, s
			}
			s.runnext = 0
			return true, s
		}
		return len(out.gs) == 0, s

	case kRunqempty:
		return out.empty == (s.runnext == 0 && len(s.ring) == 0), s

	case kGlobrunqget:
		if len(s.global) == 0 {
			return out.g == 0, s
		}
		ok := out.g == s.global[0]
		s.global = s.global[1:]
		return ok, s
	}
	panic(fmt.Sprintf("runqModel.step: unknown kind %d", in.kind))
}

func describeOp(in input, out output) string {
	switch in.kind {
	case kRunqput, kRunqputNext:
		return fmt.Sprintf("%s(%s)", in.kind, fmtG(in.g))
	case kRunqputRunnext:
		return fmt.Sprintf("%s(%s) -> kicked %s", in.kind, fmtG(in.g), fmtG(out.g))
	case kRunqputbatch, kRunqputbatchFull, kRunqputbatchAll:
		return fmt.Sprintf("%s(%s) -> %d placed", in.kind, fmtGs(in.gs), out.k)
	case kRunqget:
		return fmt.Sprintf("%s() -> %s inherit=%t", in.kind, fmtG(out.g), out.inherit)
	case kRunqgrab, kRunqgrabSize:
		return fmt.Sprintf("%s() -> %s", in.kind, fmtGs(out.gs))
	case kRunqsteal:
		return fmt.Sprintf("%s(stealRunNextG=%t) -> %s", in.kind, in.stealRunNextG, fmtGs(out.gs))
	case kRunqgrabEmpty:
		return in.kind.String()
	case kRunqgrabRunnext, kGlobrunqget:
		return fmt.Sprintf("%s() -> %s", in.kind, fmtG(out.g))
	case kRunqempty:
		return fmt.Sprintf("%s() -> %t", in.kind, out.empty)
	}
	return fmt.Sprintf("kind %d", in.kind)
}

// porcupineModel wraps m for porcupine.
func (m runqModel) porcupineModel() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return qstate{} },
		Step: func(state, in, out any) (bool, any) {
			return m.step(state.(qstate), in.(input), out.(output))
		},
		Equal: func(a, b any) bool {
			x, y := a.(qstate), b.(qstate)
			return x.runnext == y.runnext && slices.Equal(x.ring, y.ring) && slices.Equal(x.global, y.global)
		},
		Hash:              func(state any) uint64 { return state.(qstate).hash() },
		DescribeOperation: func(in, out any) string { return describeOp(in.(input), out.(output)) },
		DescribeState:     func(state any) string { return state.(qstate).String() },
	}
}
