package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
)

// The scheduler models. A scheduler model is named by a model spec:
//
//	sched                                   the default configuration
//	testdata/workloads/timers.txt           a workload file
//	sched[bug=no-runq-recheck]              with bug switches
//	FILE[bug=a,bug=b,profile=go1.14,live]   with a profile, and liveness
//	FILE[gomaxprocs=3,ms=4,runq=4]          with the machine changed
//
// The name is also what reproduction commands print, so one string says
// everything the replay needs.

const schedName = "sched"

// isSchedSpec reports whether name names a scheduler model.
func isSchedSpec(name string) bool {
	base, _, _ := strings.Cut(name, "[")
	return base == schedName || strings.HasSuffix(base, ".txt")
}

// schedOptions are the options of a model spec.
type schedOptions struct {
	bugs    []string
	profile string
	live    bool
	// gomaxprocs, ms and runq override the workload's; 0 keeps it.
	gomaxprocs, ms, runq int
	// features, if set, replaces the workload's feature toggles.
	features    []string
	setFeatures bool
}

// specName composes a model spec from a base and options.
func specName(base string, o schedOptions) string {
	var opts []string
	bugs := append([]string(nil), o.bugs...)
	sort.Strings(bugs)
	for _, b := range bugs {
		opts = append(opts, "bug="+b)
	}
	for _, n := range []struct {
		k string
		v int
	}{{"gomaxprocs", o.gomaxprocs}, {"ms", o.ms}, {"runq", o.runq}} {
		if n.v != 0 {
			opts = append(opts, fmt.Sprintf("%s=%d", n.k, n.v))
		}
	}
	if o.setFeatures {
		f := "none"
		if len(o.features) > 0 {
			f = strings.Join(o.features, "+")
		}
		opts = append(opts, "features="+f)
	}
	if o.profile != "" {
		opts = append(opts, "profile="+o.profile)
	}
	if o.live {
		opts = append(opts, "live")
	}
	if len(opts) == 0 {
		return base
	}
	return base + "[" + strings.Join(opts, ",") + "]"
}

// parseSpecName splits a model spec.
func parseSpecName(name string) (base string, o schedOptions, err error) {
	base, rest, ok := strings.Cut(name, "[")
	if !ok {
		return base, o, nil
	}
	if !strings.HasSuffix(rest, "]") {
		return "", o, fmt.Errorf("model %q: missing ]", name)
	}
	for _, opt := range strings.Split(strings.TrimSuffix(rest, "]"), ",") {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "bug":
			o.bugs = append(o.bugs, v)
		case "profile":
			o.profile = v
		case "live":
			o.live = true
		case "features":
			o.features, o.setFeatures = splitFeatures(v), true
		case "gomaxprocs", "ms", "runq":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return "", o, fmt.Errorf("model %q: %s=%q: want a positive number", name, k, v)
			}
			*map[string]*int{"gomaxprocs": &o.gomaxprocs, "ms": &o.ms, "runq": &o.runq}[k] = n
		default:
			return "", o, fmt.Errorf("model %q: unknown option %q (bug=NAME, profile=go1.14|go1.26, live, gomaxprocs=N, ms=N, runq=N, features=A+B|none)", name, opt)
		}
	}
	return base, o, nil
}

// splitFeatures reads a feature list: names joined by '+' (in a model
// spec, where ',' separates options) or ',' (the -features flag); "none"
// or nothing is the empty list.
func splitFeatures(v string) []string {
	var f []string
	for _, n := range strings.FieldsFunc(v, func(r rune) bool { return r == '+' || r == ',' }) {
		if n != "none" {
			f = append(f, n)
		}
	}
	return f
}

// schedConfig builds the configuration a model spec names.
func schedConfig(name string) (*spec.Config, error) {
	base, o, err := parseSpecName(name)
	if err != nil {
		return nil, err
	}
	var c *spec.Config
	if base == schedName {
		c = spec.Default()
	} else if c, err = spec.LoadWorkload(base); err != nil {
		return nil, err
	}
	c.Bugs = append(c.Bugs, o.bugs...)
	if o.profile != "" {
		c.Profile = o.profile
	}
	c.Liveness = c.Liveness || o.live
	if o.setFeatures {
		if err := c.SetFeatures(o.features); err != nil {
			return nil, fmt.Errorf("%s: features: %v", base, err)
		}
	}
	if o.gomaxprocs != 0 {
		c.GOMAXPROCS = o.gomaxprocs
	}
	if o.ms != 0 {
		c.Ms = o.ms
	}
	if o.runq != 0 {
		c.RunqSize = o.runq
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", base, err)
	}
	return c, nil
}

