package checker

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Breadth-first search, level by level.
//
// Each level runs in three phases, so that the result is the same for any
// number of workers:
//
//  1. Expand (parallel). The frontier is cut into fixed blocks; workers take
//     blocks in turn. For each state they check the properties, list its
//     actions, compute every successor and its fingerprint, and keep the
//     successors that may be new (candidates), in order: those not in the
//     worker's cache of recent fingerprints and, when the visited set is
//     probed (see probeHitRatio), not in the visited set. Each block's
//     candidates are also sorted into one list per phase 2 worker, by
//     shard. The visited set is only read in this phase.
//  2. Insert (parallel by shard). Worker w owns the visited-set shards
//     congruent to w; it walks its lists of all blocks in block order and
//     inserts their fingerprints, so the first candidate (in frontier order,
//     then action order) of each new fingerprint is the one marked new.
//  3. Number (parallel by block). New states get consecutive ids in that
//     order, and become the next frontier: each block's new candidates are
//     listed and their ids and places in the next frontier computed from
//     the earlier blocks' counts (a prefix sum, the only sequential part),
//     then the blocks are copied side by side.
//
// A violation found in phase 1 is reported for the state with the smallest
// id, so the counterexample is a shortest one and is chosen canonically.
//
// Visited-set probes and inserts are cache misses (the set is far larger
// than the caches); both phases touch the slots of several fingerprints
// before they need them, so that the misses overlap. Data that workers write
// is kept off shared cache lines: each worker builds a block's lists in
// local slices, and the worker structs are padded.

const blockSize = 256

// A level of more than roundBlocks blocks is expanded in rounds of that
// many blocks, each through the three phases, so that the candidates held
// at once, and their memory, do not grow with the width of the level. The
// rounds of a level give what one pass would: a round inserts its
// candidates after every earlier round's, in frontier order, so the first
// candidate of each new fingerprint is still the one marked new, and ids
// are still given in candidate order; a later round's phase 1 may drop
// candidates an earlier round made old, which never changes a result (see
// probeHitRatio). A level is the unit of checkpoints: once a round is
// inserted, the level is finished before the search stops.
const roundBlocks = 2048

// probeBatch is how many fingerprints phase 1 gathers before probing the
// visited set, and touchAhead how far ahead of its insert phase 2 touches
// a fingerprint's slot: enough independent cache misses to keep the memory
// system busy.
const (
	probeBatch = 32
	touchAhead = 16
)

// Phase 1 need not probe the visited set: phase 2 rejects a candidate that
// is already there just as well, and a level's first candidate of each new
// fingerprint wins either way. The probe saves storing the candidate and
// inserting it when it is a hit, and costs a cache miss when it is not, so
// it pays when hits are common. Phase 1 therefore probes every candidate
// only when, in the previous level, at least 1 in probeHitRatio probes hit;
// otherwise it probes 1 candidate in probeSample (by fingerprint bits), to
// keep measuring. Which candidates are dropped early never changes a result.
const (
	probeHitRatio = 4
	probeSample   = 8
)

// blockOut is what phase 1 makes of a block of the frontier: the
// successors that may be new (candidates), in frontier order, then action
// order.
type blockOut[S any] struct {
	states stateList[S]
	from   []uint64 // parent id<<32 | action index
	// groups[g] lists the candidates whose shards worker g owns in phase 2
	// (shard % workers == g), in candidate order.
	groups []candGroup
	// first violation in the block: state index in the level, property
	// index (-1 = deadlock)
	violAt   int
	violProp int
	// With spilling, the candidates' encodings are not in states (only
	// their places, in states.loc) but in spillF, spillLen bytes from
	// spillOff.
	spillF   *os.File
	spillOff int64
	spillLen int

	// Phase 3: the indexes of the new candidates, in order, and the bytes
	// of their encodings; how many of them are numbered (a
	// state limit may cut the last block), the first one's id, and where
	// they go in the next frontier (the first's index there, and for
	// encodings in memory, the chunk and offset). wide lists the new
	// candidates (indexes into fresh) whose action index the trace store
	// keeps in its map.
	fresh        []uint32
	freshBytes   int
	take         int
	id0          uint32
	first        int
	chunk, chOff int
	wide         []uint32
}

type candGroup struct {
	fps []uint64
	idx []uint32 // candidate index in the block
	// fresh, from phase 2, lists the idx of the candidates that were new.
	fresh []uint32
}

// A worker's cache of recently generated fingerprints has 2^recentBits
// entries (256 KiB).
const recentBits = 15

