package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// The text reports are deterministic apart from the timing statistics
// (elapsed, states/s): map keys are sorted, and nothing prints a timestamp
// or a pointer.

// runMode says what kind of run a report is about.
type runMode int

const (
	modeCheck    runMode = iota // exhaustive: "holds" means holds
	modeSimulate                // random walks: only violations are definite
)

// reportOptions are what a text report needs besides the result.
type reportOptions struct {
	mode      runMode
	repro     string // the replay command, without -path
	noDead    bool   // deadlock detection was off
	allStates bool   // print every state of a trace
}

// writeReport prints res as text.
func writeReport(w io.Writer, t target, res *checker.Result, ro reportOptions) {
	fmt.Fprintf(w, "verdict     %s\n", verdictLine(t, res, ro.mode))

	fmt.Fprintf(w, "\nstatistics\n")
	stats := [][2]string{
		{"distinct states", fmt.Sprint(res.DistinctStates)},
		{"generated states", fmt.Sprint(res.GeneratedStates)},
		{"depth", fmt.Sprint(res.Depth)},
		{"max queue", fmt.Sprint(res.MaxQueue)},
		{"states/s", fmt.Sprintf("%.0f", finite(res.StatesPerSecond))},
		{"bytes/state", fmt.Sprintf("%.1f", finite(res.BytesPerState))},
		{"workers", fmt.Sprint(res.Workers)},
		{"symmetry", onOff(res.Symmetry)},
		{"collision probability", fmt.Sprintf("%.3g", finite(res.CollisionProbability))},
		{"elapsed", fmt.Sprintf("%.3fs", finite(res.Seconds))},
	}
	if res.HashSeed != 0 {
		stats = append(stats, [2]string{"hash seed", fmt.Sprint(res.HashSeed)})
	}
	if res.LivenessStates > 0 {
		stats = append(stats, [2]string{"liveness graph states", fmt.Sprint(res.LivenessStates)})
	}
	if ro.mode == modeSimulate {
		stats = slices.DeleteFunc(stats, func(kv [2]string) bool {
			return kv[0] == "collision probability" || kv[0] == "bytes/state" || kv[0] == "max queue"
		})
	}
	writeTable(w, "  ", stats)

	fmt.Fprintf(w, "\nproperties\n")
	var rows [][3]string
	for _, p := range t.properties {
		rows = append(rows, [3]string{p.kind, p.name, propStatus(res, p, ro.mode)})
	}
	dead := propInfo{name: "deadlock", kind: "deadlock"}
	deadStatus := propStatus(res, dead, ro.mode)
	if ro.noDead {
		deadStatus = "not checked (-no-deadlock)"
	}
	rows = append(rows, [3]string{"deadlock", "(a state with no enabled action)", deadStatus})
	writeTable3(w, "  ", rows)

	fmt.Fprintf(w, "\ncoverage (times each action kind fired)\n")
	var cov [][3]string
	for _, k := range sortedKeys(res.Coverage) {
		note := ""
		if res.Coverage[k] == 0 {
			note = "never fired"
		}
		cov = append(cov, [3]string{k, fmt.Sprint(res.Coverage[k]), note})
	}
	if len(cov) == 0 {
		fmt.Fprintf(w, "  (none)\n")
	}
	writeTable3(w, "  ", cov)

	if v := res.Violation; v != nil {
		fmt.Fprintf(w, "\nviolation\n")
		fmt.Fprintf(w, "  property  %s (%s)\n", v.Property, v.Kind)
		if v.Path == "" {
			fmt.Fprintf(w, "  trace     none: no reachable state satisfies it\n")
			return
		}
		fmt.Fprintf(w, "  trace     %d states, path %s\n", len(v.Trace), v.Path)
		switch {
		case v.Kind == "eventually":
		case v.FewestSwitches:
			fmt.Fprintf(w, "  switches  %d: no shortest trace switches between threads less often\n", v.Switches)
		default:
			fmt.Fprintf(w, "  switches  %d (too many states to look for a shortest trace with fewer)\n", v.Switches)
		}
		fmt.Fprintln(w)
		writeViolationTrace(w, t, v, ro)
		fmt.Fprintf(w, "\nto reproduce:\n  %s -path %s\n", ro.repro, v.Path)
	}
}

// verdictLine says in one line what a run found.
func verdictLine(t target, res *checker.Result, mode runMode) string {
	switch res.Verdict {
	case checker.VerdictOK:
		return fmt.Sprintf("ok: all %d properties hold; the state space was exhausted", len(t.properties))
	case checker.VerdictViolation:
		if v := res.Violation; v != nil {
			switch v.Kind {
			case "deadlock":
				return "violation: deadlock"
			case "sometimes":
				return fmt.Sprintf("violation: %s (sometimes) is never reached", v.Property)
			}
			return fmt.Sprintf("violation: %s (%s)", v.Property, v.Kind)
		}
		return "violation"
	case checker.VerdictIncomplete:
		why := res.Incomplete
		if why == "" {
			why = "stopped early"
		}
		if mode == modeSimulate {
			if why == "simulation" {
				return "no violation found (random walks are not exhaustive)"
			}
			if why == "swarm" {
				return "no violation found (a swarm is not exhaustive)"
			}
			return fmt.Sprintf("incomplete (%s): no violation found", why)
		}
		return fmt.Sprintf("incomplete (%s): no violation in the %d states explored", why, res.DistinctStates)
	}
	return fmt.Sprintf("unknown verdict %q", res.Verdict)
}

