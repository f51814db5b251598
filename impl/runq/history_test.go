package runq

// Concurrent histories, checked with porcupine
//
// A round starts one owner goroutine on a victim P and two or three thief
// goroutines, each owning a P of its own, all on one Sched. The owner runs
// a script of puts (with and without next), batch puts, gets, runqempty
// and globrunqget; the thieves run scripts of steals (with and without
// stealRunNextG) and runqempty on the victim. Scripts come from a seeded
// generator, so a round's script is reproducible from its seed; the
// interleaving is not, and Config.Yield calls runtime.Gosched at a quarter
// of the sites at random (see -runq.yield) to vary it. When the thieves
// are done the owner drains its queue and the global queue, so the history
// ends in a known state.
//
// Every call is stamped with a logical clock (an atomic counter read
// before and after it: if one call returns before another starts, its
// stamps are smaller) and turned into porcupine operations by call.ops,
// which splits the calls that are not one atomic step (see model_test.go).
// The rounds check, in order: no P panicked, every G put was taken exactly
// once (conservation), and porcupine finds the history linearizable.
//
// Only the owner reads the global queue in these rounds. runqputslow moves
// half the ring out with one CAS and into the global queue under
// sched.lock some time later; a thief that steals from the ring and then
// reads the global queue in between sees a state no atomic runqputslow
// produces, and the model has no split for it (TestNotAtomic/runqputslow).
//
// Reference: proc.go:7445-7747; "What porcupine checks" in doc.go.

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

var (
	flagSeed   = flag.Uint64("runq.seed", 0, "run only the history round with this seed (TestHistoryLinearizable)")
	flagRounds = flag.Int("runq.rounds", 1000, "history rounds in TestHistoryLinearizable")
	flagYield  = flag.Int("runq.yield", 4, "in history rounds, call runtime.Gosched at one Site in `n` (0: never)")
)

// An api is a method of the twin.
type api uint8

const (
	apiPut api = iota
	apiPutBatch
	apiGet
	apiSteal
	apiEmpty
	apiGlobrunqget
)

// A call is one call of the twin, as the recorder saw it.
type call struct {
	client     int
	start, end int64
	api        api

	g             G    // Put: the G put; Get, Globrunqget, Steal: the G returned
	next          bool // Put
	kicked        G    // Put: the G runqput kicked out of runnext
	gs            []G  // PutBatch: the Gs offered; Steal: the batch, oldest first
	placed        int  // PutBatch
	inherit       bool // Get
	stealRunNextG bool // Steal
	fromRunnext   bool // Steal
	empty         bool // Empty
}

// ops turns c into porcupine operations over c's interval. With naive, a
// call is one operation, as if it were atomic; without, calls that the
// runtime performs in several atomic steps become one operation per step
// (see model_test.go).
func (c call) ops(naive bool) []porcupine.Operation {
	var ops []porcupine.Operation
	add := func(in input, out output) {
		ops = append(ops, porcupine.Operation{ClientId: c.client, Input: in, Call: c.start, Output: out, Return: c.end})
	}
	switch c.api {
	case apiPut:
		switch {
		case !c.next:
			add(input{kind: kRunqput, g: c.g}, output{})
		case naive:
			add(input{kind: kRunqputNext, g: c.g}, output{})
		default:
			add(input{kind: kRunqputRunnext, g: c.g}, output{g: c.kicked})
			if c.kicked != 0 {
				add(input{kind: kRunqput, g: c.kicked}, output{})
			}
		}
	case apiPutBatch:
		if naive {
			add(input{kind: kRunqputbatchAll, gs: c.gs}, output{k: c.placed})
			break
		}
		if c.placed < len(c.gs) {
			add(input{kind: kRunqputbatchFull, gs: c.gs}, output{k: c.placed})
		}
		add(input{kind: kRunqputbatch, gs: c.gs}, output{k: c.placed})
	case apiGet:
		add(input{kind: kRunqget}, output{g: c.g, inherit: c.inherit})
	case apiSteal:
		switch {
		case naive:
			add(input{kind: kRunqsteal, stealRunNextG: c.stealRunNextG}, output{gs: c.gs})
		case c.g != 0 && !c.fromRunnext:
			add(input{kind: kRunqgrabSize}, output{gs: c.gs})
			add(input{kind: kRunqgrab}, output{gs: c.gs})
		default:
			add(input{kind: kRunqgrabEmpty}, output{})
			if c.stealRunNextG {
				add(input{kind: kRunqgrabRunnext}, output{g: c.g})
			}
		}
	case apiEmpty:
		add(input{kind: kRunqempty}, output{empty: c.empty})
	case apiGlobrunqget:
		add(input{kind: kGlobrunqget}, output{g: c.g})
	}
	return ops
}

