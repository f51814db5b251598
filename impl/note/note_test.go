//go:build linux

package note

// Reference: lock_futex.go noteclear, notewakeup, notesleep,
// notetsleep_internal (go1.26.8); os_linux.go futexsleep, futexwakeup;
// note_other.go:9-26 (the contract); spec/prims.go exec.notewakeup and
// spec/throws.go throwDoubleWakeup (the spec's view of the same note).

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/anishathalye/porcupine"
)

var (
	seedFlag   = flag.Uint64("note.seed", 1, "seed of TestHistory's and TestSleepReturnsAfterWakeup's round plans")
	roundsFlag = flag.Int("note.rounds", 300, "rounds of TestHistory")
)

// --- The sequential model.
//
// The state is the key, 0 or 1, as in the spec (spec.M.Park). Each
// operation takes effect at one instant between its call and its return;
// porcupine looks for an order of those instants that this model accepts.

type opKind uint8

const (
	opClear  opKind = iota // noteclear: key = 0
	opWakeup               // notewakeup: key = 1; "double" iff it was 1
	opSleep                // notesleep: returns only when key == 1
	opTSleep               // notetsleep: true iff key == 1
)

// A noteInput is an operation as called.
type noteInput struct {
	op opKind
	d  time.Duration // opTSleep: the timeout; < 0 is none
}

// A noteOutput is what an operation returned.
type noteOutput struct {
	double bool // opWakeup: ErrDoubleWakeup
	woke   bool // opTSleep: the result
}

var noteModel = porcupine.Model{
	Init: func() any { return uint32(0) },
	Step: func(state, input, output any) (bool, any) {
		key := state.(uint32)
		in, out := input.(noteInput), output.(noteOutput)
		switch in.op {
		case opClear:
			return true, uint32(0)
		case opWakeup:
			// The spec's exec.notewakeup (spec/prims.go):
			// the key becomes 1 either way, and a key of 1 before
			// is throwDoubleWakeup, "throw-no-double-wakeup".
			return out.double == (key != 0), uint32(1)
		case opSleep:
			// The guard of the spec's "mPark" step
			// (spec/step_mstate.go): enabled when Park != 0.
			return key != 0, key
		case opTSleep:
			return out.woke == (key != 0), key
		}
		return false, key
	},
	Equal: func(a, b any) bool { return a.(uint32) == b.(uint32) },
	DescribeOperation: func(input, output any) string {
		in, out := input.(noteInput), output.(noteOutput)
		switch in.op {
		case opClear:
			return "clear"
		case opWakeup:
			if out.double {
				return "wakeup -> double"
			}
			return "wakeup -> ok"
		case opSleep:
			return "sleep"
		case opTSleep:
			return fmt.Sprintf("tsleep(%v) -> %v", in.d, out.woke)
		}
		return "?"
	},
	DescribeState: func(state any) string { return fmt.Sprintf("key=%d", state.(uint32)) },
}

