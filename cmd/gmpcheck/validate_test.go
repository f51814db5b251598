package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	pingpongTrace  = filepath.Join("..", "..", "testdata", "validate", "pingpong.trace")
	coroutineTrace = filepath.Join("..", "..", "testdata", "validate", "coroutine.trace")
)

func TestValidate(t *testing.T) {
	code, out, errOut := gmpcheck(t, "validate", pingpongTrace)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	for _, want := range []string{
		"verdict     every transition is a step of the model",
		"events       152 (145 state transitions checked)",
		"work-conservation windows",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Two traces, one of them needing an abstraction that -strict refuses.
	code, out, _ = gmpcheck(t, "validate", "-strict", pingpongTrace, coroutineTrace)
	if code != exitViolation {
		t.Fatalf("-strict: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"REJECTED: an event the model cannot explain",
		"breaks abstraction: GoCreateBlocked: a coroutine (iter.Pull) is created parked",
		"the model would have allowed",
		"GoCreate G8 on M",
		"iter.Pull",
		"reproduce: gmpcheck validate -strict " + coroutineTrace,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-strict output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = gmpcheck(t, "validate", "-json", pingpongTrace, coroutineTrace)
	if code != exitOK {
		t.Fatalf("-json: exit %d\n%s", code, out)
	}
	var res []struct {
		File       string           `json:"file"`
		Events     int64            `json:"events"`
		Abstracted map[string]int64 `json:"abstracted"`
		Rejection  any              `json:"rejection"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	if len(res) != 2 || res[0].Events != 152 || res[1].Events != 90 || res[1].Abstracted["coroutine created parked"] != 1 || res[0].Rejection != nil {
		t.Errorf("-json: %+v", res)
	}
}

func TestValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(pingpongTrace)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.trace")
	os.WriteFile(truncated, data[:len(data)/2], 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"validate"}, "validate: no trace file"},
		{[]string{"validate", filepath.Join(dir, "missing.trace")}, "missing.trace: no such file or directory"},
		{[]string{"validate", filepath.Join("..", "..", "testdata", "workloads", "pingpong.txt")}, "not a readable execution trace: no trace header"},
		{[]string{"validate", truncated}, "truncated.trace: corrupt or truncated trace after"},
		{[]string{"validate", "-windows", "-1", pingpongTrace}, "-windows -1 is negative"},
		{[]string{"validate", "-format", "dot", pingpongTrace}, "-format dot: want text or json"},
	} {
		code, out, errOut := gmpcheck(t, c.args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want 2\n%s%s", c.args, code, out, errOut)
		}
		if !strings.Contains(errOut, c.want) {
			t.Errorf("%q: stderr %q lacks %q", c.args, errOut, c.want)
		}
	}
}