// A recorder calls the twin and records the calls. Its methods may be
// called concurrently.
type recorder struct {
	clock atomic.Int64
	mu    sync.Mutex
	calls []call
}

func (r *recorder) now() int64 { return r.clock.Add(1) }

func (r *recorder) add(c call) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func (r *recorder) put(client int, pp *P, g G, next bool) {
	start := r.now()
	kicked := pp.runqput(g, next)
	end := r.now()
	r.add(call{client: client, start: start, end: end, api: apiPut, g: g, next: next, kicked: kicked})
}

func (r *recorder) putBatch(client int, pp *P, gs []G) (rest []G) {
	start := r.now()
	rest = pp.PutBatch(gs)
	end := r.now()
	r.add(call{client: client, start: start, end: end, api: apiPutBatch, gs: gs, placed: len(gs) - len(rest)})
	return rest
}

func (r *recorder) get(client int, pp *P) G {
	start := r.now()
	g, inherit := pp.Get()
	end := r.now()
	r.add(call{client: client, start: start, end: end, api: apiGet, g: g, inherit: inherit})
	return g
}

// steal steals from victim into thief, whose queue must be empty and used
// by no one else, and returns the batch, oldest first: the Gs runqsteal
// left in the thief's ring, which steal takes back out, and then the one
// it returned. The thief's ring is private, so the batch was fixed when
// runqsteal returned, and the interval ends there.
func (r *recorder) steal(client int, thief, victim *P, stealRunNextG bool) []G {
	start := r.now()
	g, fromRunnext := thief.runqsteal(victim, stealRunNextG)
	end := r.now()
	var batch []G
	if g != 0 {
		for {
			h, _ := thief.Get()
			if h == 0 {
				break
			}
			batch = append(batch, h)
		}
		batch = append(batch, g)
	}
	r.add(call{client: client, start: start, end: end, api: apiSteal, g: g, gs: batch,
		stealRunNextG: stealRunNextG, fromRunnext: fromRunnext})
	return batch
}

func (r *recorder) isEmpty(client int, pp *P) bool {
	start := r.now()
	e := pp.Empty()
	end := r.now()
	r.add(call{client: client, start: start, end: end, api: apiEmpty, empty: e})
	return e
}

func (r *recorder) globrunqget(client int, s *Sched) G {
	start := r.now()
	g := s.Globrunqget()
	end := r.now()
	r.add(call{client: client, start: start, end: end, api: apiGlobrunqget, g: g})
	return g
}

// drain takes everything left in pp's queue and the global queue.
func (r *recorder) drain(client int, pp *P, s *Sched) {
	for r.get(client, pp) != 0 {
	}
	for r.globrunqget(client, s) != 0 {
	}
}

func (r *recorder) ops(naive bool) []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []porcupine.Operation
	for _, c := range r.calls {
		ops = append(ops, c.ops(naive)...)
	}
	return ops
}

