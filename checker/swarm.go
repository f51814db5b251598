package checker

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"
)

// Swarm verification.
//
// A state space too large for one machine's memory can still be searched
// in parts that share nothing: SPIN's swarm method (Holzmann, Joshi and
// Groce, "Swarm verification techniques", 2011) runs many small searches,
// each depth-first in its own random order with its own seed, each within
// a time or state budget and, optionally, with a bitstate store (a Bloom
// filter of fingerprints, a few bits per state, which may wrongly take a
// new state for a visited one and prune it, but never reports a violation
// that is not there). The shards diverge quickly, so together they cover
// far more of a large space, and reach deep states far sooner, than one
// breadth-first search of the same total budget; none of them proves
// anything unless one exhausts the space with an exact store.
//
// A shard is one call of Swarm. It reports, in a Result, what it covered:
// the distinct states it visited, the action kinds it fired (Coverage),
// the Sometimes properties it reached with a path to each (Examples), and
// the first violation of an Always property or of deadlock freedom it met,
// with a replayable path (not a shortest one: the depth-first path that
// reached it). MergeSwarm combines the results of many shards. Shards are
// plain processes; how they are run (locally, or as the pods of a cluster
// job) is the caller's business.

// SwarmOptions control one shard of a swarm.
type SwarmOptions struct {
	// Seed and Shard choose the shard's search order: the same pair gives
	// the same search (within the same budget of states).
	Seed  uint64
	Shard int
	// MaxDepth bounds the depth-first path (default 10000 steps). With
	// SpreadDepth, shard i cuts at MaxDepth >> (i % 4) instead (at least
	// 1): a violation a few hundred steps deep is found far sooner by a
	// search cut near its depth than by one that wanders thousands of
	// steps down, and nobody knows its depth in advance, so shards try
	// several (SPIN's swarm varies its search bounds in the same way).
	MaxDepth    int
	SpreadDepth bool
	// MaxStates bounds the distinct states the shard stores; TimeLimit
	// its time. 0 means no bound.
	MaxStates int64
	TimeLimit time.Duration
	// Bitstate, if not 0, stores visited states in a Bloom filter of
	// 2^Bitstate bits (3 bits per state) instead of an exact set.
	Bitstate int
	// Symmetry and AllowDeadlock are as in Options.
	Symmetry      bool
	AllowDeadlock bool
	_             struct{}
}

const defaultSwarmDepth = 10000

// bloom is a bitstate store: 2^bits bits, 3 probes per fingerprint.
type bloom struct {
	words []uint64
	mask  uint64
}

func newBloom(bits int) *bloom {
	bits = max(bits, 6)
	return &bloom{words: make([]uint64, 1<<(bits-6)), mask: 1<<bits - 1}
}

// insert sets fp's bits and reports whether any was clear (fp is new, or a
// state that shares its bits is wrongly taken for it).
func (b *bloom) insert(fp uint64) bool {
	h2 := fp>>29 | fp<<35 | 1
	fresh := false
	for i := range uint64(3) {
		bit := (fp + i*h2) & b.mask
		w, m := &b.words[bit>>6], uint64(1)<<(bit&63)
		if *w&m == 0 {
			fresh = true
			*w |= m
		}
	}
	return fresh
}

// swarmFrame is a state on the depth-first stack, with its enabled
// actions, the order in which to try them, and how many it has tried.
type swarmFrame[S, A any] struct {
	st    S
	acts  []A
	order []int
	next  int
}

