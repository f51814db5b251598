package checker

import (
	"context"
	"fmt"
	"math"
	"runtime"
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
//     successors whose fingerprints are not in the visited set, in order.
//     The visited set is only read in this phase.
//  2. Insert (parallel by shard). Worker w owns the visited-set shards
//     congruent to w; it walks all candidates in block order and inserts the
//     ones in its shards, so the first candidate (in frontier order, then
//     action order) of each new fingerprint is the one marked new.
//  3. Number (sequential). New states get consecutive ids in that order, and
//     become the next frontier.
//
// A violation found in phase 1 is reported for the state with the smallest
// id, so the counterexample is a shortest one and is chosen canonically.

const blockSize = 256

type candidate[S any] struct {
	fp     uint64
	parent uint32
	act    uint32
	isNew  bool
	s      S
}

type blockOut[S any] struct {
	cands []candidate[S]
	// first violation in the block: state index in the level, property
	// index (-1 = deadlock)
	violAt   int
	violProp int
}

// recentSize is the number of entries in a worker's cache of recently
// generated fingerprints.
const recentBits = 15

type worker[S, A any] struct {
	// recent caches fingerprints this worker generated lately. Every
	// fingerprint in it is either in the visited set or an earlier
	// candidate of this worker in the current level (workers take blocks
	// in increasing order), so a successor found here can be dropped
	// without changing which candidate wins: it saves the visited-set
	// probe, a cache miss, and a duplicate candidate.
	recent   []uint64
	next     *S // scratch successor, so that passing it to the model does not allocate
	acts     []A
	enc      []byte
	coverage []int64
	gen      int64
	// smallest level index satisfying each Sometimes property
	someAt []int
}

type search[S, A any] struct {
	m      Model[S, A]
	opt    Options
	props  []Property[S]
	sym    Symmetric[S]
	term   Terminator[S]
	kinds  []string
	nwork  int
	set    *fpSet
	store  traceStore
	start  time.Time
	ctx    context.Context
	stop   atomic.Pointer[string] // why the run must stop, if it must
	gen    atomic.Int64
	level  atomic.Int64
	queue  atomic.Int64
	expand atomic.Int64 // states expanded in the current level (progress)

	someID  []int64 // id of the first witness of each Sometimes property; -1
	workers []*worker[S, A]
}

// Check explores m exhaustively (within opt's bounds) and checks its
// properties. See the package documentation.
func Check[S, A any](ctx context.Context, m Model[S, A], opt Options) *Result {
	s := newSearch(m, opt)
	s.ctx = ctx
	done := make(chan struct{})
	go s.watch(ctx, done)
	defer close(done)
	res := s.run()
	if res.Verdict == VerdictOK && s.hasLiveness() {
		s.liveness(res)
	}
	res.Seconds = time.Since(s.start).Seconds()
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
	}
	s.term, _ = any(m).(Terminator[S])
	s.set = newFPSet()
	s.someID = make([]int64, len(s.props))
	for i := range s.someID {
		s.someID[i] = -1
	}
	for range s.nwork {
		w := &worker[S, A]{coverage: make([]int64, len(s.kinds)), someAt: make([]int, len(s.props)), recent: make([]uint64, 1<<recentBits), next: new(S)}
		s.workers = append(s.workers, w)
	}
	return s
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
	if s.sym != nil {
		r := s.sym.Representative(st)
		w.enc = s.m.Encode(&r, w.enc[:0])
	} else {
		w.enc = s.m.Encode(st, w.enc[:0])
	}
	return fingerprint(w.enc)
}

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
				if ms.HeapAlloc > s.opt.MemoryLimit {
					s.halt("memory limit")
				}
			}
			if s.opt.Progress != nil && now.Sub(last) >= every {
				last = now
				el := now.Sub(s.start).Seconds()
				d := int64(s.store.n)
				fmt.Fprintf(s.opt.Progress, "progress: %.0fs depth %d, %d distinct, %d generated, %d queued, %.0f states/s\n",
					el, s.level.Load(), d, s.gen.Load(), s.queue.Load()-s.expand.Load(), float64(d)/el)
			}
		}
	}
}

