package spec

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// obsModel is a Model whose every step is also checked as an observation:
// the events ObserveStep derives must be accepted by Obs from the projection
// of the state before, and lead to the projection of the state after.
type obsModel struct {
	*Model
	mu    sync.Mutex
	steps map[EvKind]map[string]bool
	errs  []string
	edges int64
}

func newObsModel(m *Model) *obsModel {
	return &obsModel{Model: m, steps: map[EvKind]map[string]bool{}}
}

var obsPool = sync.Pool{New: func() any { return new([2]Obs) }}

func (w *obsModel) Next(s *State, a Action) State {
	var t State
	w.NextInto(s, a, &t)
	return t
}

func (w *obsModel) NextInto(s *State, a Action, t *State) {
	w.Model.NextInto(s, a, t)
	w.edge(s, a, t)
}

// label names a's step; a user step is named by its instruction.
func (w *obsModel) label(s *State, a Action) string {
	if a.Actor == actorEnv {
		return envNames[a.Step]
	}
	if pc(a.Step) == pcUser {
		g := int(s.M[a.Actor].CurG) - 1
		op := w.C.instr(s, g).Op
		if op == opForcegcHelper {
			return "user: forcegchelper"
		}
		if op == OpCompute && a.Choice == 1 {
			return "user: compute (preempted: goschedImpl)"
		}
		return "user: " + op.String()
	}
	return steps[a.Step].name
}

func (w *obsModel) edge(s *State, a Action, t *State) {
	if t.Throw != 0 {
		// The runtime dies here: no trace shows what the step did.
		return
	}
	buf := obsPool.Get().(*[2]Obs)
	defer obsPool.Put(buf)
	before, after := &buf[0], &buf[1]
	w.ObserveInto(s, before)
	w.ObserveInto(t, after)
	fail := func(format string, args ...any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if len(w.errs) < 5 {
			w.errs = append(w.errs, fmt.Sprintf("%s\n  before:\n%s\n  after:\n%s", fmt.Sprintf(format, args...), w.FormatState(s), w.FormatState(t)))
		}
	}
	evs, err := w.diffEvents(before, after, a)
	if err != nil {
		fail("%v", err)
		return
	}
	o := before.Clone()
	for i := range evs {
		if r := o.Step(&evs[i]); r != nil {
			fail("%s: event %s rejected: %v", w.FormatAction(a), o.Describe(&evs[i]), r)
			return
		}
	}
	if !o.Equal(after) {
		fail("%s: events %v do not lead to the projection of the next state:\n%s\nwant\n%s", w.FormatAction(a), evs, o.Format(ObsNames{}), after.Format(ObsNames{}))
		return
	}
	if r := after.CheckAll(); r != nil {
		fail("projection of a reachable state breaks %v", r)
		return
	}
	if len(evs) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.edges++
	for _, e := range evs {
		if w.steps[e.Kind] == nil {
			w.steps[e.Kind] = map[string]bool{}
		}
		w.steps[e.Kind][w.label(s, a)] = true
	}
}

// obsConfigs are the configurations TestObservable explores: every step
// that makes an observable event fires in one of them (with -long, all the
// pinned go1.26 configurations but the largest).
func obsConfigs() []string {
	if *long {
		return []string{"pingpong", "spawn-heavy", "netpoll", "deadlock", "timers", "forcegc",
			"forcegc-netpoll", "allocm", "inject-overflow", "syscall-steal", "timer-handoff",
			"wakep-transient", "sysmon-syscall", "syscall-2p", "runq-overflow", "timers-2m", "preempt",
			"locked", "locked-gosched", "locked-syscall"}
	}
	return []string{"pingpong", "forcegc-netpoll", "allocm", "inject-overflow", "syscall-steal",
		"timer-handoff", "wakep-transient", "sysmon-syscall", "syscall-2p", "runq-overflow",
		"timers-2m", "preempt", "locked", "locked-gosched", "locked-syscall"}
}

