package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// swarmBug is a bug switch with a short trace (docs/bugs.md: 35 steps,
// 342 states breadth-first): every shard of a small budget finds it.
const swarmBug = "../../testdata/workloads/wakep-transient.txt[bug=go1.17-recheck]"

func decodeSwarm(t *testing.T, out string) *swarmReport {
	t.Helper()
	var r swarmReport
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Result == nil {
		t.Fatalf("not a swarm report (%v):\n%s", err, out)
	}
	return &r
}

// withoutTime is a report as JSON without its times.
func withoutTime(t *testing.T, r *swarmReport) string {
	t.Helper()
	c := *r.Result
	c.Seconds, c.StatesPerSecond = 0, 0
	d := *r
	d.Result = &c
	b, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSwarmFindsBug: each shard finds go1.17-recheck's violation with a
// path that replay follows to the same violation, and a shard searches the
// same way for the same seed.
func TestSwarmFindsBug(t *testing.T) {
	for shard := range 4 {
		args := []string{"swarm", "-model", swarmBug, "-shards", "4", "-shard", strconv.Itoa(shard), "-max-states", "200000", "-seed", "3", "-json"}
		code, out, errOut := gmpcheck(t, args...)
		if code != exitViolation {
			t.Fatalf("shard %d: exit %d\n%s%s", shard, code, out, errOut)
		}
		r := decodeSwarm(t, out)
		if r.Violation.Property != "work-conservation" || r.Shard != shard || r.Labels == 0 || r.LabelsFired == 0 {
			t.Fatalf("shard %d: %+v", shard, r)
		}
		code, rout, errOut := gmpcheck(t, "replay", "-model", swarmBug, "-path", r.Violation.Path, "-format", "json")
		if code != exitViolation {
			t.Fatalf("shard %d: replay -path %s: exit %d\n%s%s", shard, r.Violation.Path, code, rout, errOut)
		}
		var rep replayJSON
		if err := json.Unmarshal([]byte(rout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Violation == nil || rep.Violation.Property != "work-conservation" || rep.Violation.Path != r.Violation.Path {
			t.Fatalf("shard %d: replay found %+v, the swarm %s at %s", shard, rep.Violation, r.Violation.Property, r.Violation.Path)
		}
		_, again, _ := gmpcheck(t, args...)
		if a, b := withoutTime(t, r), withoutTime(t, decodeSwarm(t, again)); a != b {
			t.Fatalf("shard %d: the same seed gave\n%s\nand\n%s", shard, a, b)
		}
		if shard == 0 {
			// The text report ends with the reproduction.
			_, text, _ := gmpcheck(t, append(args[:len(args)-1], "-format", "text")...)
			if !strings.Contains(text, "to reproduce:\n  go run ./cmd/gmpcheck replay -model ") || !strings.Contains(text, "-path "+r.Violation.Path) {
				t.Errorf("no reproduction line:\n%s", text)
			}
		}
	}
}

// TestSwarmMerge: merging shards' reports adds their coverage, keeps every
// goal any shard reached and the shortest violation, and refuses reports
// of different swarms or a shard twice.
func TestSwarmMerge(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/workloads/pingpong.txt"
	var files []string
	var shards []*swarmReport
	for shard := range 3 {
		code, out, errOut := gmpcheck(t, "swarm", "-model", model, "-shards", "3", "-shard", strconv.Itoa(shard), "-max-states", "300", "-json")
		if code != exitOK {
			t.Fatalf("shard %d: exit %d\n%s%s", shard, code, out, errOut)
		}
		f := filepath.Join(dir, "shard-"+strconv.Itoa(shard)+".json")
		if err := os.WriteFile(f, []byte(out), 0o666); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		shards = append(shards, decodeSwarm(t, out))
	}
	code, out, errOut := gmpcheck(t, append([]string{"swarm", "merge", "-json"}, files...)...)
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s%s", code, out, errOut)
	}
	m := decodeSwarm(t, out)
	if m.Shard != -1 || !slices.Equal(m.Merged, []int{0, 1, 2}) {
		t.Fatalf("merged shards %v (shard %d)", m.Merged, m.Shard)
	}
	var distinct int64
	fired := map[string]bool{}
	reached := map[string]bool{}
	for _, s := range shards {
		distinct += s.DistinctStates
		for k, n := range s.Coverage {
			fired[k] = fired[k] || n > 0
		}
		for g := range s.Examples {
			reached[g] = true
		}
	}
	for k, n := range m.Coverage {
		var sum int64
		for _, s := range shards {
			sum += s.Coverage[k]
		}
		if n != sum {
			t.Errorf("coverage of %s: merged %d, shards' sum %d", k, n, sum)
		}
		if fired[k] != (n > 0) {
			t.Errorf("%s fired in a shard but not in the merge, or the reverse", k)
		}
	}
	nfired := 0
	for _, f := range fired {
		if f {
			nfired++
		}
	}
	if m.DistinctStates != distinct || m.LabelsFired != nfired || m.SometimesReached != len(reached) || len(m.Examples) != len(reached) {
		t.Errorf("merged %d states, %d labels, %d goals; shards %d, %d, %d", m.DistinctStates, m.LabelsFired, m.SometimesReached, distinct, nfired, len(reached))
	}
	if m.LabelsFired <= shards[0].LabelsFired && m.SometimesReached <= shards[0].SometimesReached && m.DistinctStates <= shards[0].DistinctStates {
		t.Errorf("the merge covers no more than shard 0")
	}
	// A merge merges again, and the text form says so.
	mf := filepath.Join(dir, "merged.json")
	os.WriteFile(mf, []byte(out), 0o666)
	if code, text, errOut := gmpcheck(t, "swarm", "merge", mf); code != exitOK || !strings.Contains(text, "3 shards merged ([0 1 2]) of 3") {
		t.Errorf("merge of a merge: exit %d\n%s%s", code, text, errOut)
	}
	for _, bad := range [][]string{{files[0], files[0]}, {files[0], mf}} {
		if code, _, errOut := gmpcheck(t, append([]string{"swarm", "merge"}, bad...)...); code != exitUsage || !strings.Contains(errOut, "twice") {
			t.Errorf("merge %q: exit %d, stderr %q", bad, code, errOut)
		}
	}
	_, other, _ := gmpcheck(t, "swarm", "-model", "mutex", "-shards", "3", "-shard", "1", "-max-states", "300", "-json")
	of := filepath.Join(dir, "other.json")
	os.WriteFile(of, []byte(other), 0o666)
	if code, _, errOut := gmpcheck(t, "swarm", "merge", files[0], of); code != exitUsage || !strings.Contains(errOut, "model") {
		t.Errorf("merge of two models: exit %d, stderr %q", code, errOut)
	}
}

// TestSwarmLocal runs a local swarm (shards as child processes) to the
// first violation.
func TestSwarmLocal(t *testing.T) {
	bin := gmpcheckBinary(t)
	cmd := exec.Command(bin, "swarm", "-model", swarmBug, "-shards", "4", "-parallel", "2", "-max-states", "200000", "-json")
	out, err := cmd.Output()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != exitViolation {
		t.Fatalf("exit %v, want %d\n%s", err, exitViolation, out)
	}
	r := decodeSwarm(t, string(out))
	if r.Shard != -1 || len(r.Merged) == 0 || r.Violation == nil || r.FirstViolationSeconds <= 0 {
		t.Fatalf("local swarm: %+v", r)
	}
}

// TestSwarmJobManifest parses deploy/swarm-job.yaml: an Indexed Job whose
// pods run 'gmpcheck swarm' with -shard from JOB_COMPLETION_INDEX and
// -shards equal to its completions, with flags swarm accepts.
func TestSwarmJobManifest(t *testing.T) {
	data, err := os.ReadFile("../../deploy/swarm-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			MaxFailed      int    `yaml:"maxFailedIndexes"`
			Template       struct {
				Spec struct {
					RestartPolicy string `yaml:"restartPolicy"`
					Containers    []struct {
						Name    string   `yaml:"name"`
						Command []string `yaml:"command"`
						Args    []string `yaml:"args"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	s := job.Spec
	switch {
	case job.APIVersion != "batch/v1" || job.Kind != "Job":
		t.Fatalf("%s %s, want a batch/v1 Job", job.APIVersion, job.Kind)
	case s.CompletionMode != "Indexed":
		t.Fatalf("completionMode %q, want Indexed (JOB_COMPLETION_INDEX is set only then)", s.CompletionMode)
	case s.Completions < 1 || s.Parallelism < 1 || s.Parallelism > s.Completions:
		t.Fatalf("completions %d, parallelism %d", s.Completions, s.Parallelism)
	case s.MaxFailed != s.Completions:
		t.Errorf("maxFailedIndexes %d: a shard that finds a violation fails its index, and the others must go on (want %d)", s.MaxFailed, s.Completions)
	case s.Template.Spec.RestartPolicy != "Never":
		t.Errorf("restartPolicy %q: want Never (podFailurePolicy needs it)", s.Template.Spec.RestartPolicy)
	case len(s.Template.Spec.Containers) != 1:
		t.Fatalf("%d containers, want 1", len(s.Template.Spec.Containers))
	}
	c := s.Template.Spec.Containers[0]
	args := append(c.Command[1:], c.Args...)
	if len(c.Command) == 0 || filepath.Base(c.Command[0]) != "gmpcheck" || len(args) == 0 || args[0] != "swarm" {
		t.Fatalf("the container runs %q %q, want gmpcheck swarm", c.Command, c.Args)
	}
	f := newSwarmFlags()
	flagArgs := slices.Clone(args[1:])
	shardArg := slices.Index(flagArgs, "-shard")
	if shardArg < 0 || shardArg+1 >= len(flagArgs) || flagArgs[shardArg+1] != "$(JOB_COMPLETION_INDEX)" {
		t.Fatalf("args %q: want -shard $(JOB_COMPLETION_INDEX)", args)
	}
	// Each pod's arguments, as Kubernetes expands them, are valid swarm
	// flags naming a shard below -shards.
	for _, index := range []int{0, s.Completions - 1} {
		flagArgs[shardArg+1] = strconv.Itoa(index)
		pos, _, err := parseFlags(f.fs, flagArgs)
		if err != nil || len(pos) > 0 {
			t.Fatalf("pod %d's args %q: %v %q", index, flagArgs, err, pos)
		}
		if f.shards != s.Completions {
			t.Fatalf("-shards %d, completions %d: they must agree", f.shards, s.Completions)
		}
		if f.shard != index || !f.json {
			t.Fatalf("pod %d: -shard %d, -json %t", index, f.shard, f.json)
		}
	}
	if _, err := os.Stat(filepath.Join("../..", f.config.workload)); f.config.workload != "" && err != nil {
		t.Errorf("the manifest's workload: %v", err)
	}
}