// conservation checks that every G put was taken exactly once, and that
// no G was taken that was not put.
func (r *recorder) conservation() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	put := map[G]int{}
	taken := map[G]int{}
	for _, c := range r.calls {
		switch c.api {
		case apiPut:
			put[c.g]++
		case apiPutBatch:
			for _, g := range c.gs[:c.placed] {
				put[g]++
			}
		case apiGet, apiGlobrunqget:
			if c.g != 0 {
				taken[c.g]++
			}
		case apiSteal:
			for _, g := range c.gs {
				taken[g]++
			}
		}
	}
	return checkCounts(put, taken)
}

// checkCounts compares how often each G was put and taken.
func checkCounts(put, taken map[G]int) error {
	var errs []error
	for g, n := range put {
		if n != 1 {
			errs = append(errs, fmt.Errorf("%s put %d times", fmtG(g), n))
		}
		if m := taken[g]; m != 1 {
			errs = append(errs, fmt.Errorf("%s taken %d times", fmtG(g), m))
		}
	}
	for g, m := range taken {
		if put[g] == 0 {
			errs = append(errs, fmt.Errorf("%s taken %d times, never put", fmtG(g), m))
		}
	}
	if len(errs) > 4 {
		errs = append(errs[:4], fmt.Errorf("and %d more", len(errs)-4))
	}
	return errors.Join(errs...)
}

// A roundConfig shapes one concurrent round.
type roundConfig struct {
	cap      int
	thieves  int
	ownerOps int
	thiefOps int
	wrap     bool // start the indices just below 1<<32, so that they wrap
	bugs     Bugs
}

// roundFor is the round TestHistoryLinearizable and TestBugs run for seed.
func roundFor(seed uint64, bugs Bugs) roundConfig {
	return roundConfig{
		cap:      4 << (seed % 2),
		thieves:  2 + int(seed/2%2),
		ownerOps: 40,
		thiefOps: 8,
		wrap:     seed%4 >= 2,
		bugs:     bugs,
	}
}

// roundTimeout bounds a round; only a broken twin gets near it.
const roundTimeout = 5 * time.Second

// errAborted is the panic Config.Yield raises in every P when a round is
// aborted, to unwind goroutines a broken twin keeps spinning.
var errAborted = errors.New("round aborted")

// A roundResult is what a finished round left.
type roundResult struct {
	cfg     roundConfig
	seed    uint64
	rec     *recorder
	panics  []string // values P goroutines panicked with, errAborted excluded
	aborted bool     // the round hit roundTimeout
}

