package spec

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/invariants.md, the step table of docs/model.md and spec/steplines.go, testdata/traces and (with -long) spec/observe_steps.go")

const refVersion = "go1.26.8"

var funcRangesOnce sync.Map

// goroot is the installed Go's root, as `go env GOROOT` reports it.
var goroot = sync.OnceValue(func() string {
	out, err := osexec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// funcRange returns the line range of function fn in the installed runtime's
// file.
func funcRange(file, fn string) (int, int, bool) {
	v, _ := funcRangesOnce.LoadOrStore(file, sync.OnceValue(func() map[string][2]int {
		path := filepath.Join(goroot(), "src", "runtime", file)
		fs := token.NewFileSet()
		f, err := parser.ParseFile(fs, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		m := map[string][2]int{}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				m[fd.Name.Name] = [2]int{fs.Position(fd.Pos()).Line, fs.Position(fd.End()).Line}
			}
		}
		return m
	}))
	r, ok := v.(func() map[string][2]int)()[fn]
	return r[0], r[1], ok
}

const tableBegin, tableEnd = "<!-- steps:begin -->\n", "<!-- steps:end -->\n"

const obsBegin, obsEnd = "<!-- observe:begin -->\n", "<!-- observe:end -->\n"

// TestDocs checks that docs/invariants.md and the step table of
// docs/model.md are what the code generates; -update rewrites them.
func TestDocs(t *testing.T) {
	if runtime.Version() != refVersion {
		t.Skipf("the installed Go is %s, not %s: line numbers would differ", runtime.Version(), refVersion)
	}
	inv := InvariantsDoc()
	checkOrUpdate(t, "../docs/invariants.md", func(string) string { return inv })
	table := StepTable(func(st StepInfo) (int, int, bool) {
		a, z, err := stmtLines(st)
		if err != nil {
			t.Errorf("step %s: %v", st.Name, err)
		}
		return a, z, err == nil
	})
	checkOrUpdate(t, "../docs/model.md", func(old string) string {
		i, j := strings.Index(old, tableBegin), strings.Index(old, tableEnd)
		if i < 0 || j < i {
			t.Fatalf("docs/model.md has no %q ... %q markers", tableBegin, tableEnd)
		}
		old = old[:i+len(tableBegin)] + table + old[j:]
		i, j = strings.Index(old, obsBegin), strings.Index(old, obsEnd)
		if i < 0 || j < i {
			t.Fatalf("docs/model.md has no %q ... %q markers", obsBegin, obsEnd)
		}
		return old[:i+len(obsBegin)] + ObservationDoc() + old[j:]
	})
	checkOrUpdate(t, "steplines.go", func(string) string { return string(stepLinesGo(table)) })
}

func checkOrUpdate(t *testing.T, path string, gen func(old string) string) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil && !*update {
		t.Fatal(err)
	}
	want := gen(string(old))
	if string(old) == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale: run `go test ./spec -run TestDocs -update` and review the diff", path)
}

// runtimeLines returns the lines of the installed runtime's file.
func runtimeLines(file string) ([]string, error) {
	src, err := os.ReadFile(filepath.Join(goroot(), "src", "runtime", file))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(src), "\n"), nil
}

// stmtLines finds a step's statement in its function in the installed
// runtime source: the lines of the first match of st.Stmt, or of its first
// group.
func stmtLines(st StepInfo) (int, int, error) {
	a0, z0, ok := funcRange(st.File, st.Func)
	if !ok {
		return 0, 0, fmt.Errorf("no func %s in %s", st.Func, st.File)
	}
	lines, err := runtimeLines(st.File)
	if err != nil {
		return 0, 0, err
	}
	body := strings.Join(lines[a0-1:z0], "\n")
	re := regexp.MustCompile(st.Stmt)
	loc := re.FindStringSubmatchIndex(body)
	if loc == nil {
		return 0, 0, fmt.Errorf("func %s (%s:%d-%d) has no %q", st.Func, st.File, a0, z0, st.Stmt)
	}
	i, j := loc[0], loc[1]
	if re.NumSubexp() > 0 {
		i, j = loc[2], loc[3]
	}
	return a0 + strings.Count(body[:i], "\n"), a0 + strings.Count(body[:j], "\n"), nil
}

