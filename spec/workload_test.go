package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every shipped workload parses.
func TestShippedWorkloads(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "workloads", "*.txt"))
	if err != nil || len(files) < 6 {
		t.Fatalf("workloads: %v %v", files, err)
	}
	for _, f := range files {
		if _, err := LoadWorkload(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// Bad workloads fail with file:line and the reason.
func TestWorkloadErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tfly\n", "w.txt:5: unknown instruction \"fly\""},
		{"gomaxprocs 2\nms 3\nrunq 2\n\tgo x\n", "w.txt:4: instruction \"go\" outside a goroutine"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tgo nobody\n", "w.txt:5: go nobody: no goroutine named \"nobody\""},
		{"gomaxprocs two\nms 3\nrunq 2\ng main\n", "w.txt:1: gomaxprocs: \"two\" is not a number"},
		{"gomaxprocs 2\nms 3\nrunq 3\ng main\n", "w.txt:3: runq 3: must be even"},
		{"gomaxprocs 2\nms 3\nrunq 0\ng main\n", "w.txt:3: runq 0: must be even"},
		{"gomaxprocs 2\nms -3\nrunq 2\ng main\n", "w.txt:2: ms -3: must be 1..9"},
		{"gomaxprocs 9\nms 3\nrunq 2\ng main\n", "w.txt:1: gomaxprocs 9: must be 1..8"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tgo main\n", "w.txt:5: g main: go main: main is the first goroutine"},
		{"gomaxprocs 2\nms 3\nrunq 2\nfeatures timers\ng main\n", "w.txt:4: the timers feature needs netpoll"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n" + strings.Repeat("\tcompute\n", 256), "w.txt:260: g main: 256 instructions: at most 255"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tgo a\n" + strings.Repeat("\tcompute\n", 300) + "g a\n", "w.txt:260: g main: 301 instructions: at most 255"},
		{"gomaxprocs 1\nms 1\nrunq 2\ng a\n\tgo b\n\tgo c\n\tgo d\n\tgo e\n\tgo f\n\tgo g\n\tgo h\n\tgo i\ng b\ng c\ng d\ng e\ng f\ng g\ng h\ng i\n", "w.txt:20: 9 goroutines"},
		{"gomaxprocs 2\nms 3\nrunq 2\nfeatures warp\ng main\n", "w.txt:4: unknown feature \"warp\""},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tpark 9\n", "w.txt:5: park: wait object \"9\""},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\ng a\n", "w.txt:5: g a is never started"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tnetwait\n", "w.txt:5: g main: netwait needs the netpoll feature"},
		{"gomaxprocs 2\nms 3\nrunq 2\ng main\n\tgo a\n\tgo a\ng a\n", "w.txt:6: g main: go a: goroutine started twice"},
		{"gomaxprocs 2\nms 3\ng main\n", "missing \"runq\""},
		{"gomaxprocs 2\nms 3\nrunq 2\nbugs nope\ng main\n", "w.txt:4: unknown bug switch \"nope\""},
		{"gomaxprocs 2\nms 3\nrunq 2\ngomaxprocs 3\ng main\n", "w.txt:4: gomaxprocs given twice"},
	} {
		_, err := ParseWorkload("w.txt", "w", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
	if _, err := LoadWorkload(filepath.Join(t.TempDir(), "missing.txt")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

// The compiled-in default is the shipped file.
func TestDefaultWorkloadIsShipped(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "workloads", "default.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != DefaultWorkload {
		t.Fatal("spec.DefaultWorkload differs from testdata/workloads/default.txt: copy the file into spec/defaults.go")
	}
	c := Default()
	if c.GOMAXPROCS < 2 || c.Ms < 3 || len(c.Gs) < 3 || !c.Sysmon || !c.Netpoll || !hasOp(c, OpSyscall) {
		t.Errorf("the default configuration must have 2+ Ps, sysmon, 3+ worker Ms, 3+ goroutines, syscalls and netpoll: %s", c)
	}
}