// runRound runs one round. See the file comment.
func runRound(rc roundConfig, seed uint64) roundResult {
	var (
		abort     atomic.Bool
		abortOnce sync.Once
		abortCh   = make(chan struct{})
		mu        sync.Mutex
		res       = roundResult{cfg: rc, seed: seed, rec: &recorder{}}
	)
	stop := func() {
		abortOnce.Do(func() {
			abort.Store(true)
			close(abortCh)
		})
	}
	s := NewSched(Config{Cap: rc.cap, Bugs: rc.bugs, Yield: func(Site) {
		if abort.Load() {
			panic(errAborted)
		}
		if n := *flagYield; n > 0 && rand.N(n) == 0 {
			runtime.Gosched()
		}
	}})
	victim := s.NewP()
	thieves := make([]*P, rc.thieves)
	for i := range thieves {
		thieves[i] = s.NewP()
	}
	rng := rand.New(rand.NewPCG(seed, 0x72756e71))
	if rc.wrap {
		for _, pp := range append([]*P{victim}, thieves...) {
			i := math.MaxUint32 - uint32(rng.IntN(2*rc.cap))
			pp.runqhead.Store(i)
			pp.runqtail.Store(i)
		}
	}

	// The scripts, drawn before anything runs.
	type op struct {
		api  api
		g    G
		next bool
		gs   []G
	}
	var owner []op
	nextG := G(1)
	fresh := func() G { nextG++; return nextG - 1 }
	for range rc.ownerOps {
		switch r := rng.IntN(100); {
		case r < 35:
			owner = append(owner, op{api: apiPut, g: fresh()})
		case r < 55:
			owner = append(owner, op{api: apiPut, g: fresh(), next: true})
		case r < 63:
			gs := make([]G, 1+rng.IntN(3))
			for i := range gs {
				gs[i] = fresh()
			}
			owner = append(owner, op{api: apiPutBatch, gs: gs})
		case r < 85:
			owner = append(owner, op{api: apiGet})
		case r < 90:
			owner = append(owner, op{api: apiEmpty})
		default:
			owner = append(owner, op{api: apiGlobrunqget})
		}
	}
	thiefScripts := make([][]op, rc.thieves)
	for i := range thiefScripts {
		for range rc.thiefOps {
			if rng.IntN(4) == 0 {
				thiefScripts[i] = append(thiefScripts[i], op{api: apiEmpty})
			} else {
				thiefScripts[i] = append(thiefScripts[i], op{api: apiSteal, next: rng.IntN(2) == 0})
			}
		}
	}

	var (
		start      = make(chan struct{})
		all        sync.WaitGroup
		thiefGroup sync.WaitGroup
		thievesOut = make(chan struct{})
	)
	run := func(f func()) {
		defer all.Done()
		defer func() {
			if v := recover(); v != nil {
				if v != errAborted {
					mu.Lock()
					res.panics = append(res.panics, fmt.Sprint(v))
					mu.Unlock()
				}
				stop()
			}
		}()
		<-start
		f()
	}
	rec := res.rec
	all.Add(1 + rc.thieves)
	thiefGroup.Add(rc.thieves)
	go run(func() {
		for _, o := range owner {
			switch o.api {
			case apiPut:
				rec.put(0, victim, o.g, o.next)
			case apiPutBatch:
				rec.putBatch(0, victim, o.gs) // Gs that do not fit are dropped: never put
			case apiGet:
				rec.get(0, victim)
			case apiEmpty:
				rec.isEmpty(0, victim)
			case apiGlobrunqget:
				rec.globrunqget(0, s)
			}
		}
		select {
		case <-thievesOut:
		case <-abortCh:
			return
		}
		rec.drain(0, victim, s)
	})
	for i, th := range thieves {
		go run(func() {
			defer thiefGroup.Done()
			for _, o := range thiefScripts[i] {
				if o.api == apiEmpty {
					rec.isEmpty(1+i, victim)
				} else {
					rec.steal(1+i, th, victim, o.next)
				}
			}
		})
	}
	go func() { thiefGroup.Wait(); close(thievesOut) }()
	timer := time.AfterFunc(roundTimeout, func() {
		mu.Lock()
		res.aborted = true
		mu.Unlock()
		stop()
	})
	close(start)
	all.Wait()
	timer.Stop()
	mu.Lock()
	defer mu.Unlock()
	return res
}

// A finding is a check that failed on a round.
type finding struct {
	oracle string // "throw", "stuck", "conservation" or "porcupine"
	detail string
	ops    []porcupine.Operation // for porcupine findings
}

func (f *finding) String() string { return f.oracle + ": " + f.detail }

// check checks a finished round; nil means all checks passed.
func (res roundResult) check() *finding {
	if f := res.checkFinished(); f != nil {
		return f
	}
	if f := res.checkConservation(); f != nil {
		return f
	}
	return res.checkPorcupine()
}

// checkFinished reports a round that a P panicked in or that timed out.
// The other checks need a finished round.
func (res roundResult) checkFinished() *finding {
	if len(res.panics) > 0 {
		return &finding{oracle: "throw", detail: fmt.Sprint(res.panics)}
	}
	if res.aborted {
		return &finding{oracle: "stuck", detail: fmt.Sprintf("round did not finish in %v", roundTimeout)}
	}
	return nil
}

func (res roundResult) checkConservation() *finding {
	if err := res.rec.conservation(); err != nil {
		return &finding{oracle: "conservation", detail: err.Error()}
	}
	return nil
}