func (s *search[S, A]) run() *Result {
	res := &Result{Workers: s.nwork, Symmetry: s.sym != nil}
	for _, p := range s.props {
		res.Properties = append(res.Properties, p.Name)
	}

	// Level 0: the initial states, deduplicated.
	var frontier []S
	w0 := s.workers[0]
	for i, st := range s.m.Init() {
		if s.set.insert(s.fingerprint(w0, &st)) {
			s.store.add(noParent, i)
			frontier = append(frontier, st)
		}
	}
	s.gen.Store(int64(len(frontier)))

	var blocks []blockOut[S]
	var next []S
	base := uint32(0)
	depth := 0
	for len(frontier) > 0 {
		s.checkBounds()
		if s.stop.Load() != nil {
			break
		}
		s.level.Store(int64(depth))
		s.queue.Store(int64(len(frontier)))
		s.expand.Store(0)
		if int64(len(frontier)) > res.MaxQueue {
			res.MaxQueue = int64(len(frontier))
		}
		nb := (len(frontier) + blockSize - 1) / blockSize
		for len(blocks) < nb {
			blocks = append(blocks, blockOut[S]{})
		}
		blocks = blocks[:nb]
		var viol atomic.Int64
		viol.Store(math.MaxInt64)
		s.parallel(func(w *worker[S, A], _ int, nextBlock *atomic.Int64) {
			s.expandBlocks(w, frontier, blocks, base, nextBlock, &viol)
		})
		if s.stop.Load() != nil && viol.Load() == math.MaxInt64 {
			break
		}
		s.noteSometimes(base)
		if vb := viol.Load(); vb != math.MaxInt64 {
			b := &blocks[vb]
			id := base + uint32(b.violAt)
			v := &Violation{Property: "deadlock", Kind: "deadlock", Loop: -1}
			if b.violProp >= 0 {
				v.Property, v.Kind = s.props[b.violProp].Name, s.props[b.violProp].Expect.String()
			}
			s.fillTrace(v, s.store.path(id))
			res.Violation = v
			res.Verdict = VerdictViolation
			res.Depth = depth
			s.finish(res)
			return res
		}
		if s.opt.MaxDepth > 0 && depth == s.opt.MaxDepth {
			// The successors of this level would be deeper than
			// allowed: the run is complete only if there are none.
			for _, b := range blocks {
				if len(b.cands) > 0 {
					s.halt("depth limit")
					break
				}
			}
			break
		}
		// Phase 2: insert, each worker into its own shards.
		s.parallel(func(w *worker[S, A], wi int, _ *atomic.Int64) {
			for bi := range blocks {
				cs := blocks[bi].cands
				for k := range cs {
					c := &cs[k]
					if fpShardOf(c.fp)%s.nwork == wi {
						c.isNew = s.set.shards[fpShardOf(c.fp)].insert(c.fp)
					}
				}
			}
		})
		// Phase 3: number the new states.
		next = next[:0]
		nbase := base + uint32(len(frontier))
	number:
		for bi := range blocks {
			for _, c := range blocks[bi].cands {
				if !c.isNew {
					continue
				}
				if s.opt.MaxStates > 0 && int64(s.store.n) >= s.opt.MaxStates {
					s.halt("state limit")
					break number
				}
				if s.store.n == noParent-1 {
					s.halt("state limit (2^32-1 states)")
					break number
				}
				s.store.add(c.parent, int(c.act))
				next = append(next, c.s)
			}
		}
		if s.stop.Load() != nil {
			res.Depth = depth + 1
			if len(next) == 0 {
				res.Depth = depth
			}
			break
		}
		base = nbase
		frontier, next = next, frontier
		if len(frontier) > 0 {
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

// parallel runs f on every worker and waits. nextBlock is a shared counter
// for handing out blocks.
func (s *search[S, A]) parallel(f func(w *worker[S, A], wi int, nextBlock *atomic.Int64)) {
	var next atomic.Int64
	if s.nwork == 1 {
		f(s.workers[0], 0, &next)
		return
	}
	var wg sync.WaitGroup
	for i, w := range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, i, &next)
		}()
	}
	wg.Wait()
}

func (s *search[S, A]) expandBlocks(w *worker[S, A], frontier []S, blocks []blockOut[S], base uint32, nextBlock, viol *atomic.Int64) {
	for i := range w.someAt {
		w.someAt[i] = -1
	}
	for {
		bi := nextBlock.Add(1) - 1
		if int(bi) >= len(blocks) {
			return
		}
		if bi > viol.Load() || (s.stop.Load() != nil && viol.Load() == math.MaxInt64) {
			return
		}
		b := &blocks[bi]
		b.cands = b.cands[:0]
		b.violAt = -1
		lo, hi := int(bi)*blockSize, min(len(frontier), int(bi+1)*blockSize)
		gen0 := w.gen
		for j := lo; j < hi; j++ {
			st := &frontier[j]
			if p := s.violated(st); p != noViolation {
				b.violAt, b.violProp = j, p
				for {
					old := viol.Load()
					if bi >= old || viol.CompareAndSwap(old, bi) {
						break
					}
				}
				break
			}
			for pi, p := range s.props {
				if p.Expect == ExpectSometimes && w.someAt[pi] < 0 && s.someID[pi] < 0 && p.Cond(st) {
					w.someAt[pi] = j
				}
			}
			w.acts = s.m.Actions(st, w.acts[:0])
			if len(w.acts) == 0 && !s.opt.AllowDeadlock && (s.term == nil || !s.term.Terminal(st)) {
				b.violAt, b.violProp = j, -1
				for {
					old := viol.Load()
					if bi >= old || viol.CompareAndSwap(old, bi) {
						break
					}
				}
				break
			}
			for ai, a := range w.acts {
				t := w.next
				*t = s.m.Next(st, a)
				w.coverage[s.m.Kind(a)]++
				fp := s.fingerprint(w, t)
				r := &w.recent[fp&(1<<recentBits-1)]
				if *r == fp {
					continue
				}
				*r = fp
				if s.set.contains(fp) {
					continue
				}
				b.cands = append(b.cands, candidate[S]{fp: fp, parent: base + uint32(j), act: uint32(ai), s: *t})
			}
			w.gen += int64(len(w.acts))
		}
		s.gen.Add(w.gen - gen0)
		s.expand.Add(int64(hi - lo))
	}
}

const noViolation = -2

// violated returns the index of the first Always property st violates, or
// noViolation.
func (s *search[S, A]) violated(st *S) int {
	for i := range s.props {
		p := &s.props[i]
		if p.Expect == ExpectAlways && !p.Cond(st) {
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
}

func (s *search[S, A]) finish(res *Result) {
	res.DistinctStates = int64(s.store.n)
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
	res.Seconds = time.Since(s.start).Seconds()
}