// Swarm runs one shard of a swarm on m: a depth-first search that tries
// the initial states and each state's actions in a random order drawn from
// (Seed, Shard), within the options' bounds. Its Verdict is
// VerdictViolation when it met a violation, VerdictOK when it exhausted the
// state space with an exact store, no depth cut and every Sometimes
// property reached, and otherwise VerdictIncomplete (Incomplete says why:
// "swarm" when the shard ran out of states to try). Depth is the deepest
// path it followed, Seconds its time. It checks Always properties,
// deadlock freedom and Sometimes goals, not liveness.
func Swarm[S, A any](ctx context.Context, m Model[S, A], opt SwarmOptions) *Result {
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = defaultSwarmDepth
	}
	if opt.SpreadDepth {
		opt.MaxDepth = ShardDepth(opt.MaxDepth, opt.Shard)
	}
	s := newSearch(m, Options{Workers: 1, Symmetry: opt.Symmetry, AllowDeadlock: opt.AllowDeadlock})
	s.ctx = ctx
	w := s.workers[0]
	rng := rand.New(rand.NewPCG(opt.Seed, uint64(opt.Shard)))
	var bl *bloom
	if opt.Bitstate > 0 {
		bl = newBloom(opt.Bitstate)
	}
	visit := func(st *S) bool {
		fp := s.fingerprint(w, st)
		if bl != nil {
			return bl.insert(fp)
		}
		return s.set.insert(fp)
	}
	res := &Result{Workers: 1, Symmetry: s.sym != nil, Coverage: make(map[string]int64)}
	for _, p := range s.props {
		res.Properties = append(res.Properties, p.Name)
	}
	reached := make([]bool, len(s.props))
	var (
		distinct, gen int64
		cut           bool // a path was cut at MaxDepth
		path          []int
		stack         []*swarmFrame[S, A]
		free          []*swarmFrame[S, A]
	)
	// check looks at a newly visited state at the end of path: it
	// returns a violation, or nil, and records Sometimes goals.
	check := func(st *S) *Violation {
		if p := s.violated(st); p != noViolation {
			return &Violation{Property: s.props[p].Name, Kind: "always", Loop: -1}
		}
		for _, pi := range s.some {
			if !reached[pi] && s.props[pi].Cond(st) {
				reached[pi] = true
				if res.Examples == nil {
					res.Examples = make(map[string]string)
				}
				res.Examples[s.props[pi].Name] = FormatPath(path)
			}
		}
		return nil
	}
	// push puts st, just visited at the end of path, on the stack with
	// its actions in a random order; it reports a deadlock.
	push := func(st *S) *Violation {
		var f *swarmFrame[S, A]
		if n := len(free); n > 0 {
			f, free = free[n-1], free[:n-1]
		} else {
			f = new(swarmFrame[S, A])
		}
		f.st = *st
		f.acts = m.Actions(&f.st, f.acts[:0])
		f.next = 0
		if len(f.acts) == 0 && !opt.AllowDeadlock && (s.term == nil || !s.term.Terminal(&f.st)) {
			free = append(free, f)
			return &Violation{Property: "deadlock", Kind: "deadlock", Loop: -1}
		}
		f.order = f.order[:0]
		for i := range f.acts {
			f.order = append(f.order, i)
		}
		rng.Shuffle(len(f.order), func(i, j int) { f.order[i], f.order[j] = f.order[j], f.order[i] })
		stack = append(stack, f)
		return nil
	}
	stopped := ""
	bounds := func() bool {
		if ctx.Err() != nil {
			stopped = "cancelled"
		} else if opt.TimeLimit > 0 && time.Since(s.start) > opt.TimeLimit {
			stopped = "time limit"
		} else if opt.MaxStates > 0 && distinct >= opt.MaxStates {
			stopped = "state limit"
		}
		return stopped != ""
	}
	inits := m.Init()
	var viol *Violation