// schedTarget is the target of a model spec.
func schedTarget(name string) (target, error) {
	c, err := schedConfig(name)
	if err != nil {
		return target{}, err
	}
	m, err := spec.New(c)
	if err != nil {
		return target{}, err
	}
	t := newTarget[spec.State, spec.Action](name, c.String(), checker.Model[spec.State, spec.Action](m))
	t.config = schedConfigString(c)
	return t, nil
}

// schedConfigString is a scheduler model's config for reports: its
// summary (Config.String) and a hash of its goroutines' programs.
func schedConfigString(c *spec.Config) string {
	h := fnv.New32a()
	for _, g := range c.Gs {
		fmt.Fprintf(h, "g %s\n", g.Name)
		for _, in := range g.Code {
			fmt.Fprintf(h, "\t%s\n", in)
		}
	}
	live := ""
	if c.Liveness {
		live = " live"
	}
	return fmt.Sprintf("%s%s programs=%08x", c.String(), live, h.Sum32())
}

// configDiff names the fields in which two configs differ ("bugs",
// "GOMAXPROCS", "programs", ...).
func configDiff(a, b string) []string {
	fields := func(s string) map[string]string {
		m := map[string]string{}
		for _, f := range strings.Fields(s) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				k, v = f, "on"
			}
			m[k] = v
		}
		return m
	}
	fa, fb := fields(a), fields(b)
	var diff []string
	for k, v := range fa {
		if fb[k] != v {
			diff = append(diff, k)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	return diff
}

// ---- invariants ----

type invariantsFlags struct {
	fs     *flag.FlagSet
	model  *string
	asJSON *bool
}

func newInvariantsFlags() *invariantsFlags {
	fs := flag.NewFlagSet("invariants", flag.ContinueOnError)
	return &invariantsFlags{fs: fs,
		model:  fs.String("model", defaultModel(), "the scheduler model `spec` whose properties to list"),
		asJSON: fs.Bool("json", false, "print a JSON list"),
	}
}

func runInvariants(_ context.Context, args []string, stdout, stderr io.Writer) int {
	f := newInvariantsFlags()
	fs, model, asJSON := f.fs, f.model, f.asJSON
	pos, help, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return fail(stderr, err)
	case help:
		commandUsage(stdout, "invariants")
		return exitOK
	case len(pos) > 0:
		return fail(stderr, fmt.Errorf("invariants: unexpected argument %q", pos[0]))
	case !isSchedSpec(*model):
		return fail(stderr, fmt.Errorf("invariants: %q is not a scheduler model", *model))
	}
	c, err := schedConfig(*model)
	if err != nil {
		return fail(stderr, fmt.Errorf("invariants: %v", err))
	}
	props := spec.Catalog(c)
	if *asJSON {
		type row struct {
			Name      string `json:"name"`
			Kind      string `json:"kind"`
			Statement string `json:"statement"`
			Source    string `json:"source"`
		}
		var rows []row
		for _, p := range props {
			rows = append(rows, row{p.Name, p.Kind, p.Statement, p.Source})
		}
		if err := writeJSON(stdout, rows); err != nil {
			return fail(stderr, err)
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "properties of %s\n", c)
	for _, p := range props {
		fmt.Fprintf(stdout, "%-40s %-10s %s\n    %s\n", p.Name, p.Kind, p.Source, p.Statement)
	}
	return exitOK
}

// ---- bugs ----

type bugsFlags struct {
	fs        *flag.FlagSet
	asJSON    *bool
	verify    *bool
	maxStates *int64
}

func newBugsFlags() *bugsFlags {
	fs := flag.NewFlagSet("bugs", flag.ContinueOnError)
	return &bugsFlags{fs: fs,
		asJSON:    fs.Bool("json", false, "print a JSON list"),
		verify:    fs.Bool("verify", false, "check every switch in its workload (run from the repository root)"),
		maxStates: fs.Int64("max-states", 3_000_000, "with -verify: give up on a switch after `N` distinct states"),
	}
}

// bugModel is the model spec that checks bug switch b in its workload.
func bugModel(b spec.Bug) string {
	return specName("testdata/workloads/"+b.Workload+".txt", schedOptions{bugs: []string{b.Name}, live: b.Live})
}

func runBugs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newBugsFlags()
	fs, asJSON, verify, maxStates := f.fs, f.asJSON, f.verify, f.maxStates
	pos, help, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return fail(stderr, err)
	case help:
		commandUsage(stdout, "bugs")
		return exitOK
	case len(pos) > 0:
		return fail(stderr, fmt.Errorf("bugs: unexpected argument %q", pos[0]))
	}
	bugs := spec.Bugs()
	if *verify {
		return verifyBugs(ctx, bugs, *maxStates, *asJSON, stdout, stderr)
	}
	if *asJSON {
		type row struct {
			Name             string `json:"name"`
			Source           string `json:"source"`
			ExpectedProperty string `json:"expected_property"`
			Model            string `json:"model"`
			Doc              string `json:"doc"`
		}
		var rows []row
		for _, b := range bugs {
			rows = append(rows, row{b.Name, b.Source, b.Expect, bugModel(b), b.Doc})
		}
		if err := writeJSON(stdout, rows); err != nil {
			return fail(stderr, err)
		}
		return exitOK
	}
	for _, b := range bugs {
		fmt.Fprintf(stdout, "%s (%s) expects %s\n    check: go run ./cmd/gmpcheck check -model %s\n    %s\n", b.Name, b.Source, b.Expect, shellQuote(bugModel(b)), b.Doc)
	}
	return exitOK
}

