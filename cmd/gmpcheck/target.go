package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// A target is a named model that gmpcheck can check, simulate and replay.
// checker.Model is generic in its state and action types, so the CLI keeps
// each model behind closures built by newTarget, and everything else in this
// package is ordinary, non-generic code.
type target struct {
	name string
	doc  string // one line
	// config says exactly which model the name stands for (for a
	// scheduler model: the machine, profile, features, bug switches and
	// a hash of the programs), so that a saved report can be checked
	// against the model it is replayed on. Empty for the example models,
	// which their name fixes.
	config string
	// properties lists the model's properties in report order.
	properties []propInfo

	check func(ctx context.Context, opt checker.Options) *checker.Result
	// canCheckpoint says whether the model's states can be saved (it is
	// a checker.Decoder), and resume continues the check saved in
	// opt.Checkpoint.Dir.
	canCheckpoint bool
	resume        func(ctx context.Context, opt checker.Options) (*checker.Result, error)
	simulate      func(ctx context.Context, opt checker.SimOptions) *checker.Result
	// swarm runs one shard of a swarm.
	swarm func(ctx context.Context, opt checker.SwarmOptions) *checker.Result
	// replay follows path and returns the whole trace and the first
	// violation on it (see replayed).
	replay func(path []int, allowDeadlock bool) (*replayed, error)
	// timeline follows path and returns its timeline page data
	// (timeline.go), without the model's name, title and violation.
	timeline func(path []int) (*timelineDoc, error)
	// explore follows path and returns what the explorer shows of it
	// (explore.go). If the path does not replay, the error says why and
	// the result, if not nil, holds the longest prefix that does.
	explore func(path []int) (*explored, error)
}

// propInfo is a property's name and kind, for listings and reports.
type propInfo struct {
	name string
	kind string // "always", "sometimes" or "eventually"
}

// replayed is a path followed through a model, ready to print.
type replayed struct {
	steps []checker.Step
	// states[i] is the state after steps[i] as the model's FormatState
	// renders it; nil if the model has no StateFormatter.
	states []string
	// violation is the first violation on the path, truncated to it, or
	// nil: an Always property or deadlock freedom failing at some state
	// (checker.Trace.FirstViolation), or, failing that, an Eventually
	// property refuted by the whole path read as a lasso (lassoViolation).
	violation *checker.Violation
}

// newTarget wraps m as a target.
func newTarget[S, A any](name, doc string, m checker.Model[S, A]) target {
	t := target{name: name, doc: doc}
	for _, p := range m.Properties() {
		t.properties = append(t.properties, propInfo{name: p.Name, kind: p.Expect.String()})
	}
	t.check = func(ctx context.Context, opt checker.Options) *checker.Result {
		return checker.Check(ctx, m, opt)
	}
	_, t.canCheckpoint = any(m).(checker.Decoder[S])
	t.resume = func(ctx context.Context, opt checker.Options) (*checker.Result, error) {
		return checker.Resume(ctx, m, opt)
	}
	t.swarm = func(ctx context.Context, opt checker.SwarmOptions) *checker.Result {
		return checker.Swarm(ctx, m, opt)
	}
	t.simulate = func(ctx context.Context, opt checker.SimOptions) *checker.Result {
		return checker.Simulate(ctx, m, opt)
	}
	t.replay = func(path []int, allowDeadlock bool) (*replayed, error) {
		tr, err := checker.Replay(m, path)
		if err != nil {
			return nil, err
		}
		r := &replayed{steps: tr.Steps(m)}
		if sf, ok := any(m).(checker.StateFormatter[S]); ok {
			for i := range tr.States {
				r.states = append(r.states, sf.FormatState(&tr.States[i]))
			}
		}
		r.violation = tr.FirstViolation(m, allowDeadlock)
		if r.violation == nil {
			r.violation = lassoViolation(m, tr)
		}
		return r, nil
	}
	t.timeline = func(path []int) (*timelineDoc, error) {
		tr, err := checker.Replay(m, path)
		if err != nil {
			return nil, err
		}
		return buildTimeline(m, tr), nil
	}
	t.explore = func(path []int) (*explored, error) {
		return explorePath(m, path)
	}
	return t
}

// lassoViolation reports whether tr, read as a counterexample to one of m's
// Eventually properties, is one (checker.Trace.CheckLasso): either its last
// state repeats an earlier one (a cycle), or it has no enabled action (a
// maximal finite path). checker.Trace.FirstViolation covers only Always
// properties and deadlocks, so without this a replayed liveness
// counterexample would look clean.
func lassoViolation[S, A any](m checker.Model[S, A], tr *checker.Trace[S, A]) *checker.Violation {
	// The candidate loop starts: every earlier state equal to the last one,
	// latest (shortest cycle) first; or -1 for a path that cannot go on.
	// FirstViolation has already reported a last state without actions
	// unless it is terminal or deadlocks are allowed.
	n := len(tr.States)
	var loops []int
	if len(m.Actions(&tr.States[n-1], nil)) == 0 {
		loops = []int{-1}
	} else {
		enc := m.Encode(&tr.States[n-1], nil)
		for i := n - 2; i >= 0; i-- {
			if bytes.Equal(m.Encode(&tr.States[i], nil), enc) {
				loops = append(loops, i)
			}
		}
	}
	for _, p := range m.Properties() {
		if p.Expect != checker.ExpectEventually {
			continue
		}
		for _, loop := range loops {
			if tr.CheckLasso(m, p.Name, loop) != nil {
				continue
			}
			return &checker.Violation{
				Property: p.Name,
				Kind:     "eventually",
				Path:     checker.FormatPath(tr.Path),
				Trace:    tr.Steps(m),
				Loop:     loop,
			}
		}
	}
	return nil
}

// targets is the registry of named models, in listing order; the first
// entry is the default. Besides these, -model accepts any scheduler model
// spec (a workload file, with options): see sched.go.
func targets() []target {
	def, err := schedTarget(schedName)
	if err != nil {
		panic(err)
	}
	return []target{
		def,
		newTarget("mutex",
			"two processes, mutual exclusion by an atomic test-and-set (the example model)",
			newMutexModel(2, false, false)),
		newTarget("mutex3",
			"three processes, mutual exclusion by an atomic test-and-set",
			newMutexModel(3, false, false)),
		newTarget("mutex-racy",
			"mutant: test-and-set split into a check and a set, so mutual exclusion fails",
			newMutexModel(2, true, false)),
		newTarget("mutex-leaky",
			"mutant: release forgets to clear the lock, so a trying process can starve",
			newMutexModel(2, false, true)),
	}
}

// lookupTarget returns the target called name.
func lookupTarget(name string) (target, error) {
	if isSchedSpec(name) {
		return schedTarget(name)
	}
	all := targets()
	i := slices.IndexFunc(all, func(t target) bool { return t.name == name })
	if i < 0 {
		var names []string
		for _, t := range all {
			names = append(names, t.name)
		}
		return target{}, fmt.Errorf("unknown model %q (models: %s)", name, strings.Join(names, ", "))
	}
	return all[i], nil
}
