package checker

import (
	"fmt"
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
