package checker

import (
	"bytes"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// A Trace is a concrete path through a model: States[0] is an initial
// state and States[i+1] = Next(States[i], Actions[i]).
type Trace[S, A any] struct {
	// Path is the replayable form: the initial state's index, then each
	// action's index among the enabled actions.
	Path    []int
	States  []S
	Actions []A
}

// FormatPath joins a path with "/", the form Violation.Path uses.
func FormatPath(path []int) string {
	var b strings.Builder
	for i, x := range path {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}

// ParsePath parses the "0/2/1" form of a path.
func ParsePath(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty path")
	}
	parts := strings.Split(s, "/")
	path := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("path element %d: %q is not an index", i+1, p)
		}
		path[i] = n
	}
	return path, nil
}

// Replay follows path through m and returns the concrete trace. It fails if
// an index is out of range.
func Replay[S, A any](m Model[S, A], path []int) (*Trace[S, A], error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	inits := m.Init()
	if path[0] >= len(inits) {
		return nil, fmt.Errorf("initial state %d out of range: the model has %d", path[0], len(inits))
	}
	t := &Trace[S, A]{Path: append([]int(nil), path...), States: []S{inits[path[0]]}}
	var buf []A
	for i, ai := range path[1:] {
		s := &t.States[len(t.States)-1]
		buf = m.Actions(s, buf[:0])
		if ai >= len(buf) {
			return t, fmt.Errorf("step %d: action index %d out of range: %d actions are enabled", i+1, ai, len(buf))
		}
		a := buf[ai]
		t.States = append(t.States, m.Next(s, a))
		t.Actions = append(t.Actions, a)
	}
	return t, nil
}

// ReplayLabels is Replay with actions named by their FormatAction labels
// instead of indexes; init is the initial state's index.
func ReplayLabels[S, A any](m Model[S, A], init int, labels []string) (*Trace[S, A], error) {
	inits := m.Init()
	if init < 0 || init >= len(inits) {
		return nil, fmt.Errorf("initial state %d out of range: the model has %d", init, len(inits))
	}
	path := []int{init}
	s := inits[init]
	var buf []A
	for i, l := range labels {
		buf = m.Actions(&s, buf[:0])
		found := -1
		for j, a := range buf {
			if m.FormatAction(a) == l {
				found = j
				break
			}
		}
		if found < 0 {
			var en []string
			for _, a := range buf {
				en = append(en, m.FormatAction(a))
			}
			return nil, fmt.Errorf("step %d: %q is not enabled; enabled: %s", i+1, l, strings.Join(en, ", "))
		}
		path = append(path, found)
		s = m.Next(&s, buf[found])
	}
	return Replay(m, path)
}

// Steps renders t as the Step list of a Violation.
func (t *Trace[S, A]) Steps(m Model[S, A]) []Step {
	steps := []Step{{Action: "init", Index: t.Path[0], Process: -1}}
	sf, _ := any(m).(StepFormatter[S, A])
	for i, a := range t.Actions {
		st := Step{Action: m.FormatAction(a), Index: t.Path[i+1], Process: m.Process(a)}
		if sf != nil {
			st.Change = sf.FormatStep(&t.States[i], a, &t.States[i+1])
		}
		steps = append(steps, st)
	}
	return steps
}

// FirstViolation checks t's states against m's Always properties and
// deadlock freedom (unless allowDeadlock), in order, and returns the first
// violation on the trace, truncated to it, or nil.
func (t *Trace[S, A]) FirstViolation(m Model[S, A], allowDeadlock bool) *Violation {
	props := m.Properties()
	term, _ := any(m).(Terminator[S])
	var buf []A
	for i := range t.States {
		s := &t.States[i]
		for _, p := range props {
			if p.Expect == ExpectAlways && !p.Cond(s) {
				return t.violationAt(m, i, p.Name, "always")
			}
		}
		if !allowDeadlock && i == len(t.States)-1 {
			buf = m.Actions(s, buf[:0])
			if len(buf) == 0 && (term == nil || !term.Terminal(s)) {
				return t.violationAt(m, i, "deadlock", "deadlock")
			}
		}
	}
	return nil
}