type worker[S, A any] struct {
	// Workers write their fields all the time: padding keeps two workers
	// off each other's cache lines.
	_ [128]byte
	// recent caches fingerprints this worker generated lately. Every
	// fingerprint in it is either in the visited set or an earlier
	// candidate of this worker in the current level (workers take blocks
	// in increasing order), so a successor found here can be dropped
	// without changing which candidate wins: it saves the visited-set
	// probe, a cache miss, and a duplicate candidate.
	recent []uint64
	cur    *S       // scratch for decoding the state being expanded
	rep    *S       // scratch for the representative of a successor
	pend   []S      // successors not yet sifted by dropVisited
	fps    []uint64 // fingerprints of the current block's candidates
	sink   uint64   // keeps the visited-set touches alive
	probes int64    // phase 1 visited-set probes in this level
	hits   int64    // and how many found the fingerprint
	acts   []A
	enc    []byte
	rd     listReader // the frontier's current block, when it is spilled
	// With spilling, the candidates of the block being expanded, and the
	// worker's file of the level's candidates.
	cand     stateList[S]
	candFile *os.File
	candSize int64
	coverage []int64
	gen      int64
	// smallest level index satisfying each Sometimes property
	someAt []int
	isNew  []bool // phase 3 scratch
	_      [128]byte
}

type search[S, A any] struct {
	m     Model[S, A]
	opt   Options
	props []Property[S]
	sym   Symmetric[S]
	symTo SymmetricInto[S]    // if the model is one, with symmetry on
	symEn SymmetricEncoder[S] // likewise
	// symProcs, with symmetry on, lets liveness run on the quotient.
	symProcs SymmetricProcs[S]
	liveSink uint64     // keeps the liveness table's touches alive
	dec      Decoder[S] // nil: the frontier holds values
	into     NextIntoer[S, A]
	filter   InvariantFilter[S] // nil: every Always property, every state
	term     Terminator[S]
	kinds    []string
	nwork    int
	set      *fpSet
	tables   *tableMem // set.mem, which the watcher reads after set is dropped
	store    traceStore
	start    time.Time
	ctx      context.Context
	stop     atomic.Pointer[string] // why the run must stop, if it must
	// Progress counters, which the workers update after each block, on
	// cache lines of their own: the fields around them are read for
	// every state.
	_      [128]byte
	gen    atomic.Int64
	level  atomic.Int64
	queue  atomic.Int64
	expand atomic.Int64 // states expanded in the current level (progress)
	_      [128]byte

	someID []int64 // id of the first witness of each Sometimes property; -1
	always []int   // indexes of the Always properties
	some   []int   // indexes of the Sometimes properties
	numBuf []byte  // phase 3 scratch: a spilled block's candidates
	// probeAll: phase 1 probes every candidate in this level (see
	// probeHitRatio).
	probeAll bool
	workers  []*worker[S, A]
	// numbered is store.n for the watcher's progress lines: the store
	// itself is only read and written by the search's goroutine.
	numbered atomic.Int64
	// spillBroken: writing a level's states to disk failed.
	spillBroken atomic.Bool
	// distinct, if not 0, is the number of distinct states to report
	// (see the violation in run).
	distinct uint32
	// round is the number of blocks expanded in one round of a level
	// (roundBlocks; tests make it smaller).
	round int

	// Checkpoints (checkpoint.go): the counters at the start of the
	// current level, when the last checkpoint was written, the time of
	// the runs before a resumed one, and whether this run resumes (and
	// why it could not).
	lvl       levelMark
	lastSave  time.Time
	prior     time.Duration
	resume    bool
	resumeErr error
}

// Check explores m exhaustively (within opt's bounds) and checks its
// properties. See the package documentation.
func Check[S, A any](ctx context.Context, m Model[S, A], opt Options) *Result {
	s := newSearch(m, opt)
	s.ctx = ctx
	return s.check(ctx)
}

func (s *search[S, A]) check(ctx context.Context) *Result {
	// The visited set is not needed once the result is made: its large
	// tables go back to the system now rather than at a collection.
	defer func() { s.set.release() }()
	// The watcher is gone when Check returns: no progress line after the
	// result, and no write to the caller's Progress writer it does not
	// expect.
	done, watched := make(chan struct{}), make(chan struct{})
	go func() { defer close(watched); s.watch(ctx, done) }()
	defer func() { close(done); <-watched }()
	res := s.runReading()
	if res == nil {
		return nil // the checkpoint could not be resumed: s.resumeErr
	}
	if res.Verdict == VerdictOK && s.hasLiveness() {
		// The safety search is over and found nothing: its visited set,
		// trace store and workers' caches are not needed to build the
		// liveness graph, which needs the memory.
		s.set.release()
		s.set, s.store = nil, traceStore{}
		for _, w := range s.workers {
			w.recent, w.pend = nil, nil
		}
		// Return it to the system now, so that the run's peak is the
		// larger of the two phases, not their sum.
		debug.FreeOSMemory()
		// The liveness graph is a few large arrays without pointers,
		// made to size: collecting often costs little, and keeps the
		// garbage of each level from doubling the resident memory.
		defer debug.SetGCPercent(debug.SetGCPercent(20))
		s.liveness(res)
	}
	res.Seconds = s.elapsed().Seconds()
	if res.Seconds > 0 {
		res.StatesPerSecond = float64(res.DistinctStates) / res.Seconds
	}
	return res
}

