package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gmpspec/gmpspec/checker"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// gmpcheckBinary builds gmpcheck once for the tests that run it as a
// process (signals, kills, swarm shards).
func gmpcheckBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds gmpcheck")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "gmpcheck-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "gmpcheck")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = errors.New("build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// killModel is a check that takes a few seconds and ends in a violation,
// for TestCheckpointSurvivesSIGKILL.
const killModel = "../../testdata/workloads/default-forcegc.txt[bug=wakesysmon-keeps-sysmonwait]"

// resultOf decodes check -json output without what differs between an
// uninterrupted run and a resumed one (times, workers, checkpoints).
func resultOf(t *testing.T, out []byte) (string, *checker.Result) {
	t.Helper()
	var r resultJSON
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	c := *r.Result
	c.Seconds, c.StatesPerSecond, c.Workers, c.Checkpoints, c.CheckpointSeconds = 0, 0, 0, 0, 0
	r.Result = &c
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), r.Result
}

// TestCheckpointSurvivesSIGKILL kills a checkpointing check with SIGKILL
// once it has saved at least once, resumes it, and gets the uninterrupted
// run's result: distinct states, depth, verdict and counterexample, at
// another number of workers.
func TestCheckpointSurvivesSIGKILL(t *testing.T) {
	bin := gmpcheckBinary(t)
	full, err := exec.Command(bin, "check", "-model", killModel, "-json", "-workers", "2").Output()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != exitViolation {
		t.Fatalf("uninterrupted run: %v, want exit %d\n%s", err, exitViolation, full)
	}
	want, wr := resultOf(t, full)

	dir := t.TempDir()
	cmd := exec.Command(bin, "check", "-model", killModel, "-json", "-workers", "2", "-checkpoint", dir, "-checkpoint-every", "1ms")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once a checkpoint of a level past the first few exists
	// (the file is replaced whole, so its size only grows).
	deadline := time.Now().Add(time.Minute)
	for {
		if fi, err := os.Stat(checker.CheckpointPath(dir)); err == nil && fi.Size() > 200<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint after a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the run was not killed (%v): make killModel longer", err)
	}

	out, err := exec.Command(bin, "check", "-resume", dir, "-json", "-workers", "1").Output()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != exitViolation {
		t.Fatalf("resumed run: %v, want exit %d\n%s", err, exitViolation, out)
	}
	got, gr := resultOf(t, out)
	if got != want {
		t.Fatalf("resumed run differs:\n%s\nwant\n%s", got, want)
	}
	t.Logf("%d states, depth %d, %s after %d steps", gr.DistinctStates, gr.Depth, wr.Violation.Property, len(wr.Violation.Trace))
}

// -resume refuses a checkpoint of another model, with exit 2.
func TestResumeRefusesOtherModel(t *testing.T) {
	dir := t.TempDir()
	// The example models keep their frontier as values: no checkpoint.
	if code, _, errOut := gmpcheck(t, "check", "-model", "mutex3", "-checkpoint", dir); code != exitUsage || !strings.Contains(errOut, "cannot be checkpointed") {
		t.Errorf("mutex3: exit %d, stderr %q", code, errOut)
	}
	model := "../../testdata/workloads/pingpong.txt"
	if code, out, errOut := gmpcheck(t, "check", "-model", model, "-max-depth", "5", "-checkpoint", dir); code != exitIncomplete || !strings.Contains(errOut, "-resume") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"check", "-resume", dir, "-model", "mutex"},
		{"check", "-resume", dir, "-model", model + "[bug=no-runq-recheck]"},
		{"check", "-resume", dir, "-gomaxprocs", "3"},
		{"check", "-resume", filepath.Join(dir, "nothing")},
	} {
		if code, _, errOut := gmpcheck(t, args...); code != exitUsage || !strings.Contains(errOut, "-resume") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	if code, out, errOut := gmpcheck(t, "check", "-resume", dir); code != exitOK {
		t.Errorf("resume: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := gmpcheck(t, "check", "-resume", dir, "-model", model); code != exitOK {
		t.Errorf("resume with its -model: exit %d\n%s%s", code, out, errOut)
	}
}

// SIGTERM (as Ctrl-C) makes a checkpointing check save its last level
// boundary even when no periodic save is due, and say how to resume; the
// resumed run finishes the search.
func TestCheckpointOnSIGTERM(t *testing.T) {
	bin := gmpcheckBinary(t)
	model := "../../testdata/workloads/spawn-heavy.txt"
	full, _ := exec.Command(bin, "check", "-model", model, "-json").Output()
	want, _ := resultOf(t, full)
	dir := t.TempDir()
	cmd := exec.Command(bin, "check", "-model", model, "-json", "-checkpoint", dir, "-checkpoint-every", "0")
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != exitIncomplete {
		t.Fatalf("exit %v, want %d (did it finish in 0.7 s?)\n%s", err, exitIncomplete, errOut.String())
	}
	if !strings.Contains(errOut.String(), "check -resume") {
		t.Errorf("stderr does not say how to resume:\n%s", errOut.String())
	}
	out, err := exec.Command(bin, "check", "-resume", dir, "-json").Output()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if got, _ := resultOf(t, out); got != want {
		t.Fatalf("resumed run differs:\n%s\nwant\n%s", got, want)
	}
}