// bugVerdict is one row of bugs -verify.
type bugVerdict struct {
	Name             string `json:"name"`
	Source           string `json:"source"`
	ExpectedProperty string `json:"expected_property"`
	Model            string `json:"model"`
	Workload         string `json:"workload"`
	// Status is "found" (the expected property is violated), "not found"
	// (the state space was exhausted, or another property was violated),
	// "incomplete: WHY" (a bound or an interrupt ended the check first),
	// or "not run" (an interrupt came before it).
	Status         string  `json:"status"`
	Found          bool    `json:"found"`
	Property       string  `json:"property"`
	TraceLength    int     `json:"trace_length"`
	DistinctStates int64   `json:"distinct_states"`
	Seconds        float64 `json:"seconds"`
}

// verifyBugs checks each bug switch in its workload and reports whether
// the expected property is violated. It exits 0 if every switch is found,
// 1 if one was not (the check finished without its violation), and 3 if
// none was missed but some check was cut short.
func verifyBugs(ctx context.Context, bugs []spec.Bug, maxStates int64, asJSON bool, stdout, stderr io.Writer) int {
	var rows []bugVerdict
	missed, cut := false, false
	for _, b := range bugs {
		row := bugVerdict{Name: b.Name, Source: b.Source, ExpectedProperty: b.Expect, Model: bugModel(b), Workload: b.Workload}
		if ctx.Err() != nil {
			row.Status = "not run"
			cut = true
			rows = append(rows, row)
			continue
		}
		t, err := schedTarget(row.Model)
		if err != nil {
			return fail(stderr, fmt.Errorf("bugs -verify: %v", err))
		}
		setCurrentModel(row.Model)
		res := t.check(ctx, checker.Options{Symmetry: true, MaxStates: maxStates})
		row.DistinctStates, row.Seconds = res.DistinctStates, res.Seconds
		if v := res.Violation; v != nil {
			row.Property = v.Property
			row.TraceLength = len(v.Trace)
			row.Found = v.Property == b.Expect
		}
		switch {
		case row.Found:
			row.Status = "found"
		case res.Verdict == checker.VerdictIncomplete:
			row.Status = "incomplete: " + res.Incomplete
			cut = true
		default:
			row.Status = "not found"
			missed = true
		}
		rows = append(rows, row)
	}
	if asJSON {
		if err := writeJSON(stdout, rows); err != nil {
			return fail(stderr, err)
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintf(tw, "switch\tsource\tworkload\texpected property\tfound\tsteps\tstates\tseconds\n")
		for _, r := range rows {
			found := r.Status
			if r.Found {
				found = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%.2f\n", r.Name, r.Source, r.Workload, r.ExpectedProperty, found, r.TraceLength, r.DistinctStates, r.Seconds)
		}
		tw.Flush()
	}
	switch {
	case missed:
		return exitViolation
	case cut:
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "gmpcheck: bugs -verify: interrupted; the rows marked incomplete or not run are undecided\n")
		} else {
			fmt.Fprintf(stderr, "gmpcheck: bugs -verify: some checks hit -max-states %d before finding their switch; raise it\n", maxStates)
		}
		return exitIncomplete
	}
	return exitOK
}
