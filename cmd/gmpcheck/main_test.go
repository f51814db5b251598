package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

// gmpcheck runs the CLI in-process and returns its exit code and output.
func gmpcheck(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// racyPathLen is the length of the shortest counterexample to
// mutual-exclusion in mutex-racy: both processes request, load and store.
const racyPathLen = 1 + 6

// traceLineRE matches a step line of a printed trace, "  3. p1 tas ...".
var traceLineRE = regexp.MustCompile(`(?m)^ +\d+\. `)

// reproRE matches the reproduction line of a report.
var reproRE = regexp.MustCompile(`(?m)^  go run \./cmd/gmpcheck (replay .*)$`)

func TestDefaultCheckHolds(t *testing.T) {
	for _, args := range [][]string{{"-model", "mutex"}, {"check", "-model", "mutex"}, {"-workers", "1", "-model", "mutex"}} {
		code, out, errOut := gmpcheck(t, args...)
		if code != exitOK {
			t.Fatalf("gmpcheck %q: exit %d, want 0\n%s%s", args, code, out, errOut)
		}
		if errOut != "" {
			t.Errorf("gmpcheck %q: stderr %q, want none", args, errOut)
		}
		for _, want := range []string{
			"model       mutex:",
			"verdict     ok: all 4 properties hold",
			"distinct states        8\n",
			"mutual-exclusion                  holds",
			"critical-section-reachable        reached, example ",
			"try-leads-to-critical-section     holds",
			"coverage",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("gmpcheck %q: output lacks %q:\n%s", args, want, out)
			}
		}
	}
}

// TestStateCounts pins the example models' state spaces (STYLE.md rule 8).
func TestStateCounts(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		distinct int64
	}{
		{[]string{"-model", "mutex"}, 8},
		{[]string{"-model", "mutex", "-symmetry"}, 5},
		{[]string{"-model", "mutex3"}, 20},
		{[]string{"-model", "mutex3", "-symmetry"}, 7},
	} {
		code, out, errOut := gmpcheck(t, append(tc.args, "-json", "-workers", "1")...)
		if code != exitOK {
			t.Fatalf("%q: exit %d\n%s%s", tc.args, code, out, errOut)
		}
		var res checker.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if res.DistinctStates != tc.distinct {
			t.Errorf("%q: %d distinct states, want %d", tc.args, res.DistinctStates, tc.distinct)
		}
	}
}

func TestViolationTraceAndReplay(t *testing.T) {
	code, out, errOut := gmpcheck(t, "check", "-model", "mutex-racy")
	if code != exitViolation {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"verdict     violation: mutual-exclusion (always)",
		"property  mutual-exclusion (always)",
		"lock=true p0=cs p1=cs", // the full state at the violation
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := len(traceLineRE.FindAllString(out, -1)); n != racyPathLen {
		t.Errorf("trace has %d steps, want %d:\n%s", n, racyPathLen, out)
	}

	m := reproRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no reproduction line in:\n%s", out)
	}
	args := strings.Fields(m[1])
	code, rout, rerr := gmpcheck(t, args...)
	if code != exitViolation {
		t.Fatalf("%s: exit %d, want 1\n%s%s", m[1], code, rout, rerr)
	}
	if want := "violation: mutual-exclusion (always) at state 6,"; !strings.Contains(rout, want) {
		t.Errorf("%s: output lacks %q:\n%s", m[1], want, rout)
	}
	if n := len(traceLineRE.FindAllString(rout, -1)); n != racyPathLen {
		t.Errorf("%s: replayed trace has %d steps, want %d", m[1], n, racyPathLen)
	}

	// The report itself, saved to a file, replays: its reproduction line
	// names the model and the path.
	file := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, rout, rerr := gmpcheck(t, "replay", file); code != exitViolation {
		t.Errorf("replay %s: exit %d, want 1\n%s%s", file, code, rout, rerr)
	}
}

func TestViolationSameForAnyWorkers(t *testing.T) {
	var paths []string
	for _, w := range []string{"1", "2", "4"} {
		code, out, _ := gmpcheck(t, "-model", "mutex-racy", "-json", "-workers", w)
		if code != exitViolation {
			t.Fatalf("-workers %s: exit %d, want 1", w, code)
		}
		var res checker.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, res.Violation.Path)
	}
	if paths[0] != paths[1] || paths[0] != paths[2] {
		t.Errorf("counterexample paths differ by worker count: %q", paths)
	}
}