func newSearch[S, A any](m Model[S, A], opt Options) *search[S, A] {
	s := &search[S, A]{m: m, opt: opt, props: m.Properties(), kinds: m.ActionKinds(), start: time.Now()}
	s.nwork = opt.Workers
	if s.nwork <= 0 {
		s.nwork = runtime.GOMAXPROCS(0)
	}
	if opt.Symmetry {
		s.sym, _ = any(m).(Symmetric[S])
		if s.sym != nil {
			s.symTo, _ = any(m).(SymmetricInto[S])
			s.symEn, _ = any(m).(SymmetricEncoder[S])
			s.symProcs, _ = any(m).(SymmetricProcs[S])
		}
	}
	s.term, _ = any(m).(Terminator[S])
	s.dec, _ = any(m).(Decoder[S])
	s.into, _ = any(m).(NextIntoer[S, A])
	s.filter, _ = any(m).(InvariantFilter[S])
	if opt.noDecoder {
		s.dec = nil
	}
	s.set = newFPSet()
	s.tables = s.set.mem
	s.probeAll = true
	s.round = roundBlocks
	if opt.roundBlocks > 0 {
		s.round = opt.roundBlocks
	}
	s.someID = make([]int64, len(s.props))
	for i, p := range s.props {
		s.someID[i] = -1
		switch p.Expect {
		case ExpectAlways:
			s.always = append(s.always, i)
		case ExpectSometimes:
			s.some = append(s.some, i)
		}
	}
	for range s.nwork {
		w := &worker[S, A]{coverage: padded(len(s.kinds)), someAt: make([]int, len(s.props)), recent: make([]uint64, 1<<recentBits), cur: new(S), rep: new(S)}
		s.workers = append(s.workers, w)
	}
	return s
}

// padded returns n counters that share no cache line with other
// allocations, for counters that a worker updates all the time.
func padded(n int) []int64 {
	const pad = 128 / 8
	return make([]int64, n+2*pad)[pad : pad+n : pad+n]
}

func (s *search[S, A]) hasLiveness() bool {
	for _, p := range s.props {
		if p.Expect == ExpectEventually {
			return true
		}
	}
	return false
}

// fingerprint returns the fingerprint of st (of its representative under
// symmetry), using w's buffer.
func (s *search[S, A]) fingerprint(w *worker[S, A], st *S) uint64 {
	switch {
	case s.symEn != nil:
		w.enc = s.symEn.EncodeRepresentative(st, w.enc[:0])
	case s.symTo != nil:
		w.enc = s.m.Encode(s.symTo.RepresentativeInto(st, w.rep), w.enc[:0])
	case s.sym != nil:
		// Into the worker's scratch: a local would escape through the
		// model's interface and cost an allocation per successor.
		*w.rep = s.sym.Representative(st)
		w.enc = s.m.Encode(w.rep, w.enc[:0])
	default:
		w.enc = s.m.Encode(st, w.enc[:0])
	}
	return s.hash(w.enc)
}

// hash is the fingerprint of an encoding, with the run's hash seed.
func (s *search[S, A]) hash(b []byte) uint64 { return seededFingerprint(b, s.opt.HashSeed) }

func (s *search[S, A]) halt(why string) { s.stop.CompareAndSwap(nil, &why) }

// checkBounds applies cancellation and the time limit now, so that a run
// shorter than the watcher's tick still honours them.
func (s *search[S, A]) checkBounds() {
	if s.ctx.Err() != nil {
		s.halt("cancelled")
	}
	if s.opt.TimeLimit > 0 && time.Since(s.start) > s.opt.TimeLimit {
		s.halt("time limit")
	}
}

// watch enforces the time and memory limits, cancellation, and prints
// progress, until done is closed.
func (s *search[S, A]) watch(ctx context.Context, done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	every := s.opt.ProgressInterval
	if every <= 0 {
		every = 5 * time.Second
	}
	last := time.Now()
	var ms runtime.MemStats
	var mem uint64 // heap and mapped tables, as of the last reading
	lastMem := time.Time{}
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			s.halt("cancelled")
			return
		case now := <-tick.C:
			if s.opt.TimeLimit > 0 && now.Sub(s.start) > s.opt.TimeLimit {
				s.halt("time limit")
			}
			if s.opt.MemoryLimit > 0 && now.Sub(lastMem) > time.Second {
				lastMem = now
				runtime.ReadMemStats(&ms)
				// The visited set's mapped tables are not on the heap.
				mem = ms.HeapAlloc + uint64(s.tables.mapped.Load())
				if mem > s.opt.MemoryLimit {
					s.halt("memory limit")
				}
			}
			if s.opt.Progress != nil && now.Sub(last) >= every {
				last = now
				el := now.Sub(s.start).Seconds()
				d := s.numbered.Load()
				heap := ""
				if s.opt.MemoryLimit > 0 {
					heap = fmt.Sprintf(", memory %.2f GB", float64(mem)/1e9)
				}
				fmt.Fprintf(s.opt.Progress, "progress: %.0fs depth %d, %d distinct, %d generated, %d queued, %.0f states/s%s\n",
					el, s.level.Load(), d, s.gen.Load(), s.queue.Load()-s.expand.Load(), float64(d)/el, heap)
			}
		}
	}
}