// op builds an operation for the hand-written histories of TestModel.
func op(client int, in noteInput, out noteOutput, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

// TestModel pins the model's verdicts on small hand-written histories, so
// that the model is known to have teeth before it judges the twin: "-ok"
// histories are linearizable, "-bad" ones are not.
func TestModel(t *testing.T) {
	var (
		clear  = noteInput{op: opClear}
		wakeup = noteInput{op: opWakeup}
		sleep  = noteInput{op: opSleep}
		tsleep = noteInput{op: opTSleep, d: 100 * time.Microsecond}
		none   = noteOutput{}
		ok     = noteOutput{}
		double = noteOutput{double: true}
		woke   = noteOutput{woke: true}
	)
	for _, tc := range []struct {
		name string
		ops  []porcupine.Operation
	}{
		{"wakeup-then-sleep-ok", []porcupine.Operation{op(1, wakeup, ok, 0, 1), op(0, sleep, none, 2, 3)}},
		{"sleep-overlaps-wakeup-ok", []porcupine.Operation{op(0, sleep, none, 0, 5), op(1, wakeup, ok, 2, 3)}},
		{"sleep-before-wakeup-bad", []porcupine.Operation{op(0, sleep, none, 0, 1), op(1, wakeup, ok, 2, 3)}},
		{"concurrent-wakeups-one-double-ok", []porcupine.Operation{op(1, wakeup, ok, 0, 3), op(2, wakeup, double, 1, 2)}},
		{"concurrent-wakeups-both-ok-bad", []porcupine.Operation{op(1, wakeup, ok, 0, 3), op(2, wakeup, ok, 1, 2)}},
		{"first-wakeup-double-bad", []porcupine.Operation{op(1, wakeup, double, 0, 1), op(2, wakeup, ok, 2, 3)}},
		{"wakeup-clear-wakeup-ok", []porcupine.Operation{op(1, wakeup, ok, 0, 1), op(4, clear, none, 2, 3), op(1, wakeup, ok, 4, 5)}},
		{"tsleep-true-before-wakeup-bad", []porcupine.Operation{op(0, tsleep, woke, 0, 1), op(1, wakeup, ok, 2, 3)}},
		{"tsleep-false-overlaps-wakeup-ok", []porcupine.Operation{op(0, tsleep, none, 0, 5), op(1, wakeup, ok, 2, 3)}},
		{"tsleep-false-after-wakeup-bad", []porcupine.Operation{op(1, wakeup, ok, 0, 1), op(0, tsleep, none, 2, 3)}},
		{"tsleep-false-after-clear-ok", []porcupine.Operation{op(1, wakeup, ok, 0, 1), op(4, clear, none, 2, 3), op(0, tsleep, none, 4, 5)}},
	} {
		want := porcupine.Ok
		if strings.HasSuffix(tc.name, "-bad") {
			want = porcupine.Illegal
		}
		if got := porcupine.CheckOperationsTimeout(noteModel, tc.ops, time.Second); got != want {
			t.Errorf("%s: got %v, want %v", tc.name, got, want)
		}
	}
}

// --- Rounds.
//
// A round is one use of a note between two clears: the owner clears it
// (recorded), maybe wakes it itself first, then starts one sleeper and the
// round's wakers and spurious wakes at fixed offsets, and waits for them
// all. The owner clears only between rounds, when all of them have
// returned, as note_other.go:16-18 requires.

// Client ids in the recorded histories.
const (
	sleeperClient = 0 // wakers are 1, 2, 3
	ownerClient   = 4
)

// A roundPlan fixes what a round does; only the interleaving is left to
// the machine. Plans are drawn from a seeded source, so a seed gives the
// same plans on every run, though not the same interleavings.
type roundPlan struct {
	preWake  bool            // the owner wakes the note before the sleeper starts
	sleep    opKind          // opSleep or opTSleep
	timeout  time.Duration   // opTSleep's timeout; < 0 is none
	wakers   []time.Duration // each waker's start, as an offset from the round's start
	spurious []time.Duration // futexwakeups that do not set the key, at these offsets
}

func (p roundPlan) String() string {
	var b strings.Builder
	if p.preWake {
		b.WriteString("prewake ")
	}
	if p.sleep == opTSleep {
		fmt.Fprintf(&b, "tsleep(%v)", p.timeout)
	} else {
		b.WriteString("sleep")
	}
	fmt.Fprintf(&b, " wakers=%v spurious=%v", p.wakers, p.spurious)
	return b.String()
}

var (
	planTimeouts = []time.Duration{-1, 0, 50 * time.Microsecond, 100 * time.Microsecond, 200 * time.Microsecond, 500 * time.Microsecond}
	planOffsets  = []time.Duration{0, 20 * time.Microsecond, 100 * time.Microsecond, 300 * time.Microsecond}
)

// randomPlan draws a plan: Sleep or TSleep, zero to three wakers (at least
// one waker when nothing else would end the sleep), and sometimes up to
// three spurious wakes.
func randomPlan(r *rand.Rand) roundPlan {
	p := roundPlan{sleep: opSleep}
	if r.IntN(2) == 0 {
		p.sleep = opTSleep
		p.timeout = planTimeouts[r.IntN(len(planTimeouts))]
	}
	p.preWake = r.IntN(6) == 0
	nw := r.IntN(4)
	if nw == 0 && !p.preWake && (p.sleep == opSleep || p.timeout < 0) {
		nw = 1
	}
	for range nw {
		p.wakers = append(p.wakers, planOffsets[r.IntN(len(planOffsets))])
	}
	if r.IntN(3) == 0 {
		for range 1 + r.IntN(3) {
			p.spurious = append(p.spurious, planOffsets[r.IntN(len(planOffsets))])
		}
		slices.Sort(p.spurious)
	}
	return p
}

// A clock gives monotonic timestamps for porcupine.
type clock struct{ base time.Time }

func (c clock) now() int64 { return int64(time.Since(c.base)) }

// A roundResult is what a round did.
type roundResult struct {
	// ops is the round's history: the clear, the owner's wakeup if
	// any, the wakers' wakeups, and the sleeper's operation unless it
	// hung.
	ops []porcupine.Operation
	// hung: the sleeper had not returned bound after the last waker and
	// spurious wake were done. hangKey is the key at that moment (1: the
	// note was woken and the sleeper slept on: a lost wakeup), and
	// rescued says whether futexwakeup then brought the sleeper back.
	hung    bool
	hangKey uint32
	rescued bool
	// wakeNil and wakeDouble count the round's Wakeup results.
	wakeNil, wakeDouble int
}

// sleepUntil sleeps until t, if t is in the future.
func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}

