package checker

import (
	"context"
	"math/rand/v2"
	"time"
)

// SimOptions control Simulate.
type SimOptions struct {
	// Seed makes the walks reproducible: walk i uses a generator seeded
	// with (Seed, i).
	Seed int64
	// Walks is the number of random walks (default 1000).
	Walks int
	// MaxSteps bounds each walk (default 1000).
	MaxSteps int
	// AllowDeadlock turns off deadlock detection, as in Options.
	AllowDeadlock bool
	_             struct{}
}

// Simulate checks m's Always properties (and deadlock freedom) along seeded
// random walks: for configurations too large to exhaust. Each walk starts in
// a random initial state and takes a random enabled action at each step. The
// first violation found is reported with its path; the verdict is never
// VerdictOK, because walks prove nothing: it is VerdictIncomplete when no
// violation was found. DistinctStates counts the distinct states the walks
// visited and Depth the longest walk.
func Simulate[S, A any](ctx context.Context, m Model[S, A], opt SimOptions) *Result {
	if opt.Walks <= 0 {
		opt.Walks = 1000
	}
	if opt.MaxSteps <= 0 {
		opt.MaxSteps = 1000
	}
	s := newSearch(m, Options{Workers: 1, AllowDeadlock: opt.AllowDeadlock})
	s.ctx = ctx
	res := &Result{Workers: 1}
	for _, p := range s.props {
		res.Properties = append(res.Properties, p.Name)
	}
	w := s.workers[0]
	inits := m.Init()
	var gen int64
	path := make([]int, 0, opt.MaxSteps+1)
	var distinct int64
	witnessed := make(map[string]string)
walks:
	for walk := 0; walk < opt.Walks && len(inits) > 0; walk++ {
		if ctx.Err() != nil {
			res.Incomplete = "cancelled"
			break
		}
		rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(walk)))
		i := rng.IntN(len(inits))
		st := inits[i]
		path = append(path[:0], i)
		for step := 0; ; step++ {
			if s.set.insert(s.fingerprint(w, &st)) {
				distinct++
			}
			if p := s.violated(&st); p != noViolation {
				res.Violation = &Violation{Property: s.props[p].Name, Kind: "always", Loop: -1}
				s.fillTrace(res.Violation, path)
				break walks
			}
			for _, p := range s.props {
				if p.Expect == ExpectSometimes && witnessed[p.Name] == "" && p.Cond(&st) {
					witnessed[p.Name] = FormatPath(path)
				}
			}
			if step > res.Depth {
				res.Depth = step
			}
			w.acts = m.Actions(&st, w.acts[:0])
			if len(w.acts) == 0 {
				if !opt.AllowDeadlock && (s.term == nil || !s.term.Terminal(&st)) {
					res.Violation = &Violation{Property: "deadlock", Kind: "deadlock", Loop: -1}
					s.fillTrace(res.Violation, path)
					break walks
				}
				break
			}
			if step == opt.MaxSteps {
				break
			}
			ai := rng.IntN(len(w.acts))
			a := w.acts[ai]
			w.coverage[m.Kind(a)]++
			gen++
			st = m.Next(&st, a)
			path = append(path, ai)
		}
	}
	res.Coverage = make(map[string]int64)
	for k, name := range s.kinds {
		res.Coverage[name] += w.coverage[k]
	}
	if len(witnessed) > 0 {
		res.Examples = witnessed
	}
	res.DistinctStates = distinct
	res.GeneratedStates = gen
	res.Seconds = time.Since(s.start).Seconds()
	if res.Seconds > 0 {
		res.StatesPerSecond = float64(gen) / res.Seconds
	}
	if res.Violation != nil {
		res.Verdict = VerdictViolation
	} else {
		res.Verdict = VerdictIncomplete
		if res.Incomplete == "" {
			res.Incomplete = "simulation"
		}
	}
	return res
}