func TestJSON(t *testing.T) {
	code, out, errOut := gmpcheck(t, "check", "-json", "-workers", "1", "-model", "mutex")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	// Exactly one JSON object on stdout, with the documented fields.
	dec := json.NewDecoder(strings.NewReader(out))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("stdout has more than one JSON value:\n%s", out)
	}
	for _, k := range []string{
		"verdict", "distinct_states", "generated_states", "depth", "max_queue", "seconds",
		"states_per_second", "bytes_per_state", "workers", "symmetry", "collision_probability",
		"properties", "coverage", "examples",
	} {
		if _, ok := fields[k]; !ok {
			t.Errorf("JSON lacks %q:\n%s", k, out)
		}
	}
	var res checker.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != checker.VerdictOK || res.Workers != 1 || res.DistinctStates != 8 || res.Violation != nil {
		t.Errorf("result: %+v", res)
	}
	if want := []string{"mutual-exclusion", "critical-section-reachable", "contention-reachable", "try-leads-to-critical-section"}; strings.Join(res.Properties, ",") != strings.Join(want, ",") {
		t.Errorf("properties %q, want %q", res.Properties, want)
	}
	if len(res.Coverage) != 3 || res.Coverage["tas"] == 0 {
		t.Errorf("coverage %v", res.Coverage)
	}

	// A violation in JSON, replayed from the saved file.
	code, out, _ = gmpcheck(t, "-model", "mutex-racy", "-json")
	if code != exitViolation {
		t.Fatalf("mutex-racy -json: exit %d, want 1", code)
	}
	res = checker.Result{}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	v := res.Violation
	if res.Verdict != checker.VerdictViolation || v == nil || v.Property != "mutual-exclusion" || v.Kind != "always" || len(v.Trace) != racyPathLen || v.Loop != -1 {
		t.Fatalf("violation: %+v", v)
	}
	file := filepath.Join(t.TempDir(), "result.json")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, rout, rerr := gmpcheck(t, "replay", "-model", "mutex-racy", "-format", "json", file)
	if code != exitViolation {
		t.Fatalf("replay %s: exit %d, want 1\n%s%s", file, code, rout, rerr)
	}
	var rj replayJSON
	if err := json.Unmarshal([]byte(rout), &rj); err != nil {
		t.Fatal(err)
	}
	if rj.Violation == nil || rj.Violation.Path != v.Path || len(rj.Violation.Trace) != len(v.Trace) {
		t.Errorf("replayed violation %+v, want path %s", rj.Violation, v.Path)
	}
	for i := range v.Trace {
		if rj.Violation.Trace[i] != v.Trace[i] {
			t.Errorf("step %d: replayed %+v, checked %+v", i, rj.Violation.Trace[i], v.Trace[i])
		}
	}
}