// runRound runs one round of plan p on n; see "Rounds" above.
func runRound(n *Note, clk clock, p roundPlan, bound time.Duration) roundResult {
	var (
		res roundResult
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	record := func(o porcupine.Operation) {
		mu.Lock()
		res.ops = append(res.ops, o)
		mu.Unlock()
	}
	wakeup := func(client int) {
		call := clk.now()
		err := n.Wakeup()
		ret := clk.now()
		if err != nil && !errors.Is(err, ErrDoubleWakeup) {
			panic("runRound: Wakeup: " + err.Error())
		}
		record(porcupine.Operation{ClientId: client, Input: noteInput{op: opWakeup}, Call: call,
			Output: noteOutput{double: err != nil}, Return: ret})
	}

	call := clk.now()
	n.Clear()
	record(porcupine.Operation{ClientId: ownerClient, Input: noteInput{op: opClear}, Call: call,
		Output: noteOutput{}, Return: clk.now()})
	if p.preWake {
		wakeup(ownerClient)
	}

	start := time.Now()
	var sleeperOp porcupine.Operation
	sleeperDone := make(chan struct{})
	go func() {
		defer close(sleeperDone)
		in := noteInput{op: p.sleep, d: p.timeout}
		var out noteOutput
		call := clk.now()
		if p.sleep == opSleep {
			n.Sleep()
		} else {
			out.woke = n.TSleep(p.timeout)
		}
		sleeperOp = porcupine.Operation{ClientId: sleeperClient, Input: in, Call: call, Output: out, Return: clk.now()}
	}()
	for i, off := range p.wakers {
		wg.Go(func() {
			sleepUntil(start.Add(off))
			wakeup(1 + i)
		})
	}
	if len(p.spurious) > 0 {
		wg.Go(func() {
			for _, off := range p.spurious {
				sleepUntil(start.Add(off))
				futexwakeup(n.key32(), 1)
			}
		})
	}
	wg.Wait()

	select {
	case <-sleeperDone:
		res.ops = append(res.ops, sleeperOp)
	case <-time.After(bound):
		// A hang. Record what the key says, then get the sleeper out
		// so that no thread is left in the kernel: set the key if no
		// one did, and wake the futex until the sleeper returns. Its
		// operation is left out of the history: the rescue is not
		// part of the model.
		res.hung = true
		res.hangKey = n.key.Load()
		if res.hangKey == 0 {
			n.key.Store(1)
		}
		deadline := time.Now().Add(2 * time.Second)
		for !res.rescued && time.Now().Before(deadline) {
			futexwakeup(n.key32(), 1)
			select {
			case <-sleeperDone:
				res.rescued = true
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	for _, o := range res.ops {
		if o.Input.(noteInput).op == opWakeup {
			if o.Output.(noteOutput).double {
				res.wakeDouble++
			} else {
				res.wakeNil++
			}
		}
	}
	return res
}

// describeHistory prints a history one operation a line, by call time.
func describeHistory(ops []porcupine.Operation) string {
	ops = slices.Clone(ops)
	slices.SortFunc(ops, func(a, b porcupine.Operation) int { return int(a.Call - b.Call) })
	var b strings.Builder
	base := ops[0].Call
	for _, o := range ops {
		fmt.Fprintf(&b, "\n\tclient %d [%8.1fµs, %8.1fµs] %s", o.ClientId,
			float64(o.Call-base)/1e3, float64(o.Return-base)/1e3, noteModel.DescribeOperation(o.Input, o.Output))
	}
	return b.String()
}

// visualize writes porcupine's HTML view of a history that was expected to
// be linearizable and was not, and returns its path.
func visualize(t *testing.T, ops []porcupine.Operation) string {
	_, info := porcupine.CheckOperationsVerbose(noteModel, ops, 5*time.Second)
	f, err := os.CreateTemp("", "note-history-*.html")
	if err != nil {
		t.Logf("visualize: %v", err)
		return ""
	}
	defer f.Close()
	if err := porcupine.Visualize(noteModel, info, f); err != nil {
		t.Logf("visualize: %v", err)
	}
	return f.Name()
}

// --- The correct twin.

// TestHistory runs -note.rounds rounds of random plans on one note and
// checks each round's history, then the whole run's, for linearizability;
// it also checks that every round ends (no hang within 2s of the last
// wakeup) and that exactly one Wakeup per round succeeds.
func TestHistory(t *testing.T) {
	seed := *seedFlag
	rng := rand.New(rand.NewPCG(seed, 0))
	n := new(Note)
	clk := clock{time.Now()}
	var (
		all                                 []porcupine.Operation
		sleeps, tsleepTrue, tsleepFalse     int
		wakeDouble, spurious, preWakeRounds int
	)
	for round := 1; round <= *roundsFlag; round++ {
		p := randomPlan(rng)
		res := runRound(n, clk, p, 2*time.Second)
		where := fmt.Sprintf("seed %d, round %d (%v); reproduce the plans with: go test ./impl/note -run='^TestHistory$' -note.seed=%d",
			seed, round, p, seed)
		if res.hung {
			t.Fatalf("%s: hang: the sleeper did not return within 2s of the last wakeup (key=%d, rescued=%v)%s",
				where, res.hangKey, res.rescued, describeHistory(res.ops))
		}
		if calls := res.wakeNil + res.wakeDouble; calls > 0 && res.wakeNil != 1 {
			t.Fatalf("%s: %d of %d Wakeups succeeded, want exactly 1%s", where, res.wakeNil, calls, describeHistory(res.ops))
		}
		if r := porcupine.CheckOperationsTimeout(noteModel, res.ops, 5*time.Second); r != porcupine.Ok {
			t.Fatalf("%s: porcupine says %v; visualization: %s%s", where, r, visualize(t, res.ops), describeHistory(res.ops))
		}
		all = append(all, res.ops...)
		for _, o := range res.ops {
			switch in := o.Input.(noteInput); {
			case in.op == opSleep:
				sleeps++
			case in.op == opTSleep && o.Output.(noteOutput).woke:
				tsleepTrue++
			case in.op == opTSleep:
				tsleepFalse++
			}
		}
		wakeDouble += res.wakeDouble
		spurious += len(p.spurious)
		if p.preWake {
			preWakeRounds++
		}
	}
	if r := porcupine.CheckOperationsTimeout(noteModel, all, 10*time.Second); r != porcupine.Ok {
		t.Fatalf("seed %d: the whole history (%d operations) is %v; every round alone was Ok", seed, len(all), r)
	}
	// Sometimes: the outcomes the rounds exist to produce did occur, so
	// the check above was not vacuous.
	for _, c := range []struct {
		what string
		n    int
	}{{"Sleep", sleeps}, {"TSleep -> true", tsleepTrue}, {"TSleep -> false", tsleepFalse},
		{"ErrDoubleWakeup", wakeDouble}, {"spurious wake", spurious}, {"prewake round", preWakeRounds}} {
		if c.n == 0 {
			t.Errorf("seed %d: no %s in %d rounds", seed, c.what, *roundsFlag)
		}
	}
	t.Logf("seed %d: %d rounds, %d operations: %d Sleep, %d TSleep true, %d TSleep false, %d double wakeups, %d spurious wakes",
		seed, *roundsFlag, len(all), sleeps, tsleepTrue, tsleepFalse, wakeDouble, spurious)
}

// TestSleepReturnsAfterWakeup: in every round Sleep returns once the note
// is woken, with wakers at random offsets and spurious wakes around them.
// Failure is a hang: no return within 2s of the last wakeup.
func TestSleepReturnsAfterWakeup(t *testing.T) {
	rng := rand.New(rand.NewPCG(*seedFlag, 1))
	n := new(Note)
	clk := clock{time.Now()}
	for round := 1; round <= 200; round++ {
		p := roundPlan{sleep: opSleep, wakers: []time.Duration{planOffsets[rng.IntN(len(planOffsets))]}}
		if rng.IntN(2) == 0 {
			p.spurious = []time.Duration{0, 20 * time.Microsecond, 100 * time.Microsecond}
		}
		if res := runRound(n, clk, p, 2*time.Second); res.hung {
			t.Fatalf("seed %d, round %d (%v): hang: Sleep did not return within 2s of Wakeup (key=%d, rescued=%v)",
				*seedFlag, round, p, res.hangKey, res.rescued)
		}
	}
}

// TestOneOfNWakersSucceeds pins the count: of N wakers released together,
// exactly one gets nil and N-1 get ErrDoubleWakeup, in every round.
func TestOneOfNWakersSucceeds(t *testing.T) {
	const rounds = 200
	for nw := 2; nw <= 4; nw++ {
		n := new(Note)
		var okCount, doubleCount atomic.Int64
		for range rounds {
			n.Clear()
			release := make(chan struct{})
			var wg sync.WaitGroup
			for range nw {
				wg.Go(func() {
					<-release
					switch err := n.Wakeup(); err {
					case nil:
						okCount.Add(1)
					case ErrDoubleWakeup:
						doubleCount.Add(1)
					default:
						t.Errorf("Wakeup: %v", err)
					}
				})
			}
			close(release)
			wg.Wait()
			if !n.TSleep(0) {
				t.Fatalf("%d wakers: the note is not woken after the round", nw)
			}
		}
		if got, want := okCount.Load(), int64(rounds); got != want {
			t.Errorf("%d wakers, %d rounds: %d got nil, want %d", nw, rounds, got, want)
		}
		if got, want := doubleCount.Load(), int64(rounds*(nw-1)); got != want {
			t.Errorf("%d wakers, %d rounds: %d got ErrDoubleWakeup, want %d", nw, rounds, got, want)
		}
	}
}

// TestSequential walks one note through its states on one goroutine.
func TestSequential(t *testing.T) {
	var n Note
	if n.TSleep(0) {
		t.Fatal("TSleep(0) on a cleared note: true")
	}
	if err := n.Wakeup(); err != nil {
		t.Fatalf("first Wakeup: %v", err)
	}
	if err := n.Wakeup(); err != ErrDoubleWakeup {
		t.Fatalf("second Wakeup: %v, want ErrDoubleWakeup", err)
	}
	n.Sleep() // returns at once: the note is woken
	if !n.TSleep(0) || !n.TSleep(-1) {
		t.Fatal("TSleep on a woken note: false")
	}
	n.Clear()
	if n.TSleep(0) {
		t.Fatal("TSleep(0) after Clear: true")
	}
	if err := n.Wakeup(); err != nil {
		t.Fatalf("Wakeup after Clear: %v", err)
	}
	// The runtime's throw message (lock_futex.go:30).
	if got := ErrDoubleWakeup.Error(); got != "notewakeup - double wakeup" {
		t.Errorf("ErrDoubleWakeup = %q", got)
	}
}

// TestTSleep checks TSleep's outcomes, never its speed. "false" is
// checked together with elapsed >= d: the loop of notetsleep_internal
// returns false only once nanotime() >= deadline, and the test's clock is
// read before the deadline is computed, on the same monotonic clock, so
// this is an ordering fact rather than a timing bound.
func TestTSleep(t *testing.T) {
	t.Run("nobody-wakes", func(t *testing.T) {
		var n Note
		for _, d := range []time.Duration{0, time.Microsecond, 50 * time.Microsecond, 500 * time.Microsecond, 2 * time.Millisecond} {
			t0 := time.Now()
			if n.TSleep(d) {
				t.Errorf("TSleep(%v) with no waker: true", d)
			}
			if e := time.Since(t0); e < d {
				t.Errorf("TSleep(%v) returned false after %v, before its deadline", d, e)
			}
		}
	})
	t.Run("spurious-wakes-resleep", func(t *testing.T) {
		// Spurious wakes during the sleep cost trips round the loop,
		// not the deadline.
		var n Note
		const d = 5 * time.Millisecond
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Microsecond):
					futexwakeup(n.key32(), 1)
				}
			}
		})
		t0 := time.Now()
		woke := n.TSleep(d)
		e := time.Since(t0)
		close(stop)
		wg.Wait()
		if woke {
			t.Errorf("TSleep(%v) with only spurious wakes: true", d)
		}
		if e < d {
			t.Errorf("TSleep(%v) returned false after %v, before its deadline", d, e)
		}
	})
	t.Run("woken-before", func(t *testing.T) {
		var n Note
		for _, d := range []time.Duration{-1, 0, 50 * time.Microsecond, time.Hour} {
			n.Clear()
			if err := n.Wakeup(); err != nil {
				t.Fatal(err)
			}
			if !n.TSleep(d) {
				t.Errorf("TSleep(%v) after Wakeup: false", d)
			}
		}
	})
	t.Run("woken-during", func(t *testing.T) {
		// A long or infinite timeout must end with the wakeup; a hang
		// (no return within 2s of it) is the failure.
		var n Note
		for _, d := range []time.Duration{-1, time.Hour} {
			n.Clear()
			done := make(chan bool)
			go func() { done <- n.TSleep(d) }()
			time.Sleep(200 * time.Microsecond)
			if err := n.Wakeup(); err != nil {
				t.Fatal(err)
			}
			select {
			case woke := <-done:
				if !woke {
					t.Errorf("TSleep(%v) woken during the sleep: false", d)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("TSleep(%v): hang: no return within 2s of Wakeup", d)
			}
		}
	})
}

