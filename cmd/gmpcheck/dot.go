package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gmpspec/gmpspec/checker"
)

// writeResultDot prints res's counterexample as a Graphviz graph (see
// writeDot); a result without one is a graph with a single note saying so.
func writeResultDot(w io.Writer, t target, res *checker.Result, ro reportOptions) {
	v := res.Violation
	if v == nil || v.Path == "" {
		fmt.Fprintf(w, "digraph trace {\n\tlabel=%s;\n\tlabelloc=t;\n\tnote [shape=note, label=%s];\n}\n",
			dotQuote("model "+t.name), dotQuote(verdictLine(t, res, ro.mode)+"\nno counterexample to draw"))
		return
	}
	steps, states := v.Trace, []string(nil)
	if path, err := checker.ParsePath(v.Path); err == nil {
		if r, err := t.replay(path, ro.noDead); err == nil {
			steps, states = r.steps, r.states
		}
	}
	writeDot(w, t.name, violationTitle(v)+"\nreplay: "+ro.repro+" -path "+v.Path, steps, states, v.Loop)
}

// violationTitle names a violation in a few words.
func violationTitle(v *checker.Violation) string {
	if v.Kind == "deadlock" {
		return "deadlock"
	}
	return fmt.Sprintf("%s (%s) violated", v.Property, v.Kind)
}

// writeDot prints a trace as a Graphviz digraph: one node per state, with
// the model's full rendering of the state if it has one, and one edge per
// step, labelled with the action and what it changed. The last state is
// drawn in red; for a lasso (loop >= 0), a dashed edge from the last state
// to the state the cycle starts at says that it is the same state.
func writeDot(w io.Writer, model, title string, steps []checker.Step, states []string, loop int) {
	fmt.Fprintf(w, "digraph trace {\n")
	fmt.Fprintf(w, "\tlabel=%s;\n\tlabelloc=t;\n", dotQuote("model "+model+": "+title))
	fmt.Fprintf(w, "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n")
	fmt.Fprintf(w, "\tedge [fontname=\"monospace\", fontsize=10];\n")
	last := len(steps) - 1
	for i := range steps {
		label := fmt.Sprintf("state %d", i)
		if i < len(states) {
			label += "\n" + strings.TrimRight(states[i], "\n")
		}
		attr := ""
		if i == last {
			attr = ", color=red, penwidth=2"
		}
		fmt.Fprintf(w, "\ts%d [label=%s%s];\n", i, dotQuote(label), attr)
	}
	for i := 1; i <= last; i++ {
		label := steps[i].Action
		if c := steps[i].Change; c != "" {
			label += "\n" + c
		}
		fmt.Fprintf(w, "\ts%d -> s%d [label=%s];\n", i-1, i, dotQuote(label))
	}
	if loop >= 0 && loop < last {
		fmt.Fprintf(w, "\ts%d -> s%d [style=dashed, label=\"same state: the cycle repeats\"];\n", last, loop)
	}
	fmt.Fprintf(w, "}\n")
}

// dotQuote makes s a DOT string whose lines are left-justified.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\l`)
	return `"` + r.Replace(s) + `\l"`
}
