package spec

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gmpspec/gmpspec/impl/runq"
)

// The run queue of the model against its executable twin, impl/runq.
//
// The model keeps a P's ring as an ordered array and runs runqput,
// runqputslow and runqsteal as the steps of an M ("runqput.runnext",
// "runqput.tail", "runqputslow.lock", "runqputslow.globrunqputbatch",
// "stealWork", "runqsteal.runnext", "runqsteal.publish"); the twin runs
// proc.go's code with its ring indexes and atomics. TestRunqTwin drives
// both with the same random sequences of operations, one at a time: P0's
// owner puts (with and without next), gets and puts batches, P1's owner
// steals from P0 (a plain pass or the last pass, which may take runnext)
// and gets, and anyone takes from the global queue. After every operation
// the Gs returned and the queues (runnext, the ring oldest first, the
// global queue) must agree. impl/runq checks the twin's concurrent
// histories with porcupine; this test ties the twin's sequential meaning
// to the model's steps, so the two checks together relate the model to
// the runtime's code.

// twinRunq is the model's side: a state with two running Ps, P0 held by
// M0 and P1 by M1, on which the test runs the queue steps of one M at a
// time until it leaves them.
type twinRunq struct {
	c *Config
	s State
}

func newTwinRunq(cap int) *twinRunq {
	c := &Config{Name: "twin", GOMAXPROCS: 2, Ms: 2, RunqSize: cap}
	for i := 0; i < MaxG-1; i++ {
		c.Gs = append(c.Gs, Program{Name: fmt.Sprintf("g%d", i)})
	}
	t := &twinRunq{c: c}
	for i := 0; i < 2; i++ {
		t.s.P[i] = P{Status: _Prunning, M: mref(i)}
		t.s.M[i] = M{P: pref(i), Created: true, Started: true}
	}
	return t
}

// run takes M m's steps from its pc until done says it has left the queue
// code.
func (t *twinRunq) run(m int, done func(x *exec) bool) error {
	x := &exec{s: &t.s, c: t.c, m: m, mm: &t.s.M[m]}
	for n := 0; n == 0 || !done(x); n++ {
		d := &steps[x.mm.PC]
		if t.s.Throw != 0 {
			return fmt.Errorf("M%d threw %q before %s", m, throws[t.s.Throw].msg, d.name)
		}
		if n == 20 || (d.enabled != nil && !d.enabled(x)) {
			return fmt.Errorf("M%d stuck at %s", m, d.name)
		}
		d.fn(x)
	}
	return nil
}

// put is runqput(P0, g, next) by M0: the call returns to wakep, which the
// test does not take.
func (t *twinRunq) put(g uint8, next bool) error {
	x := &exec{s: &t.s, c: t.c, m: 0, mm: &t.s.M[0]}
	x.mm.LG = g
	x.setFlag(fNext, next)
	x.call(pcRunqput, pcWakep)
	err := t.run(0, func(x *exec) bool { return x.mm.PC == uint8(pcWakep) })
	x.clearLocals()
	return err
}

// steal is one pass of stealWork by M1 over its one victim, P0: the G it
// returns (to execute), or 0 if the pass found nothing.
func (t *twinRunq) steal(last bool) (uint8, error) {
	mm := &t.s.M[1]
	mm.PC = uint8(pcSteal)
	x := &exec{s: &t.s, c: t.c, m: 1, mm: mm}
	x.setFlag(fLastPass, last)
	err := t.run(1, func(x *exec) bool {
		switch pc(x.mm.PC) {
		case pcSteal:
			// Back at stealWork: a new pass began (the one victim is
			// done).
			return x.mm.Visited == 0
		case pcStealNext, pcStealRunnext, pcStealRetry, pcStealPublish:
			return false
		}
		return true
	})
	var g uint8
	if pc(mm.PC) == pcExecute {
		g = mm.LG
	}
	mm.PC = 0
	x.clearLocals()
	return g, err
}

