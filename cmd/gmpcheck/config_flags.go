package main

import (
	"flag"
	"fmt"
	"strings"
)

// configFlags name a scheduler configuration piece by piece, as the
// alternative to writing a model spec: -workload FILE -gomaxprocs 3 -bug X
// is the model spec 'FILE[bug=X,gomaxprocs=3]', and that spec is what the
// report's reproduction line prints.
type configFlags struct {
	workload   string
	gomaxprocs int
	ms         int
	runq       int
	profile    string
	features   string
	bugs       stringList
	live       bool
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

var configFlagNames = []string{"workload", "gomaxprocs", "ms", "runq", "profile", "features", "bug", "live"}

func newConfigFlags(fs *flag.FlagSet) *configFlags {
	f := &configFlags{}
	fs.StringVar(&f.workload, "workload", "", "the scheduler workload `FILE` to check (instead of -model)")
	fs.IntVar(&f.gomaxprocs, "gomaxprocs", 0, "override the workload's GOMAXPROCS (`N` Ps)")
	fs.IntVar(&f.ms, "ms", 0, "override the workload's thread bound (`N` worker Ms, m0 included)")
	fs.IntVar(&f.runq, "runq", 0, "override the workload's local run queue capacity (`N`, even)")
	fs.StringVar(&f.profile, "profile", "", "follow the scheduler of runtime `VERSION`: go1.26 or go1.14")
	fs.StringVar(&f.features, "features", "", "replace the workload's features with `LIST` (comma-separated: sysmon, netpoll, forcegc, timers, stw, gcwork, locked; none for none)")
	fs.Var(&f.bugs, "bug", "turn on the bug switch `NAME` (repeatable; see 'gmpcheck bugs')")
	fs.BoolVar(&f.live, "live", false, "also check the liveness properties (checkdead-complete, work-conservation-live)")
	return f
}

// compose returns the model spec that model and the configuration flags
// set on fs name together.
func (f *configFlags) compose(fs *flag.FlagSet, model string) (string, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	given := false
	for _, n := range configFlagNames {
		given = given || set[n]
	}
	if !given {
		return model, nil
	}
	if f.workload != "" {
		if set["model"] {
			return "", fmt.Errorf("give -model or -workload, not both")
		}
		if !strings.HasSuffix(f.workload, ".txt") || strings.ContainsAny(f.workload, "[],") {
			return "", fmt.Errorf("-workload %q: want a workload file NAME.txt", f.workload)
		}
		model = f.workload
	}
	if !isSchedSpec(model) {
		return "", fmt.Errorf("model %q is not a scheduler model: -%s applies to scheduler models only", model, firstSet(set))
	}
	base, o, err := parseSpecName(model)
	if err != nil {
		return "", err
	}
	for _, c := range []struct {
		name string
		v    int
		dst  *int
	}{{"gomaxprocs", f.gomaxprocs, &o.gomaxprocs}, {"ms", f.ms, &o.ms}, {"runq", f.runq, &o.runq}} {
		if !set[c.name] {
			continue
		}
		if c.v < 1 {
			return "", fmt.Errorf("-%s %d: want at least 1", c.name, c.v)
		}
		*c.dst = c.v
	}
	if set["profile"] {
		o.profile = f.profile
	}
	if set["features"] {
		o.features, o.setFeatures = splitFeatures(f.features), true
	}
	o.bugs = append(o.bugs, f.bugs...)
	o.live = o.live || f.live
	return specName(base, o), nil
}

func firstSet(set map[string]bool) string {
	for _, n := range configFlagNames {
		if set[n] {
			return n
		}
	}
	return ""
}
