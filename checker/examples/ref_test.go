package examples

// A naive reference explorer, independent of the checker's engine: a
// breadth-first search that keys full state encodings in a Go map, keeps
// the whole graph, and answers liveness questions with a plain Tarjan SCC
// pass. The tests compare the checker against it, and pin its numbers.

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

type refEdge struct {
	to   int
	proc int
}

// refGraph is the reachable state graph of a model.
type refGraph[S any] struct {
	states  []S
	dist    []int // breadth-first distance from the initial states
	edges   [][]refEdge
	enabled []uint64 // processes with an enabled action, per state
	ninit   int
	// parent and pact give the breadth-first tree: the state a state was
	// first reached from (-1 for an initial state) and the index of the
	// action among those enabled there (of the initial state in Init).
	parent []int
	pact   []int

	depth     int   // largest distance
	generated int64 // initial states plus transitions, as Result counts them
	coverage  map[string]int64
	// minAlways maps each violated Always property to the smallest
	// distance of a state violating it; minSometimes each reached
	// Sometimes property to the smallest distance satisfying it.
	minAlways    map[string]int
	minSometimes map[string]int
	// minDeadlock is the smallest distance of a deadlock (no enabled
	// action and not terminal), or -1.
	minDeadlock int
}

// explore builds m's reachable graph breadth-first. With sym, states are
// keyed by the encoding of their representative (m must be Symmetric) and
// the first concrete state found of each class is kept, as the checker does.
func explore[S, A any](m checker.Model[S, A], sym bool) *refGraph[S] {
	var rep checker.Symmetric[S]
	if sym {
		rep = any(m).(checker.Symmetric[S])
	}
	term, _ := any(m).(checker.Terminator[S])
	key := func(s *S) string {
		if rep != nil {
			r := rep.Representative(s)
			return string(m.Encode(&r, nil))
		}
		return string(m.Encode(s, nil))
	}
	g := &refGraph[S]{
		coverage:     map[string]int64{},
		minAlways:    map[string]int{},
		minSometimes: map[string]int{},
		minDeadlock:  -1,
	}
	kinds := m.ActionKinds()
	for _, k := range kinds {
		g.coverage[k] = 0
	}
	index := map[string]int{}
	add := func(s S, d, parent, act int) int {
		k := key(&s)
		if i, ok := index[k]; ok {
			return i
		}
		index[k] = len(g.states)
		g.states = append(g.states, s)
		g.dist = append(g.dist, d)
		g.parent = append(g.parent, parent)
		g.pact = append(g.pact, act)
		return len(g.states) - 1
	}
	for i, s := range m.Init() {
		add(s, 0, -1, i)
		g.generated++
	}
	g.ninit = len(g.states)
	props := m.Properties()
	var acts []A
	for i := 0; i < len(g.states); i++ {
		s := g.states[i]
		d := g.dist[i]
		g.depth = max(g.depth, d)
		for _, p := range props {
			note := func(mm map[string]int) {
				if _, ok := mm[p.Name]; !ok {
					mm[p.Name] = d
				}
			}
			switch {
			case p.Expect == checker.ExpectAlways && !p.Cond(&s):
				note(g.minAlways)
			case p.Expect == checker.ExpectSometimes && p.Cond(&s):
				note(g.minSometimes)
			}
		}
		acts = m.Actions(&s, acts[:0])
		if len(acts) == 0 && (term == nil || !term.Terminal(&s)) && g.minDeadlock < 0 {
			g.minDeadlock = d
		}
		var out []refEdge
		var en uint64
		for ai, a := range acts {
			t := m.Next(&s, a)
			g.generated++
			g.coverage[kinds[m.Kind(a)]]++
			out = append(out, refEdge{to: add(t, d+1, i, ai), proc: m.Process(a)})
			en |= 1 << m.Process(a)
		}
		g.edges = append(g.edges, out)
		g.enabled = append(g.enabled, en)
	}
	return g
}

// path returns the replayable path of the breadth-first tree to state i.
func (g *refGraph[S]) path(i int) string {
	var p []int
	for ; i >= 0; i = g.parent[i] {
		p = append(p, g.pact[i])
	}
	slices.Reverse(p)
	return checker.FormatPath(p)
}

// first returns the smallest state index satisfying f, or -1.
func (g *refGraph[S]) first(f func(i int, s *S) bool) int {
	for i := range g.states {
		if f(i, &g.states[i]) {
			return i
		}
	}
	return -1
}