// runReading is run, ended as incomplete by a failed read of a spill file
// in the search's own goroutine (its workers' end it through work).
func (s *search[S, A]) runReading() (res *Result) {
	defer func() {
		if p := recover(); p != nil {
			err := s.endOnSpillRead(p)
			res = s.newResult()
			res.Verdict, res.Incomplete = VerdictIncomplete, err.Error()
			s.finish(res)
		}
	}()
	return s.run()
}

// endOnSpillRead stops the search for p, a recovered spillReadError, and
// returns its error; any other panic goes on.
func (s *search[S, A]) endOnSpillRead(p any) error {
	e, ok := p.(spillReadError)
	if !ok {
		panic(p)
	}
	s.spillFailed(e.err)
	return e.err
}

// newResult is a result with what a run reports before it starts.
func (s *search[S, A]) newResult() *Result {
	res := &Result{Workers: s.nwork, Symmetry: s.sym != nil, HashSeed: s.opt.HashSeed}
	for _, p := range s.props {
		res.Properties = append(res.Properties, p.Name)
	}
	return res
}

func (s *search[S, A]) run() *Result {
	res := s.newResult()

	frontier := &stateList[S]{chunkSize: frontierChunk}
	next := &stateList[S]{chunkSize: frontierChunk}
	if s.opt.Spill != "" && s.dec != nil {
		defer s.closeSpill(frontier, next)
		if err := s.openSpill(frontier, next); err != nil {
			res.Verdict, res.Incomplete = VerdictIncomplete, err.Error()
			return res
		}
	}
	base := uint32(0)
	depth := 0
	s.lastSave = time.Now()
	if s.resume {
		var err error
		depth, base, err = s.loadCheckpoint(s.opt.Checkpoint.Dir, s.opt.Checkpoint.Identity, frontier, res)
		if err != nil {
			s.resumeErr = err
			return nil
		}
		res.Depth = depth
	} else {
		// Level 0: the initial states, deduplicated.
		w0 := s.workers[0]
		for i, st := range s.m.Init() {
			if s.set.insert(s.fingerprint(w0, &st)) {
				s.store.add(noParent, i)
				frontier.add(&st, s.m, s.dec)
			}
		}
		s.gen.Store(int64(frontier.len()))
	}
	frontier.seal()

	var blocks []blockOut[S]
	for frontier.len() > 0 {
		// A level boundary: the search is consistent here (see
		// checkpoint.go).
		s.mark(depth, base, res)
		s.maybeCheckpoint(frontier, res)
		s.checkBounds()
		if s.stop.Load() != nil {
			s.saveCheckpoint(frontier, res)
			break
		}
		s.level.Store(int64(depth))
		s.numbered.Store(int64(s.store.n))
		nf := frontier.len()
		s.queue.Store(int64(nf))
		s.expand.Store(0)
		if int64(nf) > res.MaxQueue {
			res.MaxQueue = int64(nf)
		}
		nb := (nf + blockSize - 1) / blockSize
		atMax := s.opt.MaxDepth > 0 && depth >= s.opt.MaxDepth
		if atMax {
			// The depth limit needs to know whether there is any
			// new successor.
			s.probeAll = true
		}
		next.reset()
		nbase := base + uint32(nf)
		// The level is expanded in rounds of at most s.round blocks,
		// each through the three phases (see roundBlocks).
		committed := false // a round's new states are in the visited set
		ended := false     // the search ends in this level
		// expandOnly: the rounds only expand (phase 1), to look for
		// violations and Sometimes witnesses and count successors, as
		// a search in one pass would before it stops: at the depth
		// limit, and after a state limit.
		expandOnly := atMax
		newAtMax := false // a round at the depth limit had candidates
		for first := 0; first < nb; first += s.round {
			last := min(nb, first+s.round)
			for len(blocks) < last-first {
				blocks = append(blocks, blockOut[S]{groups: make([]candGroup, s.nwork)})
			}
			round := blocks[:last-first]
			s.startSpillRound()
			var viol atomic.Int64
			viol.Store(math.MaxInt64)
			s.parallel(func(w *worker[S, A], _ int, nextBlock *atomic.Int64) {
				s.expandBlocks(w, frontier, round, first, base, nextBlock, &viol, committed)
			})
			if s.spillBroken.Load() {
				// A round's candidates are not all on disk.
				ended = true
				break
			}
			if !committed && s.stop.Load() != nil && viol.Load() == math.MaxInt64 {
				// Phase 1 only read the visited set: the level's
				// start is still consistent.
				s.saveCheckpoint(frontier, res)
				ended = true
				break
			}
			s.noteSometimes(base)
			s.adaptProbing()
			if vb := viol.Load(); vb != math.MaxInt64 {
				b := &round[int(vb)-first]
				id := base + uint32(b.violAt)
				v := &Violation{Property: "deadlock", Kind: "deadlock", Loop: -1}
				if b.violProp >= 0 {
					v.Property, v.Kind = s.props[b.violProp].Name, s.props[b.violProp].Expect.String()
				}
				// Workers may have expanded blocks past the
				// violation before they saw it: count the level's
				// successors up to the violating state only, so
				// that the statistics do not depend on the
				// workers.
				s.recount(frontier, b.violAt)
				// Earlier rounds of the level may have numbered new
				// states of the next: report the states up to the
				// end of this level, as a search in one pass would.
				s.distinct = nbase
				path, fewest := s.straightest(s.store.path(id), b.violProp)
				s.fillTrace(v, path)
				v.FewestSwitches = fewest
				res.Violation = v
				res.Verdict = VerdictViolation
				res.Depth = depth
				s.finish(res)
				return res
			}
			if expandOnly {
				for _, b := range round {
					newAtMax = newAtMax || b.states.len() > 0
				}
				continue
			}
			// Phase 2: insert, each worker into its own shards.
			s.parallel(func(w *worker[S, A], wi int, _ *atomic.Int64) {
				s.insertGroup(w, round, wi)
			})
			// Phase 3: number the new states.
			committed = true
			if !s.number(round, next) {
				// A state limit, in the middle of phase 3.
				expandOnly = true
			}
			if s.spillBroken.Load() {
				// The next level is not all on disk.
				ended = true
				break
			}
		}
		if atMax && !ended {
			// The successors of this level would be deeper than
			// allowed: the run is complete only if there are none.
			if newAtMax {
				s.halt("depth limit")
				// noteSometimes has recorded this level's witnesses,
				// which the level's resumption would find again:
				// harmless.
				s.saveCheckpoint(frontier, res)
			}
			break
		}
		if ended && !committed {
			break
		}
		next.seal()
		if next.disk != nil && next.disk.err != nil {
			s.spillFailed(next.disk.err)
		}
		if why := s.stop.Load(); why != nil {
			res.Depth = depth + 1
			if next.len() == 0 {
				res.Depth = depth
			}
			if !strings.HasPrefix(*why, "state limit") && !s.spillBroken.Load() && next.len() > 0 {
				// The level is complete: save the next one's
				// start. (A state limit stops in the middle of
				// phase 3.)
				s.mark(depth+1, nbase, res)
				s.saveCheckpoint(next, res)
			}
			break
		}
		base = nbase
		frontier, next = next, frontier
		if frontier.len() > 0 {
			depth++
		}
		res.Depth = depth
	}
	s.finish(res)
	s.checkBounds()
	if why := s.stop.Load(); why != nil {
		res.Verdict = VerdictIncomplete
		res.Incomplete = *why
		return res
	}
	res.Verdict = VerdictOK
	for i, p := range s.props {
		if p.Expect == ExpectSometimes && s.someID[i] < 0 {
			res.Verdict = VerdictViolation
			res.Violation = &Violation{Property: p.Name, Kind: "sometimes", Loop: -1}
			break
		}
	}
	return res
}