// TestKey32 checks that the kernel's word is the atomic's word.
func TestKey32(t *testing.T) {
	var n Note
	if unsafe.Sizeof(n.key) != 4 {
		t.Fatalf("atomic.Uint32 is %d bytes", unsafe.Sizeof(n.key))
	}
	n.key.Store(1)
	if *n.key32() != 1 {
		t.Fatal("key32 does not point at the key")
	}
}

// --- Bug switches: each check must catch its switch within a bounded
// number of rounds. The round at which it did is logged (go test -v).

func TestBugString(t *testing.T) {
	for b, want := range map[Bug]string{
		0:                                      "none",
		BugWakeupNoFutexwakeup:                 "wakeup-no-futexwakeup",
		BugWakeupLoadStore | BugSleepNoRecheck: "wakeup-load-store,sleep-no-recheck",
	} {
		if got := b.String(); got != want {
			t.Errorf("Bug(%d).String() = %q, want %q", b, got, want)
		}
	}
}

// TestBugWakeupNoFutexwakeup: the sleeper is in the kernel when the waker
// sets the key 500µs into the round; with no FUTEX_WAKE, it sleeps on. The
// hang is declared 200ms after Wakeup returned, with the key at 1: the
// wakeup happened and was lost. (A longer bound changes nothing: only a
// FUTEX_WAKE, or a signal whose restarted FUTEX_WAIT sees the key, brings
// the sleeper back.) The rescue's futexwakeup must then end the Sleep.
func TestBugWakeupNoFutexwakeup(t *testing.T) {
	const maxRounds = 50
	n := NewNote(BugWakeupNoFutexwakeup)
	clk := clock{time.Now()}
	p := roundPlan{sleep: opSleep, wakers: []time.Duration{500 * time.Microsecond}}
	for round := 1; round <= maxRounds; round++ {
		res := runRound(n, clk, p, 200*time.Millisecond)
		if !res.hung {
			continue
		}
		if res.hangKey != 1 {
			t.Fatalf("round %d: hang with key=%d; want the lost wakeup's key=1", round, res.hangKey)
		}
		if !res.rescued {
			t.Fatalf("round %d: futexwakeup did not end the hung Sleep", round)
		}
		t.Logf("%v caught in round %d: Sleep still asleep 200ms after Wakeup returned, key=1%s",
			BugWakeupNoFutexwakeup, round, describeHistory(res.ops))
		return
	}
	t.Fatalf("%v: no hang in %d rounds", BugWakeupNoFutexwakeup, maxRounds)
}