func (res roundResult) checkPorcupine() *finding {
	ops := res.rec.ops(false)
	switch v := porcupine.CheckOperationsTimeout(runqModel{res.cfg.cap}.porcupineModel(), ops, 20*time.Second); v {
	case porcupine.Ok:
		return nil
	case porcupine.Illegal:
		return &finding{oracle: "porcupine", detail: fmt.Sprintf("Illegal (%d operations)", len(ops)), ops: ops}
	default:
		return &finding{oracle: "porcupine", detail: fmt.Sprintf("verdict %v (timed out)", v), ops: ops}
	}
}

// overlapping counts the calls whose interval overlaps that of a call by
// another client: the calls that raced.
func (r *recorder) overlapping() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, c := range r.calls {
		for j, d := range r.calls {
			if i != j && c.client != d.client && c.start <= d.end && d.start <= c.end {
				n++
				break
			}
		}
	}
	return n
}

// dump lists the calls of a round by start time, one per line, with the
// operations each was recorded as.
func (r *recorder) dump() string {
	r.mu.Lock()
	calls := slices.Clone(r.calls)
	r.mu.Unlock()
	slices.SortFunc(calls, func(a, b call) int { return cmp.Compare(a.start, b.start) })
	var sb strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&sb, "  client %d [%d,%d]", c.client, c.start, c.end)
		for i, op := range c.ops(false) {
			if i > 0 {
				sb.WriteString(";")
			}
			sb.WriteString(" " + describeOp(op.Input.(input), op.Output.(output)))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// visualize writes porcupine's HTML view of ops to a temporary file and
// returns its path, or a note saying why it could not.
func visualize(cap int, ops []porcupine.Operation) string {
	m := runqModel{cap}.porcupineModel()
	_, info := porcupine.CheckOperationsVerbose(m, ops, 20*time.Second)
	dir, err := os.MkdirTemp("", "runq-porcupine-")
	if err != nil {
		return "(no visualization: " + err.Error() + ")"
	}
	path := filepath.Join(dir, "history.html")
	if err := porcupine.VisualizePath(m, info, path); err != nil {
		return "(no visualization: " + err.Error() + ")"
	}
	return path
}

// TestHistoryLinearizable runs rounds of the correct twin and requires every
// one to pass all checks. It also counts how often the interesting paths
// ran, and requires each to have run at least once across the rounds, so
// that a passing test says something about them.
//
// Reference: proc.go runqput, runqputslow, runqputbatch, runqget,
// runqgrab, runqsteal, runqempty (7445-7747).
func TestHistoryLinearizable(t *testing.T) {
	seeds := make([]uint64, 0, *flagRounds)
	if *flagSeed != 0 {
		seeds = append(seeds, *flagSeed)
	} else {
		for i := range *flagRounds {
			seeds = append(seeds, uint64(i)+1)
		}
	}
	seen := map[string]int{}
	nops, ncalls, overlapping := 0, 0, 0
	for round, seed := range seeds {
		res := runRound(roundFor(seed, Bugs{}), seed)
		if f := res.check(); f != nil {
			where := "\ncalls:\n" + res.rec.dump()
			if f.ops != nil {
				where += "porcupine visualization: " + visualize(res.cfg.cap, f.ops)
			}
			t.Fatalf("round %d (seed %d, %+v): %v%s\nTo rerun this round's script (not its interleaving), specify -run='^TestHistoryLinearizable$' -runq.seed=%d",
				round, seed, res.cfg, f, where, seed)
		}
		for _, c := range res.rec.calls {
			switch {
			case c.api == apiPut && c.kicked != 0:
				seen["runqput kicked runnext"]++
			case c.api == apiPutBatch && c.placed < len(c.gs):
				seen["runqputbatch left Gs over"]++
			case c.api == apiSteal && c.fromRunnext:
				seen["runqgrab took runnext"]++
			case c.api == apiSteal && len(c.gs) > 1:
				seen["runqgrab took more than one"]++
			case c.api == apiGlobrunqget && c.g != 0:
				seen["runqputslow fed the global queue"]++
			case c.api == apiEmpty && c.client > 0 && !c.empty:
				seen["thief saw runqempty false"]++
			}
		}
		nops += len(res.rec.ops(false))
		overlapping += res.rec.overlapping()
		ncalls += len(res.rec.calls)
	}
	t.Logf("%d rounds, %d calls (%d overlapping another client's), %d operations; paths taken: %v",
		len(seeds), ncalls, overlapping, nops, seen)
	if *flagSeed == 0 {
		for _, path := range []string{"runqput kicked runnext", "runqputbatch left Gs over", "runqgrab took runnext",
			"runqgrab took more than one", "runqputslow fed the global queue", "thief saw runqempty false"} {
			if seen[path] == 0 {
				t.Errorf("no round took the path %q", path)
			}
		}
	}
}

// TestBugs shows that the checks bite: each bug switch must be caught by
// porcupine, and each that loses or duplicates Gs by the conservation
// check, within a bounded number of rounds. The rounds are those of
// TestHistoryLinearizable with the switch on; a round in which a P threw
// or got stuck is complete for neither check and is skipped.
func TestBugs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bugs      Bugs
		oracle    func(roundResult) *finding
		maxRounds int
	}{
		{"GrabNoCas/porcupine", Bugs{GrabNoCas: true}, roundResult.checkPorcupine, 500},
		{"GrabNoCas/conservation", Bugs{GrabNoCas: true}, roundResult.checkConservation, 500},
		{"RunqgetRunnextNoCas/porcupine", Bugs{RunqgetRunnextNoCas: true}, roundResult.checkPorcupine, 2000},
		{"RunqgetRunnextNoCas/conservation", Bugs{RunqgetRunnextNoCas: true}, roundResult.checkConservation, 2000},
		{"EmptyNoRecheck/porcupine", Bugs{EmptyNoRecheck: true}, roundResult.checkPorcupine, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skipped := map[string]int{}
			for round := range tc.maxRounds {
				seed := uint64(round) + 1
				res := runRound(roundFor(seed, tc.bugs), seed)
				if f := res.checkFinished(); f != nil {
					skipped[f.oracle]++
					continue
				}
				if f := tc.oracle(res); f != nil {
					t.Logf("caught in round %d (seed %d; rounds skipped: %v): %s", round+1, seed, skipped, f)
					if testing.Verbose() && f.ops != nil {
						t.Logf("calls:\n%s", res.rec.dump())
					}
					return
				}
			}
			t.Errorf("not caught in %d rounds (rounds skipped: %v)", tc.maxRounds, skipped)
		})
	}
}