search:
	for _, i := range rng.Perm(len(inits)) {
		st := inits[i]
		if !visit(&st) {
			continue
		}
		distinct++
		path = append(path[:0], i)
		if viol = check(&st); viol != nil {
			break
		}
		if viol = push(&st); viol != nil {
			break
		}
		var next S
		for len(stack) > 0 {
			if gen&1023 == 0 && bounds() {
				break search
			}
			f := stack[len(stack)-1]
			if f.next == len(f.order) {
				stack = stack[:len(stack)-1]
				free = append(free, f)
				path = path[:len(path)-1]
				continue
			}
			ai := f.order[f.next]
			f.next++
			a := f.acts[ai]
			if s.into != nil {
				s.into.NextInto(&f.st, a, &next)
			} else {
				next = m.Next(&f.st, a)
			}
			gen++
			w.coverage[m.Kind(a)]++
			if !visit(&next) {
				continue
			}
			distinct++
			path = append(path, ai)
			res.Depth = max(res.Depth, len(path)-1)
			if viol = check(&next); viol != nil {
				break search
			}
			if len(path)-1 >= opt.MaxDepth {
				// Too deep to go on; its deadlock is still checked.
				cut = true
				acts := m.Actions(&next, w.acts[:0])
				w.acts = acts
				if len(acts) == 0 && !opt.AllowDeadlock && (s.term == nil || !s.term.Terminal(&next)) {
					viol = &Violation{Property: "deadlock", Kind: "deadlock", Loop: -1}
					break search
				}
				path = path[:len(path)-1]
				continue
			}
			if viol = push(&next); viol != nil {
				break search
			}
		}
	}
	for k, name := range s.kinds {
		res.Coverage[name] += w.coverage[k]
	}
	res.DistinctStates = distinct
	res.GeneratedStates = gen
	res.Seconds = time.Since(s.start).Seconds()
	if res.Seconds > 0 {
		res.StatesPerSecond = float64(distinct) / res.Seconds
	}
	if bl == nil {
		res.BytesPerState = float64(s.set.bytes()) / float64(max(distinct, 1))
	} else {
		res.BytesPerState = float64(len(bl.words)*8) / float64(max(distinct, 1))
	}
	switch {
	case viol != nil:
		s.fillTrace(viol, path)
		res.Violation = viol
		res.Verdict = VerdictViolation
	case stopped != "":
		res.Verdict, res.Incomplete = VerdictIncomplete, stopped
	case bl == nil && !cut:
		// Exhausted, exactly.
		res.Verdict = VerdictOK
		for _, pi := range s.some {
			if !reached[pi] {
				res.Verdict = VerdictViolation
				res.Violation = &Violation{Property: s.props[pi].Name, Kind: "sometimes", Loop: -1}
				break
			}
		}
	default:
		res.Verdict, res.Incomplete = VerdictIncomplete, "swarm"
	}
	return res
}

// ShardDepth is the depth bound of shard with SpreadDepth.
func ShardDepth(maxDepth, shard int) int { return max(1, maxDepth>>(shard%4)) }

// A SwarmShard is one shard's result, as MergeSwarm takes it.
type SwarmShard struct {
	Shard  int
	Result *Result
}

// MergeSwarm combines the results of a swarm's shards: the sums of their
// distinct states (states two shards both visited count twice) and
// generated states, the deepest path, the longest time, the sum of each
// action kind's coverage, each Sometimes property reached with the
// shortest of its example paths, and the violation with the shortest path
// (the lowest shard among equals). The verdict is a violation if any shard
// found one, ok if some shard exhausted the space, and incomplete
// otherwise. The merge does not depend on the order of shards.
func MergeSwarm(shards []SwarmShard) *Result {
	out := &Result{Verdict: VerdictIncomplete, Incomplete: "swarm", Coverage: make(map[string]int64)}
	vShard := -1
	exShard := map[string]int{}
	for _, sh := range shards {
		r := sh.Result
		if r == nil {
			continue
		}
		if out.Properties == nil {
			out.Properties = r.Properties
		}
		out.Workers += r.Workers
		out.Symmetry = out.Symmetry || r.Symmetry
		out.DistinctStates += r.DistinctStates
		out.GeneratedStates += r.GeneratedStates
		out.Depth = max(out.Depth, r.Depth)
		out.Seconds = max(out.Seconds, r.Seconds)
		for k, n := range r.Coverage {
			out.Coverage[k] += n
		}
		for name, ex := range r.Examples {
			old, ok := out.Examples[name]
			if ok && !shorterPath(ex, sh.Shard, old, exShard[name]) {
				continue
			}
			if out.Examples == nil {
				out.Examples = make(map[string]string)
			}
			out.Examples[name] = ex
			exShard[name] = sh.Shard
		}
		if v := r.Violation; v != nil && v.Kind != "sometimes" {
			if out.Violation == nil || shorterPath(v.Path, sh.Shard, out.Violation.Path, vShard) {
				out.Violation, vShard = v, sh.Shard
			}
		}
		if r.Verdict == VerdictOK && out.Verdict == VerdictIncomplete {
			out.Verdict, out.Incomplete = VerdictOK, ""
		}
	}
	if out.Violation != nil {
		out.Verdict, out.Incomplete = VerdictViolation, ""
	}
	return out
}

// shorterPath orders paths by their number of steps, then by shard, then
// by text.
func shorterPath(a string, ashard int, b string, bshard int) bool {
	na, nb := strings.Count(a, "/"), strings.Count(b, "/")
	switch {
	case na != nb:
		return na < nb
	case ashard != bshard:
		return ashard < bshard
	}
	return a < b
}