func TestLivenessViolation(t *testing.T) {
	code, out, errOut := gmpcheck(t, "-model", "mutex-leaky", "-json")
	if code != exitViolation {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	var res checker.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	v := res.Violation
	if v == nil || v.Kind != "eventually" || v.Property != "try-leads-to-critical-section" || v.Loop < 0 {
		t.Fatalf("violation %+v", v)
	}
	code, rout, _ := gmpcheck(t, "replay", "-model", "mutex-leaky", "-path", v.Path)
	if code != exitViolation || !strings.Contains(rout, "the cycle starts here") {
		t.Errorf("replay -path %s: exit %d, want 1 and a cycle:\n%s", v.Path, code, rout)
	}

	// p0 spins while p1 could request but never does: the cycle is not
	// weakly fair, so it is no counterexample.
	code, rout, _ = gmpcheck(t, "replay", "-model", "mutex-leaky", "-path", "0/0/0/0/0/0")
	if code != exitOK {
		t.Errorf("unfair cycle: exit %d, want 0:\n%s", code, rout)
	}
}

func TestIncomplete(t *testing.T) {
	for _, args := range [][]string{
		{"-max-states", "5", "-model", "mutex"},
		{"-max-depth", "1", "-model", "mutex"},
		{"-max-states", "5000"}, // the default scheduler model
	} {
		code, out, errOut := gmpcheck(t, args...)
		if code != exitIncomplete {
			t.Errorf("%q: exit %d, want 3\n%s%s", args, code, out, errOut)
		}
		if !strings.Contains(out, "verdict     incomplete (") {
			t.Errorf("%q: no incomplete verdict:\n%s", args, out)
		}
	}
	code, out, _ := gmpcheck(t, "-max-states", "5", "-json", "-model", "mutex")
	var res checker.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitIncomplete || res.Verdict != checker.VerdictIncomplete || res.Incomplete == "" {
		t.Errorf("-max-states 5 -json: exit %d, %+v, %v", code, res, err)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the message
	}{
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"check", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"-model", "nope"}, `unknown model "nope"`},
		{[]string{"check", "stray"}, `unexpected argument "stray"`},
		{[]string{"-time", "soon"}, `invalid value "soon" for flag -time`},
		{[]string{"-time", "-1s"}, "negative duration"},
		{[]string{"-mem", "4XB"}, `unknown unit "XB"`},
		{[]string{"-mem", "lots"}, `invalid value "lots" for flag -mem`},
		{[]string{"-workers", "-2"}, "-workers -2 is negative"},
		{[]string{"-max-states", "x"}, `invalid value "x" for flag -max-states`},
		{[]string{"simulate", "-walks", "0"}, "-walks 0"},
		{[]string{"replay"}, "no path"},
		{[]string{"replay", "-path", "0/x/1"}, `bad path "0/x/1"`},
		{[]string{"replay", "-path", "0/7"}, "action index 7 out of range"},
		{[]string{"replay", "-path", "3"}, "initial state 3 out of range"},
		{[]string{"replay", "-path", "0", "-format", "xml"}, `-format "xml"`},
		{[]string{"check", "-format", "xml"}, `-format "xml": want text, json, dot or html`},
		{[]string{"check", "-json", "-format", "dot"}, "-json and -format dot disagree"},
		{[]string{"simulate", "-format", "yaml"}, `-format "yaml"`},
		{[]string{"check", "-model", "mutex", "-bug", "x"}, `model "mutex" is not a scheduler model: -bug applies`},
		{[]string{"check", "-model", "sched", "-workload", "a.txt"}, "give -model or -workload, not both"},
		{[]string{"check", "-workload", "a.go"}, `-workload "a.go": want a workload file NAME.txt`},
		{[]string{"check", "-gomaxprocs", "0"}, "-gomaxprocs 0: want at least 1"},
		{[]string{"check", "-gomaxprocs", "9"}, "gomaxprocs 9: must be 1..8"},
		{[]string{"check", "-runq", "3"}, "runq 3: must be even"},
		{[]string{"check", "-features", "sysmon,gc"}, `features: unknown feature "gc" (known: sysmon netpoll forcegc timers stw gcwork locked)`},
		{[]string{"check", "-features", "none"}, "netwait needs the netpoll feature"},
		{[]string{"check", "-bug", "nope"}, `unknown bug switch "nope"`},
		{[]string{"check", "-profile", "go1.99"}, `profile "go1.99"`},
		{[]string{"check", "-model", "sched[ms=x]"}, `ms="x": want a positive number`},
		{[]string{"replay", "-path", "0", "-model", "mutex", "-live"}, "-live applies to scheduler models only"},
		{[]string{"replay", "/does/not/exist"}, "no such file"},
		{[]string{"replay", "-path", "0", "extra"}, "not both"},
		{[]string{"list", "x"}, `unexpected argument "x"`},
		{[]string{"help", "frob"}, `unknown command "frob"`},
	} {
		code, out, errOut := gmpcheck(t, tc.args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want 2", tc.args, code)
		}
		if out != "" {
			t.Errorf("%q: stdout %q, want none", tc.args, out)
		}
		if !strings.HasPrefix(errOut, "gmpcheck: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: stderr %q, want one line \"gmpcheck: ...%s...\"", tc.args, errOut, tc.want)
		}
	}
}