// firstSafety returns the first state, in breadth-first order, that
// violates an Always property of m or (unless allowDeadlock) deadlocks: the
// end of the checker's canonical counterexample.
func firstSafety[S, A any](g *refGraph[S], m checker.Model[S, A], allowDeadlock bool) int {
	term, _ := any(m).(checker.Terminator[S])
	props := m.Properties()
	return g.first(func(i int, s *S) bool {
		for _, p := range props {
			if p.Expect == checker.ExpectAlways && !p.Cond(s) {
				return true
			}
		}
		return !allowDeadlock && len(g.edges[i]) == 0 && (term == nil || !term.Terminal(s))
	})
}

// wantExamples checks res.Examples: each Sometimes property reached maps
// to the path of the first state satisfying it in breadth-first order.
func wantExamples[S, A any](t testing.TB, res *checker.Result, g *refGraph[S], m checker.Model[S, A]) {
	t.Helper()
	want := map[string]string{}
	for _, p := range m.Properties() {
		if p.Expect != checker.ExpectSometimes {
			continue
		}
		if i := g.first(func(_ int, s *S) bool { return p.Cond(s) }); i >= 0 {
			want[p.Name] = g.path(i)
		}
	}
	if len(want) == 0 {
		want = nil
	}
	if !maps.Equal(res.Examples, want) {
		t.Errorf("examples %v, want %v", res.Examples, want)
	}
}