// coreStmt is the part of a statement expression that the cited lines must
// hold: its first group if it has one (the rest is context that finds the
// right occurrence), else all of it.
func coreStmt(stmt string) *regexp.Regexp {
	re, err := syntax.Parse(stmt, syntax.Perl)
	if err != nil {
		panic(err)
	}
	var find func(*syntax.Regexp) *syntax.Regexp
	find = func(r *syntax.Regexp) *syntax.Regexp {
		if r.Op == syntax.OpCapture && r.Cap == 1 {
			return r.Sub[0]
		}
		for _, s := range r.Sub {
			if c := find(s); c != nil {
				return c
			}
		}
		return nil
	}
	if c := find(re); c != nil {
		return regexp.MustCompile(c.String())
	}
	return regexp.MustCompile(stmt)
}

var rowRE = regexp.MustCompile("^\\| `([^`]+)` \\| (\\S+) \\| (go1\\.14\\.6 )?([\\w_.]+\\.go):(\\d+)(?:-(\\d+))? \\|$")

// TestModelSourceLines checks every line range docs/model.md cites against
// the runtime source: the range must lie in the named function and hold the
// statement that characterises the step (stepCites), at the occurrence
// stepCites picks out, so that a range that drifts by a line, or names
// another occurrence of the same statement, fails. The go1.14
// profile's ranges are checked when GMPSPEC_GO114_ROOT names a go1.14.6
// GOROOT; otherwise only that they quote their statement.
func TestModelSourceLines(t *testing.T) {
	if runtime.Version() != refVersion {
		t.Skipf("the installed Go is %s, not %s: the cited lines are %s's", runtime.Version(), refVersion, refVersion)
	}
	doc, err := os.ReadFile("../docs/model.md")
	if err != nil {
		t.Fatal(err)
	}
	info := map[string]StepInfo{}
	for _, st := range Steps() {
		if st.Func != "" && st.Stmt == "" {
			t.Errorf("step %s has no statement in stepCites", st.Name)
		}
		info[st.Name] = st
	}
	root114 := os.Getenv("GMPSPEC_GO114_ROOT")
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		name, fn, go114, file := m[1], m[2], m[3] != "", m[4]
		a, _ := strconv.Atoi(m[5])
		z := a
		if m[6] != "" {
			z, _ = strconv.Atoi(m[6])
		}
		st, ok := info[name]
		switch {
		case !ok:
			t.Errorf("step %s: not a step of the model", name)
			continue
		case st.Func != fn:
			t.Errorf("step %s: cited to func %s, want %s", name, fn, st.Func)
			continue
		case go114 != (st.Go114 != ""):
			t.Errorf("step %s: go1.14 citation %v, want %v", name, go114, st.Go114 != "")
			continue
		}
		if go114 {
			if root114 == "" {
				continue
			}
			src, err := os.ReadFile(filepath.Join(root114, "src", "runtime", file))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(src), "\n")
			if z > len(lines) || a < 1 || a > z || !strings.Contains(strings.Join(lines[a-1:z], "\n"), st.Stmt) {
				t.Errorf("step %s: go1.14.6 %s:%d-%d does not hold %q", name, file, a, z, st.Stmt)
			}
			continue
		}
		fa, fz, ok := funcRange(file, fn)
		if !ok {
			t.Errorf("step %s: no func %s in %s", name, fn, file)
			continue
		}
		if a < fa || z > fz || a > z {
			t.Errorf("step %s: %s:%d-%d is not inside func %s (%d-%d)", name, file, a, z, fn, fa, fz)
			continue
		}
		lines, err := runtimeLines(file)
		if err != nil {
			t.Fatal(err)
		}
		if !coreStmt(st.Stmt).MatchString(strings.Join(lines[a-1:z], "\n")) {
			t.Errorf("step %s: %s:%d-%d does not hold its statement %q", name, file, a, z, coreStmt(st.Stmt))
			continue
		}
		// The statement can occur more than once (thread.resume()); the
		// range must be the occurrence stepCites picks out.
		if sa, sz, err := stmtLines(st); err != nil || sa != a || sz != z {
			t.Errorf("step %s: %s:%d-%d holds its statement, but the step's occurrence is at %d-%d (%v)", name, file, a, z, sa, sz, err)
		}
	}
	if rows < len(info)-1 {
		t.Errorf("docs/model.md cites %d line ranges for %d steps; expected the whole step table", rows, len(info))
	}
}