// TestNotAtomic shows, with interleavings forced through Config.Yield on a
// single goroutine, that runqput(g, true), runqsteal and runqputbatch are
// not atomic: each history below is legal under the split recording that
// the history tests use, and illegal if the call is taken as one step. The
// last case shows the limit of the model: runqputslow is not atomic either,
// and no recording of it as one step is legal, which is why only the owner
// reads the global queue in the history tests.
//
// Reference: proc.go:7494-7519 (runqput), 7524-7559 (runqputslow),
// 7565-7591 (runqputbatch), 7662-7746 (runqgrab, runqsteal).
func TestNotAtomic(t *testing.T) {
	for _, tc := range []struct {
		name string
		// run drives the twin; arm makes f run the next time site is
		// reached.
		run       func(r *recorder, s *Sched, v, th *P, arm func(site Site, f func()))
		wantSplit porcupine.CheckResult
		wantNaive porcupine.CheckResult
	}{{
		// runqput(g2, true) has swapped runnext (g1 out, g2 in) but not
		// yet put g1 in the ring, when a thief finds the ring empty and
		// takes g2. An atomic runqput would have left g1 in the ring, and
		// the thief would have taken g1.
		name: "runqput.next",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			r.put(0, v, 1, true)
			arm(SiteRunqput, func() { r.steal(1, th, v, true) })
			r.put(0, v, 2, true)
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Ok,
		wantNaive: porcupine.Illegal,
	}, {
		// The thief finds the ring empty; before it reads runnext the
		// owner puts g1 in the ring and g2 in runnext; the thief takes g2.
		// Whenever runnext held g2, the ring held g1.
		name: "runqgrab.runnext",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			arm(SiteRunqgrabRunnext, func() {
				r.put(0, v, 1, false)
				r.put(0, v, 2, true)
			})
			r.steal(1, th, v, true)
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Ok,
		wantNaive: porcupine.Illegal,
	}, {
		// The thief finds the ring empty with g1 in runnext; the owner
		// kicks g1 into the ring with runqput(g2, true) and runs g2; the
		// thief finds runnext nil and returns nothing, though the queue
		// was never empty.
		name: "runqgrab.nothing",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			r.put(0, v, 1, true)
			arm(SiteRunqgrabRunnext, func() {
				r.put(0, v, 2, true)
				r.get(0, v)
			})
			r.steal(1, th, v, true)
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Ok,
		wantNaive: porcupine.Illegal,
	}, {
		// The thief sizes its batch with g1 alone in the ring (one G),
		// and before its CAS the owner's runqputbatch loads runqhead,
		// still counts g1, and places 3 of 4 Gs in a ring of 4. A
		// runqgrab taking place at the tail load would have removed g1
		// before the batch put found the ring one short of full; one
		// taking place at the CAS would have found four Gs and taken two.
		name: "runqgrab.size",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			r.put(0, v, 1, false)
			arm(SiteRunqgrab, func() { r.putBatch(0, v, []G{2, 3, 4, 5}) })
			r.steal(1, th, v, false)
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Ok,
		wantNaive: porcupine.Illegal,
	}, {
		// runqputbatch loads runqhead with g1 in the ring, so it places 3
		// of 4 Gs in a ring of 4; before it publishes them a thief takes
		// g1. An atomic runqputbatch placing 3 would have had to run
		// while g1 was there, and the thief would then have taken 2 Gs.
		name: "runqputbatch",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			r.put(0, v, 1, false)
			arm(SiteRunqputbatch, func() { r.steal(1, th, v, false) })
			r.putBatch(0, v, []G{2, 3, 4, 5})
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Ok,
		wantNaive: porcupine.Illegal,
	}, {
		// runqputslow has moved g1 and g2 out of the full ring but not yet
		// into the global queue, when a thief steals g3 from the ring and
		// then finds the global queue empty.
		name: "runqputslow",
		run: func(r *recorder, s *Sched, v, th *P, arm func(Site, func())) {
			for g := G(1); g <= 4; g++ {
				r.put(0, v, g, false)
			}
			arm(SiteRunqputslowGlobal, func() {
				r.steal(1, th, v, false)
				r.globrunqget(1, s)
			})
			r.put(0, v, 5, false)
			r.drain(0, v, s)
		},
		wantSplit: porcupine.Illegal,
		wantNaive: porcupine.Illegal,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			armed := map[Site]func(){}
			s := NewSched(Config{Cap: 4, Yield: func(site Site) {
				if f := armed[site]; f != nil {
					delete(armed, site)
					f()
				}
			}})
			v, th := s.NewP(), s.NewP()
			r := &recorder{}
			tc.run(r, s, v, th, func(site Site, f func()) { armed[site] = f })
			if len(armed) != 0 {
				t.Fatalf("the interleaving was not forced: sites %v never reached", armed)
			}
			if err := r.conservation(); err != nil {
				t.Fatalf("conservation: %v", err)
			}
			m := runqModel{4}.porcupineModel()
			if got := porcupine.CheckOperationsTimeout(m, r.ops(false), time.Minute); got != tc.wantSplit {
				t.Errorf("split recording: porcupine says %v, want %v", got, tc.wantSplit)
			}
			if got := porcupine.CheckOperationsTimeout(m, r.ops(true), time.Minute); got != tc.wantNaive {
				t.Errorf("naive recording: porcupine says %v, want %v", got, tc.wantNaive)
			}
		})
	}
}