func TestReplayClean(t *testing.T) {
	code, out, _ := gmpcheck(t, "replay", "-path", "0/0/0")
	if code != exitOK || !strings.Contains(out, "no violation on this path") {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
	// A violation before the end of the path is reported where it happens.
	code, out, _ = gmpcheck(t, "replay", "-model", "mutex-racy", "-path", "0/0/0/1/1/0/1/1", "-states")
	if code != exitViolation || !strings.Contains(out, "at state 6,") || !strings.Contains(out, "<- mutual-exclusion violated") {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
}

func TestSimulate(t *testing.T) {
	code, out, errOut := gmpcheck(t, "simulate", "-walks", "20", "-steps", "50")
	if code != exitOK {
		t.Errorf("default model: exit %d, want 0\n%s%s", code, out, errOut)
	}
	code, out, _ = gmpcheck(t, "simulate", "-model", "mutex-racy", "-seed", "3")
	if code != exitViolation || reproRE.FindString(out) == "" {
		t.Errorf("mutex-racy: exit %d, want 1 and a reproduction line\n%s", code, out)
	}
	// Same seed, same walks.
	_, out1, _ := gmpcheck(t, "simulate", "-model", "mutex-racy", "-seed", "3", "-json")
	_, out2, _ := gmpcheck(t, "simulate", "-model", "mutex-racy", "-seed", "3", "-json")
	var r1, r2 checker.Result
	if json.Unmarshal([]byte(out1), &r1) != nil || json.Unmarshal([]byte(out2), &r2) != nil || r1.Violation == nil || r1.Violation.Path != r2.Violation.Path {
		t.Errorf("simulate -seed 3 is not reproducible:\n%s\n%s", out1, out2)
	}
	// An interrupted simulation is incomplete.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	if code := runContext(ctx, []string{"simulate"}, &o, &e); code != exitIncomplete {
		t.Errorf("cancelled: exit %d, want 3\n%s%s", code, o.String(), e.String())
	}
}

func TestHelpAndList(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}} {
		code, out, _ := gmpcheck(t, args...)
		if code != exitOK || !strings.Contains(out, "exit status:") || !strings.Contains(out, "go run ./cmd/gmpcheck replay") {
			t.Errorf("%q: exit %d:\n%s", args, code, out)
		}
	}
	for _, c := range []string{"check", "simulate", "replay", "list"} {
		code, out, _ := gmpcheck(t, "help", c)
		if code != exitOK || !strings.HasPrefix(out, "usage: gmpcheck ") {
			t.Errorf("help %s: exit %d:\n%s", c, code, out)
		}
		code, out2, _ := gmpcheck(t, c, "-h")
		if code != exitOK || out2 != out {
			t.Errorf("%s -h: exit %d, differs from help %s:\n%s", c, code, c, out2)
		}
	}
	code, out, _ := gmpcheck(t, "list")
	if code != exitOK || !strings.HasPrefix(out, "sched (default)\n") || !strings.Contains(out, "mutex-racy\n") {
		t.Errorf("list: exit %d:\n%s", code, out)
	}
}