// TestObservable checks the observation of the model on every edge of the
// configurations of obsConfigs, and that obsSteps (observe_steps.go) lists
// the steps that make each kind of event. Regenerate the table with
// go test ./spec -run TestObservable -long -update.
func TestObservable(t *testing.T) {
	seen := map[EvKind]map[string]bool{}
	for _, name := range obsConfigs() {
		c := load(t, name)
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		w := newObsModel(m)
		res := checker.Check(context.Background(), checker.Model[State, Action](w), checker.Options{Symmetry: true})
		if res.Verdict != checker.VerdictOK {
			t.Fatalf("%s: %s", name, res.Verdict)
		}
		for _, e := range w.errs {
			t.Errorf("%s: %s", name, e)
		}
		for k, labels := range w.steps {
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			for l := range labels {
				seen[k][l] = true
			}
		}
		t.Logf("%s: %d states, %d observable edges", name, res.DistinctStates, w.edges)
	}
	if t.Failed() {
		return
	}
	got := map[EvKind][]string{}
	for k, labels := range seen {
		for l := range labels {
			got[k] = append(got[k], l)
		}
		sort.Strings(got[k])
	}
	src := formatObsSteps(got)
	if *update {
		if !*long {
			t.Fatal("-update needs -long: the table is over every configuration")
		}
		if err := os.WriteFile("observe_steps.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for k, labels := range got {
		for _, l := range labels {
			if !contains(obsSteps[k], l) {
				t.Errorf("step %s makes %v events, which observe_steps.go does not list (go test ./spec -run TestObservable -long -update)", l, k)
			}
		}
	}
	if *long {
		for k, labels := range obsSteps {
			for _, l := range labels {
				if !contains(got[k], l) {
					t.Errorf("observe_steps.go lists %s for %v, which no configuration shows (go test ./spec -run TestObservable -long -update)", l, k)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func formatObsSteps(steps map[EvKind][]string) []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated by go test ./spec -run TestObservable -long -update; DO NOT EDIT.

package spec

// obsSteps lists, for each kind of observable event, the model steps that
// make it, over every edge of the pinned configurations (TestObservable).
var obsSteps = map[EvKind][]string{
`)
	for k := EvGoCreate; k < numEvKind; k++ {
		if len(steps[k]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\tEv%s: {%s},\n", k, quoteAll(steps[k]))
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return src
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// obsOnly is an obsModel without properties: the checker explores the
// whole state space (within bounds) whatever it violates.
type obsOnly struct{ *obsModel }

func (w obsOnly) Properties() []checker.Property[State] { return nil }

// TestObservationUnderBugs runs the observation check on every bug switch
// of the go1.26 profile in its workload, up to 100,000 states each, and
// finds nothing: no switch makes a transition a trace could show as
// illegal. Each either trips one of the runtime's throws at the step that
// goes wrong (a throwing step is not traced: the runtime dies there) or
// corrupts only what a trace does not show (counters, queues, notes,
// spinning). So the rules of Obs are no stronger than the runtime's own
// checks, and a real trace that breaks one is a trace the runtime cannot
// write, or a model that is wrong. What the switches that strand work do
// show is a work-conservation window (validate's TestModelWindows).
func TestObservationUnderBugs(t *testing.T) {
	for _, b := range Bugs() {
		c := load(t, b.Workload)
		if c.go114() || c.world() {
			// Traces show a stop of the world as one event, which
			// the observable projection abstracts (docs/model.md,
			// "What a trace shows"); the GC features' steps are not
			// mapped to trace events yet.
			continue
		}
		c.Bugs = []string{b.Name}
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		w := newObsModel(m)
		checker.Check(context.Background(), checker.Model[State, Action](obsOnly{w}), checker.Options{Symmetry: true, MaxStates: 100000, AllowDeadlock: true})
		for _, e := range w.errs {
			t.Errorf("%s: %s", b.Name, e)
		}
	}
}

// TestObsInvariantsBite: each observable invariant detects a state that
// breaks it. (On a trace the guards catch such states first; see
// ObservationDoc.)
func TestObsInvariantsBite(t *testing.T) {
	base := func() *Obs {
		o := new(Obs)
		o.Grow(2, 2, 2)
		// m0 holds P0 and runs g0; P1 idle; g1 runnable.
		o.P[0] = ObsP{State: ProcRunning, M: 0}
		o.P[1] = ObsP{State: ProcIdle, M: -1}
		o.M[0] = ObsM{G: 0, P: 0}
		o.G[0] = ObsG{State: GoRunning, M: 0}
		o.G[1] = ObsG{State: GoRunnable, M: -1}
		return o
	}
	if r := base().CheckAll(); r != nil {
		t.Fatalf("the base state breaks %v", r)
	}
	cases := []struct {
		rule   string
		break_ func(o *Obs)
	}{
		{"obs-g-on-one-m", func(o *Obs) { o.G[1].M = 1 }},                                              // a runnable G on a thread
		{"obs-g-on-one-m", func(o *Obs) { o.M[1].G = 0 }},                                              // a G on two threads
		{"obs-p-owned-once", func(o *Obs) { o.M[1].P = 0 }},                                            // a P held twice
		{"obs-p-owned-once", func(o *Obs) { o.P[1].M = 1 }},                                            // an idle P held
		{"obs-running-g-has-p", func(o *Obs) { o.M[0].P = -1; o.P[0] = ObsP{State: ProcIdle, M: -1} }}, // running without a P
	}
	covered := map[string]bool{}
	for _, c := range cases {
		o := base()
		c.break_(o)
		r := o.CheckAll()
		if r == nil || r.Rule != c.rule {
			t.Errorf("want %s, got %v", c.rule, r)
		}
		covered[c.rule] = true
	}
	for _, inv := range ObsInvariants() {
		if !covered[inv.Name] {
			t.Errorf("no case breaks %s", inv.Name)
		}
	}
}

// TestGoTransition: every goroutine event kind is the one transition of
// its states, and nothing else is an event.
func TestGoTransition(t *testing.T) {
	n := 0
	for from := GoNotExist; from < numGoState; from++ {
		for to := GoNotExist; to < numGoState; to++ {
			k := GoTransition(from, to)
			if k == EvNone {
				continue
			}
			n++
			if goFrom[k] != from || goTo[k] != to {
				t.Errorf("%v -> %v: %v, which is %v -> %v", from, to, k, goFrom[k], goTo[k])
			}
		}
	}
	if n != int(EvProcStart-EvGoCreate) {
		t.Errorf("%d transitions are events; want %d, one per goroutine event kind", n, EvProcStart-EvGoCreate)
	}
}