// queues describes P0, P1 and the global queue as the twin's snapshot
// does.
func (t *twinRunq) queues() string {
	var b strings.Builder
	for p := 0; p < 2; p++ {
		pp := &t.s.P[p]
		fmt.Fprintf(&b, "P%d runnext=%d ring=%v  ", p, pp.Runnext, pp.Runq[:pp.RunqN])
	}
	fmt.Fprintf(&b, "global=%v", t.s.Sched.Runq[:t.s.Sched.RunqN])
	return b.String()
}

func twinQueues(ps [2]*runq.P, sched *runq.Sched) string {
	var b strings.Builder
	for p, pp := range ps {
		next, ring := pp.Snapshot()
		fmt.Fprintf(&b, "P%d runnext=%d ring=%v  ", p, next, ring)
	}
	fmt.Fprintf(&b, "global=%v", sched.Global())
	return b.String()
}

const twinSequences, twinLength = 2000, 40

func TestRunqTwin(t *testing.T) {
	ops := map[string]int{}
	for _, cap := range []int{2, 4} {
		for seed := uint64(1); seed <= twinSequences; seed++ {
			if err := runTwinSequence(cap, seed, twinLength, ops, nil); err != nil {
				t.Fatalf("%v\nreproduce: go test ./spec -run 'TestRunqTwin$'", err)
			}
		}
	}
	// Every kind of operation, and every path through runqput and
	// runqsteal, was taken (counts pinned: the sequences are seeded).
	want := map[string]int{
		"put": 29226, "put-next": 29152, "put-kick": 13941, "putslow": 8783,
		"get": 21645, "putbatch": 14742, "putbatch-partial": 5901,
		"steal": 30475, "steal-none": 6799, "steal-one": 17393, "steal-runnext": 1480, "steal-batch": 4803,
		"get-P1": 18868, "globrunqget": 15892,
	}
	for k, n := range want {
		if ops[k] != n {
			t.Errorf("%s: %d operations, want %d (all: %v)", k, ops[k], n, ops)
		}
	}
}

// TestRunqTwinBites runs the cross-check with the model's run queue bug
// switches on: each must make the model and the twin disagree, or make the
// model throw, within the sequences TestRunqTwin runs.
func TestRunqTwinBites(t *testing.T) {
	for bug, want := range map[string]string{
		BugRunqgrabTakesAll:  `runq 2, sequence 1: P1 stealWork pass (last=true) from P0: M1 threw "runqsteal: runq overflow"`,
		BugStealRunnextNoCas: "runq 2, sequence 7: P1 stealWork pass (last=true) from P0: the queues differ",
	} {
		var err error
		for _, cap := range []int{2, 4} {
			for seed := uint64(1); seed <= twinSequences && err == nil; seed++ {
				err = runTwinSequence(cap, seed, twinLength, map[string]int{}, []string{bug})
			}
		}
		if err == nil {
			t.Errorf("%s: the model and the twin agree on every sequence", bug)
		} else if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v\nwant it to begin %q", bug, err, want)
		}
	}
}