// recount sets the workers' generated and coverage counters to those at
// the start of the level (s.lvl) plus the successors of the level's first
// n states, as one worker expanding them in order would have counted them.
func (s *search[S, A]) recount(frontier *stateList[S], n int) {
	w0 := s.workers[0]
	for _, w := range s.workers {
		w.gen = 0
		clear(w.coverage)
	}
	w0.gen = s.lvl.gen
	copy(w0.coverage, s.lvl.coverage)
	for j := range n {
		st := frontier.at(j, w0.cur, s.dec, &w0.rd)
		w0.acts = s.m.Actions(st, w0.acts[:0])
		w0.gen += int64(len(w0.acts))
		for _, a := range w0.acts {
			w0.coverage[s.m.Kind(a)]++
		}
	}
}

// parallel runs f on every worker and waits. nextBlock is a shared counter
// for handing out blocks.
func (s *search[S, A]) parallel(f func(w *worker[S, A], wi int, nextBlock *atomic.Int64)) {
	var next atomic.Int64
	if s.nwork == 1 {
		s.work(f, s.workers[0], 0, &next)
		return
	}
	var wg sync.WaitGroup
	var crash atomic.Pointer[WorkerPanic]
	for i, w := range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					crash.CompareAndSwap(nil, &WorkerPanic{Value: p, Stack: debug.Stack()})
				}
			}()
			s.work(f, w, i, &next)
		}()
	}
	wg.Wait()
	if p := crash.Load(); p != nil {
		panic(p)
	}
}

// work runs f for worker w; a failed read of a spill file ends the search
// as incomplete instead of crashing it.
func (s *search[S, A]) work(f func(w *worker[S, A], wi int, nextBlock *atomic.Int64), w *worker[S, A], wi int, next *atomic.Int64) {
	defer func() {
		if p := recover(); p != nil {
			s.endOnSpillRead(p)
		}
	}()
	f(w, wi, next)
}

// A WorkerPanic is a panic in one of the checker's worker goroutines (in
// the model's code, most likely), raised again in the goroutine that called
// Check, so that a caller can recover it. Stack is the worker's stack at
// the panic.
type WorkerPanic struct {
	Value any
	Stack []byte
}

func (p *WorkerPanic) Error() string { return fmt.Sprintf("panic in a checker worker: %v", p.Value) }

