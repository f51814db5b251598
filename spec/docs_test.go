package spec

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
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
	table := StepTable(funcRange)
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

var rowRE = regexp.MustCompile("^\\| `([^`]+)` \\| (\\w+) \\| ([\\w_.]+\\.go):(\\d+)-(\\d+) \\|$")

// TestModelSourceLines checks every line range docs/model.md cites against
// the installed runtime source: the range must hold the named function.
func TestModelSourceLines(t *testing.T) {
	if runtime.Version() != refVersion {
		t.Skipf("the installed Go is %s, not %s: the cited lines are %s's", runtime.Version(), refVersion, refVersion)
	}
	doc, err := os.ReadFile("../docs/model.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		file, fn := m[3], m[2]
		a, _ := strconv.Atoi(m[4])
		z, _ := strconv.Atoi(m[5])
		src, err := os.ReadFile(filepath.Join(goroot(), "src", "runtime", file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		if z > len(lines) || a < 1 || a > z {
			t.Errorf("step %s: %s:%d-%d is out of range", m[1], file, a, z)
			continue
		}
		body := strings.Join(lines[a-1:z], "\n")
		if !regexp.MustCompile(`func (\([^)]*\) )?` + regexp.QuoteMeta(fn) + `\(`).MatchString(body) {
			t.Errorf("step %s: %s:%d-%d does not contain func %s", m[1], file, a, z, fn)
		}
	}
	if rows < 100 {
		t.Errorf("docs/model.md cites %d line ranges; expected the whole step table", rows)
	}
}
