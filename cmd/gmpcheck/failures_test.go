package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

// Failures of gmpcheck itself (issue 16, items 4-8): each test failed
// before its fix.

// A panic is a bug in gmpcheck: exit 4, not 2, with the command and the
// model, whether it happens in the command's goroutine or in a checker
// worker.
func TestPanicIsACrash(t *testing.T) {
	defer func(c []command) { testCommands = c }(testCommands)
	testCommands = []command{
		{"panic", "", func(context.Context, []string, io.Writer, io.Writer) int {
			setCurrentModel("testdata/workloads/pingpong.txt[bug=x]")
			panic("boom")
		}, nil},
		{"worker-panic", "", func(context.Context, []string, io.Writer, io.Writer) int {
			panic(&checker.WorkerPanic{Value: "boom in a worker", Stack: []byte("worker stack\n")})
		}, nil},
	}
	code, _, errOut := gmpcheck(t, "panic", "a;b")
	for _, want := range []string{"this is a bug in gmpcheck", "command: gmpcheck panic 'a;b'", "model:   testdata/workloads/pingpong.txt[bug=x]", "panic:   boom"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	code, _, errOut = gmpcheck(t, "worker-panic")
	if code != exitFailed || !strings.Contains(errOut, "worker stack") {
		t.Errorf("worker panic: exit %d\n%s", code, errOut)
	}
}

// A report that cannot be written fails (it exited 0).
func TestWriteFailure(t *testing.T) {
	var errOut strings.Builder
	code := run([]string{"check", "-model", "mutex"}, failingWriter{}, &errOut)
	if code != exitFailed || !strings.Contains(errOut.String(), "writing the output: no space left on device") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		return
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	errOut.Reset()
	if code := run([]string{"check", "-model", "mutex"}, full, &errOut); code != exitFailed {
		t.Errorf("> /dev/full: exit %d, stderr %q", code, errOut.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// SIGTERM ends a run like Ctrl-C: the partial result is reported and the
// exit code is 3 (it killed the run with no report, exit 143).
func TestSIGTERM(t *testing.T) {
	bin := gmpcheckBinary(t)
	cmd := exec.Command(bin, "check", "-model", "../../testdata/workloads/spawn-heavy.txt", "-symmetry=false")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitIncomplete {
		t.Fatalf("exit: %v, want %d\n%s", err, exitIncomplete, out.String())
	}
	if !strings.Contains(out.String(), "distinct states") || !strings.Contains(out.String(), "incomplete") {
		t.Errorf("no partial report:\n%s", out.String())
	}
}

// -workers is bounded (100000 turned a 0.2 s check into a minute).
func TestWorkersBound(t *testing.T) {
	code, _, errOut := gmpcheck(t, "check", "-model", "mutex", "-workers", "100000")
	if code != exitUsage || !strings.Contains(errOut, "-workers 100000: at most") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// When only the liveness phase hits a bound, the safety properties, which
// the exhausted safety search decided, hold (they were shown "undecided").
// In deadlock the safety search has 193,318 states and the liveness graph
// 193,519 (a representative reached from representatives is not always the
// one reached from concrete states), so -max-states 193400 stops only the
// liveness phase.
func TestLivenessBoundKeepsSafety(t *testing.T) {
	code, out, _ := gmpcheck(t, "check", "-model", "../../testdata/workloads/deadlock.txt[live]", "-max-states", "193400")
	if code != exitIncomplete {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"throw-no-double-wakeup                 holds",
		"work-conservation-live                 undecided: the liveness phase stopped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// invariants and bugs have help (-h printed nothing; help said "unknown
// command"), and bugs names each workload as a model spec -model accepts.
func TestInvariantsAndBugsHelp(t *testing.T) {
	for _, args := range [][]string{{"invariants", "-h"}, {"help", "invariants"}, {"bugs", "-h"}, {"help", "bugs"}} {
		code, out, errOut := gmpcheck(t, args...)
		name := args[0]
		if name == "help" {
			name = args[1]
		}
		if code != exitOK || !strings.Contains(out, "usage: gmpcheck "+name) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		if !strings.Contains(out, "-json") {
			t.Errorf("%q: no flags listed:\n%s", args, out)
		}
	}
	code, out, _ := gmpcheck(t, "bugs")
	want := "check: go run ./cmd/gmpcheck check -model 'testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]'"
	if code != exitOK || !strings.Contains(out, want) {
		t.Fatalf("bugs lacks %q:\n%s", want, out)
	}
	t.Chdir("../..")
	if code, out, errOut := gmpcheck(t, "check", "-model", "testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]"); code != exitViolation {
		t.Errorf("the listed model spec: exit %d\n%s%s", code, out, errOut)
	}
}