// expandBlocks is phase 1 for the blocks of a round, which begins at the
// level's block first: blocks[i] is the level's block first+i. Once an
// earlier round of the level is committed, the level must be finished, and
// a stop is left for its end.
func (s *search[S, A]) expandBlocks(w *worker[S, A], frontier *stateList[S], blocks []blockOut[S], first int, base uint32, nextBlock, viol *atomic.Int64, finish bool) {
	for i := range w.someAt {
		w.someAt[i] = -1
	}
	w.probes, w.hits = 0, 0
	for {
		k := nextBlock.Add(1) - 1
		if int(k) >= len(blocks) {
			return
		}
		bi := int64(first) + k
		if bi > viol.Load() || (!finish && s.stop.Load() != nil && viol.Load() == math.MaxInt64) || s.spillBroken.Load() {
			return
		}
		// The block's lists are built in locals and stored at the end:
		// other workers are writing the neighbouring blocks.
		b := &blocks[k]
		c := cands{from: b.from[:0], fps: w.fps[:0]}
		b.states.reset()
		out := &b.states
		if w.candFile != nil {
			out = &w.cand
			out.reset()
		}
		pend := w.pend[:0]
		b.violAt = -1
		lo, hi := int(bi)*blockSize, min(frontier.len(), int(bi+1)*blockSize)
		gen := int64(0)
		// Successors from probed on have not been looked up in the
		// visited set yet; they are, in batches, so that the cache
		// misses overlap.
		probed := 0
		for j := lo; j < hi; j++ {
			st := frontier.at(j, w.cur, s.dec, &w.rd)
			if p := s.violated(st); p != noViolation {
				b.violAt, b.violProp = j, p
				s.noteViolation(viol, bi)
				break
			}
			for _, pi := range s.some {
				if w.someAt[pi] < 0 && s.someID[pi] < 0 && s.props[pi].Cond(st) {
					w.someAt[pi] = j
				}
			}
			w.acts = s.m.Actions(st, w.acts[:0])
			if len(w.acts) == 0 && !s.opt.AllowDeadlock && (s.term == nil || !s.term.Terminal(st)) {
				b.violAt, b.violProp = j, -1
				s.noteViolation(viol, bi)
				break
			}
			from := uint64(base+uint32(j)) << 32
			for ai, a := range w.acts {
				if len(pend) < cap(pend) {
					pend = pend[:len(pend)+1]
				} else {
					pend = append(pend, *new(S))
				}
				t := &pend[len(pend)-1]
				if s.into != nil {
					s.into.NextInto(st, a, t)
				} else {
					*t = s.m.Next(st, a)
				}
				w.coverage[s.m.Kind(a)]++
				fp := s.fingerprint(w, t)
				r := &w.recent[fp&(1<<recentBits-1)]
				if *r == fp {
					pend = pend[:len(pend)-1]
					continue
				}
				*r = fp
				c.from = append(c.from, from|uint64(ai))
				c.fps = append(c.fps, fp)
			}
			gen += int64(len(w.acts))
			if len(c.fps)-probed >= probeBatch || j == hi-1 {
				pend = s.dropVisited(w, &c, probed, pend)
				for i := range pend {
					out.add(&pend[i], s.m, s.dec)
				}
				probed, pend = len(c.fps), pend[:0]
			}
		}
		w.pend = pend
		if w.candFile != nil {
			s.spillBlock(w, b)
		}
		b.from, w.fps = c.from, c.fps
		s.group(b, c.fps)
		w.gen += gen
		s.gen.Add(gen)
		s.expand.Add(int64(hi - lo))
	}
}

// cands are the candidates of a block while phase 1 builds them.
type cands struct {
	from []uint64
	fps  []uint64
}

// noteViolation lowers the first violating block to bi.
func (s *search[S, A]) noteViolation(viol *atomic.Int64, bi int64) {
	for {
		old := viol.Load()
		if bi >= old || viol.CompareAndSwap(old, bi) {
			return
		}
	}
}

// dropVisited removes candidates from index from on whose fingerprints are
// in the visited set (probing all of them or a sample, see probeAll), and
// returns their states, pend (whose first state is candidate from's), with
// those removed too. It touches all their slots first, so that the probes'
// misses overlap.
func (s *search[S, A]) dropVisited(w *worker[S, A], c *cands, from int, pend []S) []S {
	fps, froms := c.fps, c.from
	mask := uint64(probeSample - 1)
	if s.probeAll {
		mask = 0
	}
	var sink uint64
	for _, fp := range fps[from:] {
		if fp&mask == 0 {
			sink += s.set.touch(fp)
		}
	}
	w.sink += sink
	k := from
	probes, hits := 0, 0
	for i := from; i < len(fps); i++ {
		fp := fps[i]
		if fp&mask == 0 {
			probes++
			if s.set.contains(fp) {
				hits++
				continue
			}
		}
		if k != i {
			fps[k], pend[k-from], froms[k] = fp, pend[i-from], froms[i]
		}
		k++
	}
	w.probes += int64(probes)
	w.hits += int64(hits)
	c.fps, c.from = fps[:k], froms[:k]
	return pend[:k-from]
}

