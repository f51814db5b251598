package spec

import (
	"fmt"
	"strings"
)

// StepInfo describes a step for docs/model.md: its name, the runtime
// function it belongs to, the file that function is in (Go 1.26.8), and
// the statement that characterises it (stepCites). A step of the go1.14
// profile alone has File "go1.14", Go114 its cited go1.14.6 lines, and
// Stmt its quoted code.
type StepInfo struct {
	Name  string
	Func  string
	File  string
	Stmt  string
	Go114 string
}

// stepFiles maps the functions that are not in proc.go (or not under the
// same name) to where they are.
var stepFiles = map[string][2]string{
	"netpoll":              {"netpoll", "netpoll_epoll.go"},
	"netpollAdjustWaiters": {"netpollAdjustWaiters", "netpoll.go"},
	"notetsleep":           {"notetsleep", "lock_futex.go"},
	"gcBgMarkWorker":       {"gcBgMarkWorker", "mgc.go"},
	"netpollblockcommit":   {"netpollblockcommit", "netpoll.go"},
	"maybeAdd":             {"maybeAdd", "time.go"},
	"startIdle":            {"injectglist", "proc.go"},
	"user":                 {"", "user code: gopark, goready, newproc, Gosched, entersyscall, goexit1 (proc.go)"},
}

// Steps lists every step of the model.
func Steps() []StepInfo {
	var out []StepInfo
	for p := pc(1); p < numPC; p++ {
		name := steps[p].name
		fn := name
		if i := strings.IndexAny(fn, ".("); i >= 0 {
			fn = fn[:i]
		}
		file := "proc.go"
		if f, ok := stepFiles[fn]; ok {
			fn, file = f[0], f[1]
		}
		c := stepCites[name]
		if c.fn != "" {
			fn = c.fn
		}
		if c.go114 != "" {
			file = "go1.14"
		}
		out = append(out, StepInfo{Name: name, Func: fn, File: file, Stmt: c.stmt, Go114: c.go114})
	}
	return out
}

// InvariantsDoc renders docs/invariants.md from the property catalogue of a
// configuration with every feature on.
func InvariantsDoc() string {
	c := &Config{GOMAXPROCS: 2, Ms: 3, RunqSize: 2, Sysmon: true, Netpoll: true, Forcegc: true, Timers: true, STW: true, GCWork: true, Locked: true,
		Liveness: true, Gs: []Program{{Name: "main", Code: []Instr{{Op: OpSyscall}}}}}
	var b strings.Builder
	b.WriteString("# Invariants and properties\n\n")
	b.WriteString("Generated from spec.Catalog by `go test ./spec -run TestDocs -update`; a test fails when this\n")
	b.WriteString("file is stale. Kinds: *always* (an invariant, checked in every reachable state), *sometimes*\n")
	b.WriteString("(reachable at least once: it shows the invariants around it are not vacuous), *eventually*\n")
	b.WriteString("(leads-to under weak fairness of the Ms, with fair locks; checked with Config.Liveness).\n")
	b.WriteString("Sources are Go 1.26.8 `src/runtime` lines. Which Sometimes properties a configuration has\n")
	b.WriteString("depends on its features (see `sometimes` in spec/properties.go). The bug switch that breaks\n")
	b.WriteString("each property is listed in docs/bugs.md.\n\n")
	b.WriteString("| name | kind | statement | source |\n|---|---|---|---|\n")
	all := catalog(c)
	seen := map[string]bool{}
	for _, p := range all {
		seen[p.Name] = true
	}
	for _, p := range sometimes {
		if !seen[p.Name] {
			all = append(all, p.PropInfo)
		}
	}
	for _, p := range all {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", p.Name, p.Kind, strings.ReplaceAll(p.Statement, "|", "\\|"), p.Source)
	}
	b.WriteString("\n## Observable invariants\n\n")
	b.WriteString("The model's properties whose fields an execution trace shows, checked by `gmpcheck validate`\n")
	b.WriteString("after every event of a real trace on what the event touched (spec/observe.go; docs/model.md,\n")
	b.WriteString("\"What a trace shows\", lists the guards of each event as well). The model satisfies them in\n")
	b.WriteString("every reachable state of the pinned configurations (`TestObservable`). The guards of the\n")
	b.WriteString("events make them inductive, so on a trace they catch nothing a guard has not caught first\n")
	b.WriteString("(mutated traces are rejected by the guards: validate's `TestMutationsRejected`,\n")
	b.WriteString("`TestModelRulesBite`); they are a second line, and `TestObsInvariantsBite` shows each one\n")
	b.WriteString("detects a state that breaks it.\n\n")
	b.WriteString("| name | statement | from |\n|---|---|---|\n")
	for _, inv := range ObsInvariants() {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", inv.Name, inv.Statement, inv.From)
	}
	return b.String()
}

// StepTable renders the step table of docs/model.md; lines gives the line
// range of a step's statement (StepInfo.Stmt) in its function in the
// installed runtime source.
func StepTable(lines func(st StepInfo) (int, int, bool)) string {
	var b strings.Builder
	b.WriteString("| step | runtime function | source (Go 1.26.8 unless marked) |\n|---|---|---|\n")
	for _, st := range Steps() {
		src := st.File
		switch {
		case st.Go114 != "":
			src = "go1.14.6 " + st.Go114
		case st.Func != "":
			if a, z, ok := lines(st); ok {
				src = fmt.Sprintf("%s:%d", st.File, a)
				if z > a {
					src += fmt.Sprintf("-%d", z)
				}
			}
		}
		fn := st.Func
		if fn == "" {
			fn = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", st.Name, fn, src)
	}
	return b.String()
}