// runTwinSequence runs one seeded sequence of operations on the model (with
// the given bug switches) and the twin, comparing after each.
func runTwinSequence(cap int, seed uint64, length int, ops map[string]int, bugs []string) (err error) {
	r := rand.New(rand.NewPCG(seed, uint64(cap)))
	m := newTwinRunq(cap)
	m.c.Bugs = bugs
	sched := runq.NewSched(runq.Config{Cap: cap})
	ps := [2]*runq.P{sched.NewP(), sched.NewP()}
	free := uint8(1<<(MaxG-1) - 1) // G k (1..7) is bit k-1: not in any queue
	var trace []string
	type failure struct{ error }
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			err = f.error
		}
	}()
	fail := func(format string, args ...any) {
		panic(failure{fmt.Errorf("runq %d, sequence %d: %s\n%s",
			cap, seed, fmt.Sprintf(format, args...), strings.Join(trace, "\n"))})
	}
	check := func(op string, err error) {
		if err != nil {
			fail("%s: %v", op, err)
		}
	}
	take := func(who string, model, twin uint8) {
		if model != twin {
			fail("%s: the model returns G%d, the twin G%d", who, model, twin)
		}
		if model != 0 {
			free |= 1 << (model - 1)
		}
	}
	pick := func() uint8 {
		g := uint8(r.IntN(bits.OnesCount8(free)))
		for l := free; ; l &= l - 1 {
			if g == 0 {
				k := uint8(bits.TrailingZeros8(l)) + 1
				free &^= 1 << (k - 1)
				return k
			}
			g--
		}
	}
	for i := 0; i < length; i++ {
		var op string
		switch k := r.IntN(10); {
		case k < 4 && free != 0:
			g, next := pick(), r.IntN(2) == 0
			op = fmt.Sprintf("P0 runqput(G%d, next=%v)", g, next)
			kind := "put"
			if next {
				kind = "put-next"
				if m.s.P[0].Runnext != 0 {
					ops["put-kick"]++
				}
			}
			ops[kind]++
			nglob := m.s.Sched.RunqN
			check(op, m.put(g, next))
			if m.s.Sched.RunqN != nglob {
				ops["putslow"]++
			}
			ps[0].Put(runq.G(g), next)
		case k < 5:
			op = "P0 runqget"
			ops["get"]++
			g, inh := m.s.runqget(0)
			tg, tinh := ps[0].Get()
			if inh != tinh {
				fail("%s: inheritTime %v in the model, %v in the twin", op, inh, tinh)
			}
			take(op, g, uint8(tg))
		case k < 6 && free != 0:
			var batch []runq.G
			list := uint8(0)
			for n := 1 + r.IntN(3); n > 0 && free != 0; n-- {
				g := pick()
				list |= 1 << (g - 1)
			}
			for l := list; l != 0; l &= l - 1 {
				batch = append(batch, runq.G(bits.TrailingZeros8(l)+1))
			}
			op = fmt.Sprintf("P0 runqputbatch(%v)", batch)
			ops["putbatch"]++
			rest := m.s.runqputbatch(0, cap, list)
			trest := ps[0].PutBatch(batch)
			var want uint8
			for _, g := range trest {
				want |= 1 << (g - 1)
			}
			if rest != want {
				fail("%s: the model leaves %08b, the twin %v", op, rest, trest)
			}
			if rest != 0 {
				ops["putbatch-partial"]++
			}
			free |= rest
		case k < 8 && m.s.runqempty(1):
			// findRunnable steals only once its own queue is empty.
			last := r.IntN(2) == 0
			op = fmt.Sprintf("P1 stealWork pass (last=%v) from P0", last)
			ops["steal"]++
			before := m.s.P[1].RunqN
			runnext := m.s.P[0].Runnext
			g, err := m.steal(last)
			check(op, err)
			tg := ps[1].Steal(ps[0], last)
			switch {
			case g == 0:
				ops["steal-none"]++
			case g == runnext:
				ops["steal-runnext"]++
			case m.s.P[1].RunqN > before:
				ops["steal-batch"]++
			default:
				ops["steal-one"]++
			}
			take(op, g, uint8(tg))
		case k < 9:
			op = "P1 runqget"
			ops["get-P1"]++
			g, _ := m.s.runqget(1)
			tg, _ := ps[1].Get()
			take(op, g, uint8(tg))
		default:
			op = "globrunqget"
			ops["globrunqget"]++
			take(op, m.s.globrunqget(), uint8(sched.Globrunqget()))
		}
		model, twin := m.queues(), twinQueues(ps, sched)
		trace = append(trace, fmt.Sprintf("  %-44s model: %s", op, model))
		if model != twin {
			fail("%s: the queues differ\n  model: %s\n  twin:  %s", op, model, twin)
		}
		if slices.Contains(m.s.P[1].Runq[:m.s.P[1].RunqN], 0) {
			fail("%s: nil G on P1's ring", op)
		}
	}
	return nil
}