// TestBugWakeupLoadStore: three wakers start together; with a load and a
// store for an Xchg, two of them can both succeed. Both checks must see
// it: the count of successful wakers, and porcupine, whose model says the
// second wakeup without a clear is "double".
func TestBugWakeupLoadStore(t *testing.T) {
	const maxRounds = 200
	n := NewNote(BugWakeupLoadStore)
	clk := clock{time.Now()}
	p := roundPlan{sleep: opTSleep, timeout: 200 * time.Microsecond, wakers: []time.Duration{0, 0, 0}}
	countRound, illegalRound := 0, 0
	for round := 1; round <= maxRounds && (countRound == 0 || illegalRound == 0); round++ {
		res := runRound(n, clk, p, 2*time.Second)
		if res.hung {
			t.Fatalf("round %d: hang", round)
		}
		if countRound == 0 && res.wakeNil > 1 {
			countRound = round
			t.Logf("%v: waker count caught in round %d: %d of 3 Wakeups returned nil",
				BugWakeupLoadStore, round, res.wakeNil)
		}
		if illegalRound == 0 && porcupine.CheckOperationsTimeout(noteModel, res.ops, 5*time.Second) == porcupine.Illegal {
			illegalRound = round
			t.Logf("%v: porcupine Illegal in round %d:%s", BugWakeupLoadStore, round, describeHistory(res.ops))
		}
	}
	if countRound == 0 {
		t.Errorf("%v: waker count never above 1 in %d rounds", BugWakeupLoadStore, maxRounds)
	}
	if illegalRound == 0 {
		t.Errorf("%v: porcupine found no Illegal history in %d rounds", BugWakeupLoadStore, maxRounds)
	}
}