// propStatus says what res found about p.
func propStatus(res *checker.Result, p propInfo, mode runMode) string {
	v := res.Violation
	if v != nil && v.Property == p.name && (p.kind == "deadlock") == (v.Kind == "deadlock") {
		return "VIOLATED"
	}
	if p.kind == "sometimes" {
		if ex, ok := res.Examples[p.name]; ok {
			return "reached, example " + ex
		}
	}
	if mode == modeSimulate {
		switch p.kind {
		case "eventually":
			return "not checked (simulation checks always properties and deadlock)"
		case "sometimes":
			return "not reached"
		}
		return "no violation found"
	}
	switch res.Verdict {
	case checker.VerdictOK:
		return "holds"
	case checker.VerdictViolation:
		// Sometimes properties are decided once the state space is
		// exhausted, and liveness is checked only after that, so those
		// violations leave the safety properties decided.
		if v != nil && (v.Kind == "sometimes" || v.Kind == "eventually") {
			switch p.kind {
			case "always", "deadlock":
				return "holds"
			case "sometimes":
				return "VIOLATED: no reachable state satisfies it"
			}
		}
		return "undecided: the check stopped at the violation"
	}
	if strings.HasPrefix(res.Incomplete, "liveness: ") {
		// The safety search was exhausted before the liveness phase
		// hit its bound: the safety properties are decided (and every
		// Sometimes property was reached, or the run would have ended
		// with its violation before the liveness phase).
		switch p.kind {
		case "always", "deadlock":
			return "holds"
		case "eventually":
			return "undecided: the liveness phase stopped (" + strings.TrimPrefix(res.Incomplete, "liveness: ") + ")"
		}
	}
	return "undecided: the check is incomplete"
}

// writeViolationTrace prints v's trace, with full states read from a replay
// of its path. If the path does not replay (which would be a checker bug),
// it prints the checker's steps alone.
func writeViolationTrace(w io.Writer, t target, v *checker.Violation, ro reportOptions) {
	tv := traceView{steps: v.Trace, loop: v.Loop, mark: len(v.Trace) - 1, allStates: ro.allStates}
	path, err := checker.ParsePath(v.Path)
	if err == nil {
		var r *replayed
		if r, err = t.replay(path, ro.noDead); err == nil {
			tv.steps, tv.states = r.steps, r.states
		}
	}
	if err != nil {
		fmt.Fprintf(w, "  (the path does not replay: %v)\n", err)
	}
	writeTrace(w, tv)
}

// traceView is a trace as printed.
type traceView struct {
	steps  []checker.Step
	states []string // FormatState of each step's state, or nil
	// loop is the index of the state where a lasso's cycle starts, or -1.
	loop int
	// mark is the index of the violating state, or -1.
	mark      int
	markNote  string // appended to the marked step's line
	allStates bool
}

// writeTrace prints one line per step, "  3. p1 tas    p1: try -> cs",
// and the full state (if the model formats states) under the first and last
// steps, the marked and loop steps, and, with allStates, every step.
func writeTrace(w io.Writer, tv traceView) {
	numW := len(fmt.Sprint(len(tv.steps) - 1))
	actW := 0
	for _, st := range tv.steps {
		actW = max(actW, len(st.Action))
	}
	indent := strings.Repeat(" ", 2+numW+2) // under the action
	for i, st := range tv.steps {
		line := fmt.Sprintf("  %*d. %-*s  %s", numW, i, actW, st.Action, st.Change)
		if i == tv.mark && tv.markNote != "" {
			line += "  <- " + tv.markNote
		}
		if i == tv.loop {
			line += "  <- the cycle starts here"
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		show := tv.allStates || i == 0 || i == tv.mark || i == tv.loop || i == len(tv.steps)-1
		if i < len(tv.states) && show {
			for _, l := range strings.Split(strings.TrimRight(tv.states[i], "\n"), "\n") {
				fmt.Fprintf(w, "%s%s\n", indent, l)
			}
		}
	}
	if tv.loop >= 0 && tv.loop < len(tv.steps) {
		fmt.Fprintf(w, "  (the last step returns to state %d: the cycle repeats forever)\n", tv.loop)
	}
}

// writeJSON prints v as indented JSON, leaving <, > and & unescaped so that
// changes such as "p0: ncs -> try" stay readable.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonSafe returns a copy of res whose float statistics are finite, since
// encoding/json rejects NaN and infinities (as a rate over a zero duration
// might be).
func jsonSafe(res *checker.Result) *checker.Result {
	c := *res
	c.Seconds = finite(c.Seconds)
	c.StatesPerSecond = finite(c.StatesPerSecond)
	c.BytesPerState = finite(c.BytesPerState)
	c.CollisionProbability = finite(c.CollisionProbability)
	return &c
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeTable prints rows of two aligned columns.
func writeTable(w io.Writer, indent string, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s%-*s  %s\n", indent, width, r[0], r[1])
	}
}

// writeTable3 prints rows of three aligned columns.
func writeTable3(w io.Writer, indent string, rows [][3]string) {
	w0, w1 := 0, 0
	for _, r := range rows {
		w0, w1 = max(w0, len(r[0])), max(w1, len(r[1]))
	}
	for _, r := range rows {
		line := fmt.Sprintf("%s%-*s  %-*s  %s", indent, w0, r[0], w1, r[1], r[2])
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}
