package properties

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
	"pgregory.net/rapid"
)

// G status values as the spec stores them: the runtime's own numbers
// (runtime2.go:36-117, spec/state.go). TestStatusValues ties them to the
// spec's initial state.
const (
	gRunnable = 1
	gRunning  = 2
	gSyscall  = 3
	gWaiting  = 4
	gDead     = 6
	gScan     = 0x10
)

// A Walk is a random walk through a configuration's state space whose every
// choice is drawn from rapid: the index of the action to take among the
// enabled ones. Draws are labelled "step N" and print as the action in the
// runtime's terms ("m2 findRunnable.dropP (3 of 7)"), so rapid's failure
// output is the schedule. The walk records its states and actions for the
// trace that a failure prints.
type Walk struct {
	M      *spec.Model
	C      *spec.Config
	States []spec.State
	Acts   []spec.Action
	Path   []int // the replayable path: the initial state's index, then each action's index

	always []checker.Property[spec.State]
	buf    []spec.Action // the enabled actions
	idx    []int         // the indexes in buf that Step draws from
	gens   map[int]*rapid.Generator[drawn]
	sysmon int // sysmon's M index, or -1
	ledger *Ledger
}

// NewWalk starts a walk of c at its initial state.
func NewWalk(c *spec.Config) (*Walk, error) {
	m, err := spec.New(c)
	if err != nil {
		return nil, err
	}
	w := &Walk{M: m, C: c, gens: make(map[int]*rapid.Generator[drawn]), sysmon: -1}
	for _, p := range m.Properties() {
		if p.Expect == checker.ExpectAlways {
			w.always = append(w.always, p)
		}
	}
	if c.Sysmon {
		// runtime.main starts sysmon right after m0 (spec.Model.Init).
		w.sysmon = 1
	}
	w.ledger = NewLedger(c)
	w.States = append(w.States, m.Init()[0])
	w.Path = append(w.Path, 0)
	return w, nil
}

// Last is the current state.
func (w *Walk) Last() *spec.State { return &w.States[len(w.States)-1] }

// Len is the number of steps taken.
func (w *Walk) Len() int { return len(w.Acts) }

// Enabled lists the actions enabled in the current state.
func (w *Walk) Enabled() []spec.Action {
	w.buf = w.M.Actions(w.Last(), w.buf[:0])
	return w.buf
}

// Terminal reports whether the run has ended (a throw, a checkdead report,
// or main's exit).
func (w *Walk) Terminal() bool { return w.M.Terminal(w.Last()) }

// Step draws one of the enabled actions that keep accepts (all of them if
// keep is nil) and takes it. It returns false, taking no step, if there is
// none.
func (w *Walk) Step(t *rapid.T, keep func(a spec.Action) bool) bool {
	all := w.Enabled()
	w.idx = w.idx[:0]
	for i, a := range all {
		if keep == nil || keep(a) {
			w.idx = append(w.idx, i)
		}
	}
	if len(w.idx) == 0 {
		return false
	}
	d := w.gen(len(w.idx)).Draw(t, label(w.Len()))
	w.take(w.idx[d.i])
	return true
}

// take takes the i'th enabled action and records it.
func (w *Walk) take(i int) {
	a := w.buf[i]
	next := w.M.Next(w.Last(), a)
	w.States = append(w.States, next)
	w.Acts = append(w.Acts, a)
	w.Path = append(w.Path, i)
}

// drawn is a drawn action index. It prints, in rapid's draw log, as the
// action: GoString is what rapid's %#v calls, and it is only called when
// rapid logs, so the common path formats nothing.
type drawn struct {
	w *Walk
	i int
	n int
}

func (d drawn) GoString() string {
	// rapid logs a draw right after making it, before the walk moves on.
	w := d.w
	if d.i >= len(w.idx) || w.idx[d.i] >= len(w.buf) {
		return fmt.Sprintf("action %d of %d", d.i+1, d.n)
	}
	return fmt.Sprintf("%s (%d of %d)", w.M.FormatAction(w.buf[w.idx[d.i]]), d.i+1, d.n)
}

func (w *Walk) gen(n int) *rapid.Generator[drawn] {
	g := w.gens[n]
	if g == nil {
		g = rapid.Map(rapid.IntRange(0, n-1), func(i int) drawn { return drawn{w, i, n} })
		w.gens[n] = g
	}
	return g
}

// labels caches the draw labels ("step 12"); walks run side by side in
// TestBugSwitches, hence the lock.
var labels struct {
	sync.Mutex
	s []string
}

func label(i int) string {
	labels.Lock()
	defer labels.Unlock()
	for len(labels.s) <= i {
		labels.s = append(labels.s, "step "+strconv.Itoa(len(labels.s)+1))
	}
	return labels.s[i]
}

// CheckInvariants returns the name of the first Always property of the
// spec that the current state violates, or "".
func (w *Walk) CheckInvariants() string {
	s := w.Last()
	for i := range w.always {
		if !w.always[i].Cond(s) {
			return w.always[i].Name
		}
	}
	return ""
}

// StepName names the step M i takes next ("findRunnable.dropP"), or "" if
// the M does not exist.
func (w *Walk) StepName(s *spec.State, i int) string {
	pc := s.M[i].PC
	if !s.M[i].Created || pc == 0 {
		return ""
	}
	return stepNames[pc-1]
}

// stepNames are the spec's step names, indexed by M.PC-1.
var stepNames = func() []string {
	var n []string
	for _, st := range spec.Steps() {
		n = append(n, st.Name)
	}
	return n
}()

// Actor is the M that takes a, or -1 for the environment.
func (w *Walk) Actor(a spec.Action) int {
	if a.Actor == 255 { // spec's actorEnv
		return -1
	}
	return int(a.Actor)
}

// Trace renders the walk for a failure: the workload, how to replay it, one
// line per step (the action and what it changed) and the last state.
func (w *Walk) Trace() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %s\n", w.C)
	fmt.Fprintf(&b, "workload (save as FILE.txt):\n%s\n", indent(FormatWorkload(w.C)))
	fmt.Fprintf(&b, "replay: go run ./cmd/gmpcheck replay -model FILE.txt -path %s\n", checker.FormatPath(w.Path))
	fmt.Fprintf(&b, "trace (%d steps):\n", w.Len())
	for i, a := range w.Acts {
		fmt.Fprintf(&b, "%4d. %-40s %s\n", i+1, w.M.FormatAction(a), w.M.FormatStep(&w.States[i], a, &w.States[i+1]))
	}
	b.WriteString("last state:\n")
	b.WriteString(indent(w.M.FormatState(w.Last())))
	return b.String()
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// Fatalf fails t with the message and the walk's trace.
func (w *Walk) Fatalf(t *rapid.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), w.Trace())
}