func (t *Trace[S, A]) violationAt(m Model[S, A], i int, prop, kind string) *Violation {
	u := &Trace[S, A]{Path: t.Path[:i+1], States: t.States[:i+1], Actions: t.Actions[:i]}
	return &Violation{Property: prop, Kind: kind, Path: FormatPath(u.Path), Trace: u.Steps(m), Loop: -1}
}

// CheckLasso checks t as a counterexample to m's liveness property prop
// (an Eventually or LeadsTo property), read as a lasso whose cycle starts at
// States[loop]: the path t, then forever the steps from States[loop] on.
// loop is -1 for a path that ends in a state with no enabled action. It
// returns nil if t is one, the way Check reports them (Violation.Loop is
// loop), and otherwise an error that says what fails:
//
//   - a cycle must close: the last state equals States[loop] (by Encode),
//     and it has at least one step; a path with loop -1 must end in a state
//     where no action is enabled;
//   - the property must be refuted: from some trigger state on (the initial
//     state for Eventually, a state satisfying Trigger for LeadsTo) Cond
//     holds in no state of the path, the cycle included;
//   - the cycle must be weakly fair: every process (Model.Process) with an
//     action enabled in each state of the cycle takes a step in it (for a
//     Waiter, a process that waits in a state counts as enabled there, as
//     in Check).
func (t *Trace[S, A]) CheckLasso(m Model[S, A], prop string, loop int) error {
	var p *Property[S]
	props := m.Properties()
	for i := range props {
		if props[i].Name == prop {
			p = &props[i]
			break
		}
	}
	switch {
	case p == nil:
		return fmt.Errorf("no property %q", prop)
	case p.Expect != ExpectEventually:
		return fmt.Errorf("property %q is %s, not a liveness property", prop, p.Expect)
	case len(t.States) == 0 || len(t.Actions) != len(t.States)-1:
		return fmt.Errorf("malformed trace: %d states, %d actions", len(t.States), len(t.Actions))
	}
	last := len(t.States) - 1
	switch {
	case loop == -1:
		if n := len(m.Actions(&t.States[last], nil)); n > 0 {
			return fmt.Errorf("the path does not end in a dead end: %d actions are enabled in its last state", n)
		}
	case loop < -1 || loop >= last:
		return fmt.Errorf("loop %d out of range: the trace has %d steps", loop, last)
	default:
		if !bytes.Equal(m.Encode(&t.States[loop], nil), m.Encode(&t.States[last], nil)) {
			return fmt.Errorf("the cycle does not close: the last state differs from state %d", loop)
		}
	}

	// Cond fails in States[low:], and in no longer suffix.
	low := len(t.States)
	for low > 0 && !p.Cond(&t.States[low-1]) {
		low--
	}
	if low == len(t.States) {
		return fmt.Errorf("%q holds in the last state", prop)
	}
	if loop >= 0 && loop < low {
		return fmt.Errorf("%q holds in state %d, on the cycle", prop, low-1)
	}
	if p.Trigger == nil {
		if low > 0 {
			return fmt.Errorf("%q holds in state %d", prop, low-1)
		}
	} else {
		trig := -1
		for i := low; i <= last && trig < 0; i++ {
			if p.Trigger(&t.States[i]) {
				trig = i
			}
		}
		switch {
		case trig < 0 && low == 0:
			return fmt.Errorf("no state on the path satisfies the trigger of %q", prop)
		case trig < 0:
			return fmt.Errorf("no state after state %d, where %q holds, satisfies its trigger", low-1, prop)
		}
	}

	if loop < 0 {
		return nil
	}
	// Weak fairness: processes enabled in every state of the cycle must
	// take a step in it.
	waiter, _ := any(m).(Waiter[S])
	var took uint64
	always := ^uint64(0)
	var buf []A
	for i := loop; i < last; i++ {
		took |= 1 << uint(m.Process(t.Actions[i]))
		var here uint64
		buf = m.Actions(&t.States[i], buf[:0])
		for _, a := range buf {
			here |= 1 << uint(m.Process(a))
		}
		if waiter != nil {
			here |= waiter.Waiting(&t.States[i])
		}
		always &= here
	}
	if starved := always &^ took; starved != 0 {
		return fmt.Errorf("the cycle is not weakly fair: process %d is enabled in each of its states and never takes a step", bits.TrailingZeros64(starved))
	}
	return nil
}