func TestUnreachedSometimesReport(t *testing.T) {
	// The checker reports an unreached Sometimes property without a
	// trace; the report must say so rather than print a replay line.
	tg, err := lookupTarget("mutex")
	if err != nil {
		t.Fatal(err)
	}
	res := &checker.Result{
		Verdict:    checker.VerdictViolation,
		Properties: []string{"mutual-exclusion"},
		Coverage:   map[string]int64{"tas": 0, "request": 1},
		Violation:  &checker.Violation{Property: "contention-reachable", Kind: "sometimes", Loop: -1},
	}
	var b bytes.Buffer
	writeReport(&b, tg, res, reportOptions{repro: reproCommand("mutex", false)})
	out := b.String()
	for _, want := range []string{
		"contention-reachable (sometimes) is never reached",
		"trace     none: no reachable state satisfies it",
		"mutual-exclusion                  holds",
		"tas      0  never fired",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if reproRE.MatchString(out) {
		t.Errorf("report has a replay line without a path:\n%s", out)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{
		"0": 0, "1000": 1000, "512B": 512, "4GiB": 4 << 30, "4gib": 4 << 30,
		"1.5GB": 1500000000, "2MiB": 2 << 20, "3 KB": 3000, "1TiB": 1 << 40,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "GiB", "4 GiBs", "1e9", "99999999999TiB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestPathFromFile(t *testing.T) {
	for _, tc := range []struct{ in, path, model, config string }{
		{"0/2/1\n", "0/2/1", "", ""},
		{"# comment\n\n  0/2/1  \n", "0/2/1", "", ""},
		{"to reproduce:\n  go run ./cmd/gmpcheck replay -model mutex-racy -path 0/1\n", "0/1", "mutex-racy", ""},
		{"# replay:   go run ./cmd/gmpcheck replay -config=p2m2g1 -path=0/2/0/1/3/0\n", "0/2/0/1/3/0", "", ""},
		{`{"property": "x", "path": "0/3"}`, "0/3", "", ""},
		{`{"verdict": "violation", "violation": {"path": "0/4/1"}}`, "0/4/1", "", ""},
		{`{"model": "mutex-racy", "verdict": "violation", "violation": {"path": "0/4/1"}}`, "0/4/1", "mutex-racy", ""},
		// A quoted model spec with '/' and '[', and the report's config line.
		{"model       x\nconfig      pingpong: GOMAXPROCS=2 programs=00000001\nto reproduce:\n  go run ./cmd/gmpcheck replay -model 'testdata/workloads/pingpong.txt[bug=no-runq-recheck]' -path 0/1/2\n",
			"0/1/2", "testdata/workloads/pingpong.txt[bug=no-runq-recheck]", "pingpong: GOMAXPROCS=2 programs=00000001"},
		{"# replay:     go run ./cmd/gmpcheck replay -model 'testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]' -path 0/0/1\n",
			"0/0/1", "testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]", ""},
	} {
		s, err := pathFromFile([]byte(tc.in))
		if err != nil || s.path != tc.path || s.model != tc.model || s.config != tc.config {
			t.Errorf("pathFromFile(%q) = %+v, %v; want %q, %q, %q", tc.in, s, err, tc.path, tc.model, tc.config)
		}
	}
	for _, in := range []string{"", "nothing here\n", `{"verdict": "ok"}`, `{"path": `} {
		if s, err := pathFromFile([]byte(in)); err == nil {
			t.Errorf("pathFromFile(%q) = %+v, want an error", in, s)
		}
	}
}

// TestReplaySavedReports: replay of a saved report, text or JSON, replays
// the report's own model, and refuses another one, saying what differs.
// (Issue 16: check -json wrote no model, and the text report's quoted model
// spec was cut at ' and /, so both replayed the default model.)
func TestReplaySavedReports(t *testing.T) {
	dir := t.TempDir()
	save := func(name string, args ...string) string {
		code, out, errOut := gmpcheck(t, args...)
		if code != exitViolation {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, errOut)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(out), 0o644)
		return path
	}
	jsonRep := save("r.json", "check", "-model", "mutex-racy", "-json")
	textRep := save("t.txt", "check", "-workload", "../../testdata/workloads/pingpong.txt", "-bug", "no-runq-recheck")
	for _, rep := range []struct{ file, want string }{
		{jsonRep, "violation: mutual-exclusion"},
		{textRep, "violation: work-conservation"},
	} {
		code, out, errOut := gmpcheck(t, "replay", rep.file)
		if code != exitViolation || !strings.Contains(out, rep.want) {
			t.Errorf("replay %s: exit %d, want 1 and %q\n%s%s", rep.file, code, rep.want, out, errOut)
		}
	}
	// The same path on another model: refused, with the difference.
	code, _, errOut := gmpcheck(t, "replay", "-model", "../../testdata/workloads/pingpong.txt", textRep)
	if code != exitUsage || !strings.Contains(errOut, "they differ in bugs") {
		t.Errorf("replay on another model: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = gmpcheck(t, "replay", "-model", "mutex", jsonRep)
	if code != exitUsage || !strings.Contains(errOut, "the path is of model mutex-racy, not of mutex") {
		t.Errorf("replay json on another model: exit %d, stderr %q", code, errOut)
	}
}

// The scheduler commands: invariants lists properties with sources, bugs
// lists the switches, and a bug switch in a model spec is caught with a
// replayable trace.
func TestSchedCommands(t *testing.T) {
	code, out, errOut := gmpcheck(t, "invariants")
	if code != exitOK || !strings.Contains(out, "throw-no-double-wakeup") || !strings.Contains(out, "lock_futex.go:28-31") {
		t.Errorf("invariants: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = gmpcheck(t, "bugs", "-json")
	var bugs []struct{ Name, Source string }
	if err := json.Unmarshal([]byte(out), &bugs); code != exitOK || err != nil || len(bugs) < 8 {
		t.Errorf("bugs -json: exit %d, %v\n%s", code, err, out)
	}
	model := "../../testdata/workloads/pingpong.txt[bug=no-runq-recheck]"
	code, out, errOut = gmpcheck(t, "check", "-model", model)
	if code != exitViolation || !strings.Contains(out, "verdict     violation: work-conservation") {
		t.Fatalf("check %s: exit %d\n%s%s", model, code, out, errOut)
	}
	m := reproRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no reproduction line:\n%s", out)
	}
	if !strings.Contains(m[1], "'"+model+"'") {
		t.Errorf("reproduction does not quote the model spec: %s", m[1])
	}
	code, _, errOut = gmpcheck(t, "check", "-model", "../../testdata/workloads/pingpong.txt[bug=nope]")
	if code != exitUsage || !strings.Contains(errOut, "unknown bug switch") {
		t.Errorf("bad bug: exit %d %s", code, errOut)
	}
	code, _, errOut = gmpcheck(t, "check", "-model", "../../testdata/workloads/missing.txt")
	if code != exitUsage {
		t.Errorf("missing workload: exit %d %s", code, errOut)
	}
}

// bugs -verify checks every switch in its workload; the JSON rows carry
// the fields the issue names, and the switches the spec's own tests find
// are found here too.
func TestBugsVerify(t *testing.T) {
	t.Chdir("../..")
	code, out, errOut := gmpcheck(t, "bugs", "-verify", "-json", "-max-states", "2000000")
	// Every switch is found within 2,000,000 states (the liveness ones on
	// the quotient graph): exit 0. All but two are found within 200,000;
	// handoffp-no-gcstop needs 1,871,556 (three Ps and sysmon) and
	// safepoint-wakes-early 395,343.
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	found := map[string]bool{}
	for _, r := range rows {
		for _, k := range []string{"name", "source", "expected_property", "found", "property", "trace_length", "distinct_states", "seconds"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row %v lacks %q", r["name"], k)
			}
		}
		found[r["name"].(string)] = r["found"].(bool)
		if st := r["status"].(string); st != "found" {
			t.Errorf("%s: status %q", r["name"], st)
		}
	}
	for _, name := range []string{"no-mreserveid", "allocm-ready", "no-runq-recheck", "no-timer-recheck", "resetspinning-twice", "wakep-no-undo", "gopark-unlock-first", "checkdead-no-nmsys"} {
		if !found[name] {
			t.Errorf("%s not found", name)
		}
	}
}

// TestBugsVerifyInterrupted: an interrupt leaves the switch being checked
// incomplete and the rest not run, says so on stderr and exits 3 (issue 16:
// it showed "found: no", left the rest out and exited 1 silently).
func TestBugsVerifyInterrupted(t *testing.T) {
	t.Chdir("../..")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var out, errOut bytes.Buffer
	code := runContext(ctx, []string{"bugs", "-verify", "-json"}, &out, &errOut)
	if code != exitIncomplete || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	var rows []struct{ Name, Status string }
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, r := range rows {
		statuses[strings.SplitN(r.Status, ":", 2)[0]]++
	}
	if len(rows) != len(spec.Bugs()) || statuses["not run"] == 0 || statuses["not found"] != 0 {
		t.Errorf("%d rows, statuses %v", len(rows), statuses)
	}
}

// TestDot: -format dot draws the counterexample, one node per state and one
// edge per step, the violating state in red; check and replay agree, and a
// run without a counterexample says so in a note.
func TestDot(t *testing.T) {
	code, out, errOut := gmpcheck(t, "check", "-model", "mutex-racy", "-format", "dot")
	if code != exitViolation {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.HasPrefix(out, "digraph trace {\n") || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("not a digraph:\n%s", out)
	}
	edgeRE := regexp.MustCompile(`(?m)^\ts\d+ -> s\d+ `)
	if n := len(edgeRE.FindAllString(out, -1)); n != racyPathLen-1 {
		t.Errorf("%d edges, want %d:\n%s", n, racyPathLen-1, out)
	}
	if n := regexp.MustCompile(`(?m)^\ts\d+ \[label=`).FindAllString(out, -1); len(n) != racyPathLen {
		t.Errorf("%d nodes, want %d:\n%s", len(n), racyPathLen, out)
	}
	for _, want := range []string{"mutual-exclusion (always) violated", "s6 [label=", "color=red", "lock=true p0=cs p1=cs"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`-path ([0-9/]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no replay path in:\n%s", out)
	}
	code, rout, _ := gmpcheck(t, "replay", "-model", "mutex-racy", "-path", m[1], "-format", "dot")
	if code != exitViolation || len(edgeRE.FindAllString(rout, -1)) != racyPathLen-1 || !strings.Contains(rout, "color=red") {
		t.Errorf("replay -format dot: exit %d:\n%s", code, rout)
	}
	code, out, _ = gmpcheck(t, "check", "-model", "mutex", "-format", "dot")
	if code != exitOK || !strings.Contains(out, "no counterexample to draw") || edgeRE.MatchString(out) {
		t.Errorf("clean model: exit %d:\n%s", code, out)
	}
}

// TestFewestSwitches: the scheduler counterexample is reported with its
// number of thread switches, the fewest of any shortest trace.
func TestFewestSwitches(t *testing.T) {
	t.Chdir("../..")
	code, out, errOut := gmpcheck(t, "check", "-model", "testdata/workloads/allocm.txt[bug=allocm-ready]")
	if code != exitViolation {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if want := "  switches  1: no shortest trace switches between threads less often\n"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	code, out, _ = gmpcheck(t, "check", "-model", "testdata/workloads/allocm.txt[bug=allocm-ready]", "-json")
	var res checker.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitViolation {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if v := res.Violation; v == nil || v.Switches != 1 || !v.FewestSwitches || len(v.Trace) != 13 {
		t.Errorf("violation %+v: want 13 steps, 1 switch, fewest", v)
	}
}

// TestConfigFlags: the configuration flags name the same model as a model
// spec, and the reproduction line prints that spec.
func TestConfigFlags(t *testing.T) {
	t.Chdir("../..")
	code, out, errOut := gmpcheck(t, "check", "-workload", "testdata/workloads/pingpong.txt", "-bug", "no-runq-recheck")
	if code != exitViolation {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"model       testdata/workloads/pingpong.txt[bug=no-runq-recheck]: pingpong: GOMAXPROCS=2 Ms=3 runq=2",
		"verdict     violation: work-conservation (always)",
		"replay -model 'testdata/workloads/pingpong.txt[bug=no-runq-recheck]' -path ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, spec, _ := gmpcheck(t, "check", "-model", "testdata/workloads/pingpong.txt[bug=no-runq-recheck]")
	timing := regexp.MustCompile(`(?m)^  (states/s|elapsed) .*$`)
	if timing.ReplaceAllString(spec, "") != timing.ReplaceAllString(out, "") {
		t.Errorf("-workload -bug and the model spec differ:\n%s\n---\n%s", out, spec)
	}
	code, out, _ = gmpcheck(t, "check", "-workload", "testdata/workloads/pingpong.txt", "-gomaxprocs", "3", "-ms", "4", "-runq", "4", "-max-states", "1000")
	if want := "model       testdata/workloads/pingpong.txt[gomaxprocs=3,ms=4,runq=4]: pingpong: GOMAXPROCS=3 Ms=4 runq=4"; code != exitIncomplete || !strings.Contains(out, want) {
		t.Errorf("exit %d, want 3 and %q:\n%s", code, want, out)
	}
	// -features replaces the workload's toggles: forcegc-netpoll without
	// the helper is the netpoll workload under sysmon.
	code, out, _ = gmpcheck(t, "check", "-workload", "testdata/workloads/forcegc-netpoll.txt", "-features", "sysmon,netpoll")
	for _, want := range []string{
		"model       testdata/workloads/forcegc-netpoll.txt[features=sysmon+netpoll]: forcegc-netpoll: GOMAXPROCS=1 Ms=2 runq=2 Gs=1 profile=go1.26 features=sysmon,netpoll",
		"  distinct states        4160\n",
	} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("exit %d, want 0 and %q:\n%s", code, want, out)
		}
	}
	// The go1.14 reproduction of golang/go#40368 is clean in the 1.26 profile.
	code, out, _ = gmpcheck(t, "check", "-workload", "testdata/workloads/go114-timers.txt", "-profile", "go1.26")
	if code != exitOK || !strings.Contains(out, "profile=go1.26") {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
}

// TestSpill: -spill keeps the levels on disk and changes nothing in the
// result, for a scheduler workload that holds and one with a bug switch;
// -mem spills too. The directory is left empty.
func TestSpill(t *testing.T) {
	for _, args := range [][]string{
		{"-workload", "../../testdata/workloads/locked-syscall.txt"},
		{"-workload", "../../testdata/workloads/timers.txt", "-bug", "no-timer-recheck"},
	} {
		dir := t.TempDir()
		var got []checker.Result
		for _, extra := range [][]string{{"-workers", "1"}, {"-workers", "2", "-spill", dir}, {"-workers", "2", "-mem", "8GiB"}} {
			_, out, errOut := gmpcheck(t, append(append([]string{"check", "-json"}, args...), extra...)...)
			var r checker.Result
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v %v: %v\n%s", args, extra, err, errOut)
			}
			r.Seconds, r.StatesPerSecond, r.Workers = 0, 0, 0
			got = append(got, r)
		}
		for _, r := range got[1:] {
			a, _ := json.Marshal(got[0])
			b, _ := json.Marshal(r)
			if string(a) != string(b) {
				t.Fatalf("%v: spilled result differs:\n%s\nin memory:\n%s", args, b, a)
			}
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("%v: files left in the spill directory: %v", args, ents)
		}
		if got[0].DistinctStates < 1000 {
			t.Fatalf("%v: %d states, want a model of several levels of blocks", args, got[0].DistinctStates)
		}
	}
}

// TestHashSeedFlag: check -hash-seed N reports the seed (text and JSON),
// finds what the default hash finds, and its checkpoint resumes only with
// the same seed, which the resume hint names.
func TestHashSeedFlag(t *testing.T) {
	w := []string{"-workload", "../../testdata/workloads/locked-syscall.txt"}
	var def, seeded checker.Result
	for _, c := range []struct {
		r    *checker.Result
		args []string
	}{{&def, nil}, {&seeded, []string{"-hash-seed", "5"}}} {
		_, out, errOut := gmpcheck(t, append(append([]string{"check", "-json"}, w...), c.args...)...)
		if err := json.Unmarshal([]byte(out), c.r); err != nil {
			t.Fatalf("%v: %v\n%s", c.args, err, errOut)
		}
	}
	if seeded.HashSeed != 5 || def.HashSeed != 0 || seeded.DistinctStates != def.DistinctStates || seeded.Depth != def.Depth || seeded.Verdict != def.Verdict {
		t.Fatalf("hash seed 5: %d states, depth %d, %s, seed %d; default: %d states, depth %d, %s, seed %d",
			seeded.DistinctStates, seeded.Depth, seeded.Verdict, seeded.HashSeed, def.DistinctStates, def.Depth, def.Verdict, def.HashSeed)
	}
	if _, out, _ := gmpcheck(t, append(append([]string{"check"}, w...), "-hash-seed", "5")...); !strings.Contains(out, "hash seed              5") {
		t.Fatalf("text report without the hash seed:\n%s", out)
	}
	dir := t.TempDir()
	_, _, errOut := gmpcheck(t, append(append([]string{"check", "-checkpoint", dir, "-max-depth", "3"}, w...), "-hash-seed", "5")...)
	if !strings.Contains(errOut, "-hash-seed 5") {
		t.Fatalf("resume hint without the seed:\n%s", errOut)
	}
	if code, _, errOut := gmpcheck(t, "check", "-resume", dir); code != 2 || !strings.Contains(errOut, "made with hash seed 5, not 0") {
		t.Fatalf("resumed without the seed: exit %d\n%s", code, errOut)
	}
	_, out, errOut := gmpcheck(t, "check", "-json", "-resume", dir, "-hash-seed", "5")
	var r checker.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.DistinctStates != def.DistinctStates || r.HashSeed != 5 {
		t.Fatalf("resumed with the seed: %v, %d states (want %d), seed %d\n%s", err, r.DistinctStates, def.DistinctStates, r.HashSeed, errOut)
	}
}