// adaptProbing decides, after phase 1, whether the next level's phase 1
// probes every candidate.
func (s *search[S, A]) adaptProbing() {
	var probes, hits int64
	for _, w := range s.workers {
		probes += w.probes
		hits += w.hits
	}
	if probes > 0 {
		s.probeAll = hits*probeHitRatio >= probes
	}
}

// group sorts the candidates of b, with fingerprints fps, into the lists of
// the phase 2 workers.
func (s *search[S, A]) group(b *blockOut[S], fps []uint64) {
	if s.nwork == 1 {
		g := &b.groups[0]
		g.fps = append(g.fps[:0], fps...)
		g.idx = g.idx[:0]
		for i := range fps {
			g.idx = append(g.idx, uint32(i))
		}
		return
	}
	groups := b.groups
	for g := range groups {
		groups[g].fps = groups[g].fps[:0]
		groups[g].idx = groups[g].idx[:0]
	}
	for i, fp := range fps {
		g := &groups[fpShardOf(fp)%s.nwork]
		g.fps = append(g.fps, fp)
		g.idx = append(g.idx, uint32(i))
	}
}

// insertGroup is worker wi's part of phase 2: it inserts its candidates,
// block by block, in candidate order, and lists the new ones. It touches
// each slot touchAhead inserts before it needs it; only in its own shards,
// since another worker may be growing the others.
func (s *search[S, A]) insertGroup(w *worker[S, A], blocks []blockOut[S], wi int) {
	set := s.set
	var sink uint64
	for bi := range blocks {
		g := &blocks[bi].groups[wi]
		fresh := g.fresh[:0]
		fps, idx := g.fps, g.idx
		for k := range min(touchAhead, len(fps)) {
			sink += set.touch(fps[k])
		}
		for k, fp := range fps {
			if k+touchAhead < len(fps) {
				sink += set.touch(fps[k+touchAhead])
			}
			if set.shards[fpShardOf(fp)].insert(fp) {
				fresh = append(fresh, idx[k])
			}
		}
		g.fresh = fresh
	}
	w.sink += sink
}

// number is phase 3: it gives the new states of the round ids in candidate
// order, records how each was reached, and appends them to next. It
// returns false if a state limit stopped it. The blocks are listed and
// copied in parallel; only the running count that gives each block its
// first id and its place is taken in order.
func (s *search[S, A]) number(blocks []blockOut[S], next *stateList[S]) bool {
	s.parallelBlocks(blocks, s.listFresh)
	// The state limit: as if the states were numbered one by one, a
	// search stops when a new state would be numbered past it.
	limit, why := int64(noParent-1), "state limit (2^32-1 states)"
	if m := s.opt.MaxStates; m > 0 && m <= limit {
		limit, why = m, "state limit"
	}
	id := s.store.n
	stopped := false
	inMemory := s.dec != nil && next.disk == nil
	for k := range blocks {
		b := &blocks[k]
		b.take, b.id0 = len(b.fresh), id
		// (The initial states are not limited: id may be past it.)
		if left := max(0, limit-int64(id)); int64(b.take) > left {
			b.take, stopped = int(left), true
			b.freshBytes = s.encodedBytes(b, b.fresh[:b.take])
		}
		id += uint32(b.take)
		switch {
		case s.dec == nil:
			b.first = next.placeValues(b.take)
		case inMemory:
			b.chunk, b.chOff, b.first = next.place(b.take, b.freshBytes)
		}
		if stopped {
			blocks = blocks[:k+1]
			break
		}
	}
	s.store.grow(int(id - s.store.n))
	s.numbered.Store(int64(s.store.n))
	s.parallelBlocks(blocks, func(_ *worker[S, A], b *blockOut[S]) { s.fillBlock(b, next, inMemory) })
	for k := range blocks {
		b := &blocks[k]
		for _, j := range b.wide {
			s.store.setWide(b.id0+j, int(uint32(b.from[b.fresh[j]])))
		}
		if next.disk != nil && b.take > 0 {
			// Appended in order: the next level's file is written
			// sequentially. The block's places index its bytes as
			// one chunk.
			var err error
			if s.numBuf, err = s.spilledCandidates(b, s.numBuf); err != nil {
				s.spillFailed(err)
				return true
			}
			for _, i := range b.fresh[:b.take] {
				_, start, end := b.states.span(int(i))
				next.addEncoding(s.numBuf[start:end])
			}
		}
	}
	if stopped {
		s.halt(why)
		return false
	}
	return true
}

// listFresh lists the new candidates of block b, from phase 2's lists, in
// candidate order.
func (s *search[S, A]) listFresh(w *worker[S, A], b *blockOut[S]) {
	if len(b.groups) == 1 {
		b.fresh = append(b.fresh[:0], b.groups[0].fresh...)
	} else {
		n := b.states.len()
		if cap(w.isNew) < n {
			w.isNew = make([]bool, n)
		}
		isNew := w.isNew[:n]
		clear(isNew)
		for g := range b.groups {
			for _, i := range b.groups[g].fresh {
				isNew[i] = true
			}
		}
		b.fresh = b.fresh[:0]
		for i, ok := range isNew {
			if ok {
				b.fresh = append(b.fresh, uint32(i))
			}
		}
	}
	b.freshBytes = s.encodedBytes(b, b.fresh)
}