// liveViolated reports whether property p (an Eventually or LeadsTo) fails
// on g: some start state (a trigger state, or an initial state for
// Eventually) with cond false begins a path that never reaches cond and
// either stops in a state with no successor or loops forever; with fair,
// only loops that are weakly fair count.
func (g *refGraph[S]) liveViolated(p checker.Property[S], fair bool) bool {
	n := len(g.states)
	bad := make([]bool, n) // cond false
	for i := range g.states {
		bad[i] = !p.Cond(&g.states[i])
	}
	// The region: bad states reachable from bad start states through
	// bad states.
	in := make([]bool, n)
	var stack []int
	for i := range g.states {
		start := i < g.ninit
		if p.Trigger != nil {
			start = p.Trigger(&g.states[i])
		}
		if start && bad[i] {
			in[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(g.edges[i]) == 0 {
			return true // the path stops short of cond
		}
		for _, e := range g.edges[i] {
			if bad[e.to] && !in[e.to] {
				in[e.to] = true
				stack = append(stack, e.to)
			}
		}
	}
	// Tarjan's SCCs of the region.
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	next := 0
	var st []int
	found := false
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		st = append(st, v)
		on[v] = true
		for _, e := range g.edges[v] {
			if !in[e.to] {
				continue
			}
			if index[e.to] < 0 {
				visit(e.to)
				low[v] = min(low[v], low[e.to])
			} else if on[e.to] {
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []int
		member := map[int]bool{}
		for {
			w := st[len(st)-1]
			st = st[:len(st)-1]
			on[w] = false
			comp = append(comp, w)
			member[w] = true
			if w == v {
				break
			}
		}
		// Edges inside the component, and who takes them.
		var steps uint64
		inner := false
		always := ^uint64(0) // processes enabled in every state
		for _, w := range comp {
			always &= g.enabled[w]
			for _, e := range g.edges[w] {
				if member[e.to] {
					inner = true
					steps |= 1 << e.proc
				}
			}
		}
		if !inner {
			return // a trivial component: no cycle
		}
		if !fair || always&^steps == 0 {
			found = true
		}
	}
	for i := range g.states {
		if in[i] && index[i] < 0 {
			visit(i)
		}
	}
	return found
}

// prop returns m's property called name.
func prop[S, A any](t testing.TB, m checker.Model[S, A], name string) checker.Property[S] {
	t.Helper()
	for _, p := range m.Properties() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no property %q", name)
	panic("unreachable")
}

// check runs checker.Check with a 30s guard.
func check[S, A any](t testing.TB, m checker.Model[S, A], opt checker.Options) *checker.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := checker.Check(ctx, m, opt)
	if res == nil {
		t.Fatal("Check returned nil")
	}
	return res
}

// wantComplete asserts that res is an "ok" run whose counts agree with the
// reference graph g, and with the pinned distinct and depth.
func wantComplete[S any](t testing.TB, res *checker.Result, g *refGraph[S], distinct int64, depth int) {
	t.Helper()
	if res.Verdict != checker.VerdictOK {
		t.Fatalf("verdict %q (%s), violation %+v; want ok", res.Verdict, res.Incomplete, res.Violation)
	}
	if got := int64(len(g.states)); got != distinct || g.depth != depth {
		t.Errorf("reference: %d distinct states, depth %d; pinned %d, %d", got, g.depth, distinct, depth)
	}
	if res.DistinctStates != int64(len(g.states)) || res.Depth != g.depth {
		t.Errorf("checker: %d distinct states, depth %d; reference %d, %d", res.DistinctStates, res.Depth, len(g.states), g.depth)
	}
	if res.GeneratedStates != g.generated {
		t.Errorf("checker: %d generated states; reference %d", res.GeneratedStates, g.generated)
	}
	if !maps.Equal(res.Coverage, g.coverage) {
		t.Errorf("checker coverage %v; reference %v", res.Coverage, g.coverage)
	}
}

// replayViolation replays v's path through m and checks that the trace
// agrees with v's steps.
func replayViolation[S, A any](t testing.TB, m checker.Model[S, A], v *checker.Violation) *checker.Trace[S, A] {
	t.Helper()
	path, err := checker.ParsePath(v.Path)
	if err != nil {
		t.Fatalf("path %q: %v", v.Path, err)
	}
	tr, err := checker.Replay(m, path)
	if err != nil {
		t.Fatalf("replaying %q: %v", v.Path, err)
	}
	if len(tr.States) != len(v.Trace) {
		t.Fatalf("replay has %d states, the trace %d steps", len(tr.States), len(v.Trace))
	}
	if v.Trace[0].Action != "init" || v.Trace[0].Process != -1 || v.Trace[0].Index != path[0] {
		t.Errorf("trace[0] = %+v, want init of initial state %d", v.Trace[0], path[0])
	}
	for i, a := range tr.Actions {
		st := v.Trace[i+1]
		if st.Action != m.FormatAction(a) || st.Process != m.Process(a) || st.Index != path[i+1] {
			t.Errorf("trace[%d] = %+v, replay took %q (process %d, index %d)", i+1, st, m.FormatAction(a), m.Process(a), path[i+1])
		}
	}
	return tr
}

// enc is a state's encoding.
func enc[S, A any](m checker.Model[S, A], s *S) []byte { return m.Encode(s, nil) }

// checkLasso verifies a liveness counterexample on its own terms: the path
// replays; it ends in a state without enabled actions (Loop -1) or its last
// step returns to Trace[Loop]; some state on it satisfies the trigger (for
// Eventually, the initial state) and cond fails from there on, including
// all around the cycle; and the cycle is weakly fair: every process enabled
// in all its states takes a step on it.
func checkLasso[S, A any](t testing.TB, m checker.Model[S, A], v *checker.Violation, p checker.Property[S]) {
	t.Helper()
	if v.Kind != "eventually" || v.Property != p.Name {
		t.Fatalf("violation %s %q, want eventually %q", v.Kind, v.Property, p.Name)
	}
	tr := replayViolation(t, m, v)
	last := len(tr.States) - 1
	if v.Loop < 0 {
		if v.Loop != -1 {
			t.Fatalf("Loop = %d", v.Loop)
		}
		if acts := m.Actions(&tr.States[last], nil); len(acts) != 0 {
			t.Errorf("Loop -1 but the last state has %d enabled actions", len(acts))
		}
	} else {
		if v.Loop >= last {
			t.Fatalf("Loop = %d, but the trace has only %d steps", v.Loop, last)
		}
		if !bytes.Equal(enc(m, &tr.States[last]), enc(m, &tr.States[v.Loop])) {
			t.Fatalf("the cycle does not return: last state %x, state at Loop %d %x",
				enc(m, &tr.States[last]), v.Loop, enc(m, &tr.States[v.Loop]))
		}
	}
	// The suffix from the trigger on never satisfies cond.
	from := 0
	if p.Trigger != nil {
		from = -1
		for i := last; i >= 0 && !p.Cond(&tr.States[i]); i-- {
			if p.Trigger(&tr.States[i]) {
				from = i
			}
		}
		if from < 0 {
			t.Fatalf("no trigger state is followed by cond false to the end")
		}
	}
	for i := from; i <= last; i++ {
		if p.Cond(&tr.States[i]) {
			t.Fatalf("cond holds at step %d, after the trigger at %d", i, from)
		}
	}
	// The checker's own replay check agrees.
	if err := tr.CheckLasso(m, p.Name, v.Loop); err != nil {
		t.Errorf("Trace.CheckLasso: %v", err)
	}
	if v.Loop < 0 {
		return
	}
	always := ^uint64(0)
	var steps uint64
	for i := v.Loop; i < last; i++ {
		var en uint64
		for _, a := range m.Actions(&tr.States[i], nil) {
			en |= 1 << m.Process(a)
		}
		always &= en
		steps |= 1 << m.Process(tr.Actions[i])
	}
	if starved := always &^ steps; starved != 0 {
		t.Errorf("the cycle is not weakly fair: processes %b are enabled throughout but never step", starved)
	}
}

// sameOutcome compares the parts of two results that must not depend on
// the number of workers.
func sameOutcome(a, b *checker.Result) error {
	if a.Verdict != b.Verdict || a.Incomplete != b.Incomplete {
		return fmt.Errorf("verdict %s/%s vs %s/%s", a.Verdict, a.Incomplete, b.Verdict, b.Incomplete)
	}
	if a.Depth != b.Depth {
		return fmt.Errorf("depth %d vs %d", a.Depth, b.Depth)
	}
	if (a.Violation == nil) != (b.Violation == nil) {
		return fmt.Errorf("violation %v vs %v", a.Violation, b.Violation)
	}
	if a.Violation == nil {
		if a.DistinctStates != b.DistinctStates || a.GeneratedStates != b.GeneratedStates {
			return fmt.Errorf("states %d/%d vs %d/%d", a.DistinctStates, a.GeneratedStates, b.DistinctStates, b.GeneratedStates)
		}
		if !maps.Equal(a.Coverage, b.Coverage) {
			return fmt.Errorf("coverage %v vs %v", a.Coverage, b.Coverage)
		}
		if !maps.Equal(a.Examples, b.Examples) {
			return fmt.Errorf("examples %v vs %v", a.Examples, b.Examples)
		}
		return nil
	}
	va, vb := a.Violation, b.Violation
	if va.Property != vb.Property || va.Kind != vb.Kind || va.Path != vb.Path || va.Loop != vb.Loop || !slices.Equal(va.Trace, vb.Trace) {
		return fmt.Errorf("violation\n%+v\nvs\n%+v", va, vb)
	}
	return nil
}

// minSwitches returns the fewest process switches of a path of exactly d
// steps from an initial state to a state at distance d satisfying target,
// by dynamic programming over the breadth-first levels of g (built without
// symmetry): best[i][p] is the fewest switches of a shortest path to state
// i whose last step process p took. -1 if there is no such path.
func (g *refGraph[S]) minSwitches(d int, target func(i int) bool) int {
	const none = 1 << 30
	best := make([]map[int]int, len(g.states))
	for i := 0; i < g.ninit; i++ {
		best[i] = map[int]int{-1: 0}
	}
	// States are in breadth-first order, so every predecessor on a
	// shortest path comes first.
	for i := range g.states {
		for p, sw := range best[i] {
			for _, e := range g.edges[i] {
				if g.dist[e.to] != g.dist[i]+1 {
					continue
				}
				n := sw
				if p >= 0 && p != e.proc {
					n++
				}
				if best[e.to] == nil {
					best[e.to] = map[int]int{}
				}
				if old, ok := best[e.to][e.proc]; !ok || n < old {
					best[e.to][e.proc] = n
				}
			}
		}
	}
	min := none
	for i := range g.states {
		if g.dist[i] == d && target(i) {
			for _, sw := range best[i] {
				min = minInt(min, sw)
			}
		}
	}
	if min == none {
		return -1
	}
	return min
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// wantFewestSwitches checks that a safety counterexample v has the fewest
// switches among the shortest ones (by the reference graph g, built without
// symmetry) and that v.Switches counts its trace's switches.
func wantFewestSwitches[S, A any](t testing.TB, g *refGraph[S], m checker.Model[S, A], v *checker.Violation) {
	t.Helper()
	props := m.Properties()
	term, _ := any(m).(checker.Terminator[S])
	first := func(s *S) string {
		for _, p := range props {
			if p.Expect == checker.ExpectAlways && !p.Cond(s) {
				return p.Name
			}
		}
		return "deadlock"
	}
	d := len(v.Trace) - 1
	want := g.minSwitches(d, func(i int) bool {
		s := &g.states[i]
		if v.Kind == "deadlock" {
			return first(s) == "deadlock" && len(g.edges[i]) == 0 && (term == nil || !term.Terminal(s))
		}
		return first(s) == v.Property
	})
	got := 0
	for i := 2; i < len(v.Trace); i++ {
		if v.Trace[i].Process != v.Trace[i-1].Process {
			got++
		}
	}
	if got != v.Switches || v.Switches != want || !v.FewestSwitches {
		t.Errorf("trace %s has %d switches, Violation.Switches %d; the fewest among shortest traces is %d", v.Path, got, v.Switches, want)
	}
}