// TestBugSleepNoRecheck: spurious wakes at 100µs to 1ms, the real Wakeup at
// 3ms. A Sleep that does not loop returns at the first spurious wake that
// finds it in the kernel, before Wakeup is called, and porcupine has no
// place for it: the key is 0 throughout its interval.
func TestBugSleepNoRecheck(t *testing.T) {
	const maxRounds = 50
	n := NewNote(BugSleepNoRecheck)
	clk := clock{time.Now()}
	p := roundPlan{
		sleep:    opSleep,
		wakers:   []time.Duration{3 * time.Millisecond},
		spurious: []time.Duration{100 * time.Microsecond, 300 * time.Microsecond, 600 * time.Microsecond, time.Millisecond},
	}
	for round := 1; round <= maxRounds; round++ {
		res := runRound(n, clk, p, 2*time.Second)
		if res.hung {
			t.Fatalf("round %d: hang", round)
		}
		if porcupine.CheckOperationsTimeout(noteModel, res.ops, 5*time.Second) == porcupine.Illegal {
			t.Logf("%v: porcupine Illegal in round %d:%s", BugSleepNoRecheck, round, describeHistory(res.ops))
			return
		}
	}
	t.Fatalf("%v: porcupine found no Illegal history in %d rounds", BugSleepNoRecheck, maxRounds)
}