// encodedBytes is the size of the encodings of b's candidates idx (0 for
// states kept as values).
func (s *search[S, A]) encodedBytes(b *blockOut[S], idx []uint32) int {
	if s.dec == nil {
		return 0
	}
	n := 0
	for _, i := range idx {
		_, start, end := b.states.span(int(i))
		n += end - start
	}
	return n
}

// parallelBlocks runs f on every block, the workers taking them in turn.
func (s *search[S, A]) parallelBlocks(blocks []blockOut[S], f func(w *worker[S, A], b *blockOut[S])) {
	s.parallel(func(w *worker[S, A], _ int, nextBlock *atomic.Int64) {
		for k := int(nextBlock.Add(1) - 1); k < len(blocks); k = int(nextBlock.Add(1) - 1) {
			f(w, &blocks[k])
		}
	})
}

// fillBlock records how the new states of block b were reached and, but
// for a spilled next level, copies them to their places in next.
func (s *search[S, A]) fillBlock(b *blockOut[S], next *stateList[S], inMemory bool) {
	b.wide = b.wide[:0]
	off := b.chOff
	for j, i := range b.fresh[:b.take] {
		f := b.from[i]
		if s.store.set(b.id0+uint32(j), uint32(f>>32), int(uint32(f))) {
			b.wide = append(b.wide, uint32(j))
		}
		switch {
		case s.dec == nil:
			next.vals[b.first+j] = b.states.vals[i]
		case inMemory:
			off = next.put(b.first+j, b.chunk, off, b.states.encoding(int(i)))
		}
	}
}

const noViolation = -2

// violated returns the index of the first Always property st violates, or
// noViolation.
func (s *search[S, A]) violated(st *S) int {
	if s.filter != nil && s.filter.AlwaysHold(st) {
		return noViolation
	}
	for _, i := range s.always {
		if !s.props[i].Cond(st) {
			return i
		}
	}
	return noViolation
}

// noteSometimes records, after a level, the smallest id that satisfied each
// Sometimes property not yet witnessed.
func (s *search[S, A]) noteSometimes(base uint32) {
	for pi := range s.props {
		best := -1
		for _, w := range s.workers {
			if j := w.someAt[pi]; j >= 0 && (best < 0 || j < best) {
				best = j
			}
		}
		if best >= 0 && s.someID[pi] < 0 {
			s.someID[pi] = int64(base) + int64(best)
		}
	}
}

func (s *search[S, A]) fillTrace(v *Violation, path []int) {
	t, err := Replay(s.m, path)
	if err != nil {
		panic(fmt.Sprintf("checker: replaying a stored path failed (is Actions deterministic?): %v", err))
	}
	v.Path = FormatPath(path)
	v.Trace = t.Steps(s.m)
	v.Switches = countSwitches(s.m, t.Actions)
}

// straightest returns, for the breadth-first path to a state whose first
// violated property is prop (-1: a deadlock), a path of the same length to
// such a state with the fewest process switches (see switches.go): path
// itself if none has fewer. fewest is false if the search was skipped or
// went past its bound.
func (s *search[S, A]) straightest(path []int, prop int) (_ []int, fewest bool) {
	if s.store.n > switchSearchLimit {
		return path, false
	}
	var acts []A
	bad := func(st *S) bool {
		v := s.violated(st)
		if prop >= 0 {
			return v == prop
		}
		acts = s.m.Actions(st, acts[:0])
		return v == noViolation && len(acts) == 0 && (s.term == nil || !s.term.Terminal(st))
	}
	better, sw, ok := fewestSwitches(s.m, len(path)-1, bad)
	if !ok {
		return path, false
	}
	t, err := Replay(s.m, path)
	if err != nil || sw < countSwitches(s.m, t.Actions) {
		return better, true
	}
	return path, true
}

func (s *search[S, A]) finish(res *Result) {
	res.DistinctStates = int64(s.store.n)
	if s.distinct > 0 {
		res.DistinctStates = int64(s.distinct)
	}
	var gen int64 = int64(len(s.m.Init()))
	res.Coverage = make(map[string]int64, len(s.kinds))
	for _, k := range s.kinds {
		res.Coverage[k] += 0
	}
	for _, w := range s.workers {
		gen += w.gen
		for k, n := range w.coverage {
			res.Coverage[s.kinds[k]] += n
		}
	}
	res.GeneratedStates = gen
	if res.DistinctStates > 0 {
		res.BytesPerState = float64(s.set.bytes()+s.store.bytes()) / float64(res.DistinctStates)
	}
	d := float64(res.DistinctStates)
	res.CollisionProbability = d * float64(gen-res.DistinctStates) / math.Exp2(64)
	for pi, p := range s.props {
		if p.Expect == ExpectSometimes && s.someID[pi] >= 0 {
			if res.Examples == nil {
				res.Examples = make(map[string]string)
			}
			res.Examples[p.Name] = FormatPath(s.store.path(uint32(s.someID[pi])))
		}
	}
	res.Seconds = s.elapsed().Seconds()
}
