package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// FuzzModelSpec: no model spec makes its parser panic, and a spec it
// accepts composes back (specName) into one that parses to the same
// options.
func FuzzModelSpec(f *testing.F) {
	for _, s := range []string{"sched", "sched[bug=no-runq-recheck]", "testdata/workloads/pingpong.txt[gomaxprocs=3,ms=4,runq=4,live]",
		"x.txt[features=sysmon+netpoll,profile=go1.14]", "x.txt[features=none]", "x.txt[", "x.txt[bug=]", "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		base, o, err := parseSpecName(name)
		if err != nil {
			return
		}
		again := specName(base, o)
		base2, o2, err := parseSpecName(again)
		if err != nil {
			t.Fatalf("%q composes to %q, which does not parse: %v", name, again, err)
		}
		if base2 != base || specName(base2, o2) != again {
			t.Fatalf("%q -> %q -> %q", name, again, specName(base2, o2))
		}
	})
}

// FuzzPathFromFile: no file makes the report reader panic, and a path it
// finds parses.
func FuzzPathFromFile(f *testing.F) {
	for _, s := range []string{
		"0/2/1\n",
		"to reproduce:\n  go run ./cmd/gmpcheck replay -model 'testdata/workloads/pingpong.txt[bug=no-runq-recheck]' -path 0/1/2\n",
		"config      pingpong: GOMAXPROCS=2 programs=00000001\n",
		`{"model": "mutex-racy", "config": "", "violation": {"path": "0/4/1"}}`,
		`{"path": "0/3"}`,
		"# replay: gmpcheck replay -model \"a b\" -path=0/1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := pathFromFile(data)
		if err != nil {
			return
		}
		if _, err := checker.ParsePath(s.path); err != nil {
			t.Fatalf("found path %q does not parse: %v", s.path, err)
		}
	})
}

// FuzzSwarmMerge: no shard report, however mangled, makes 'swarm merge'
// panic: it merges, or refuses with exit 2.
func FuzzSwarmMerge(f *testing.F) {
	for _, s := range []string{
		`{"model":"mutex","seed":1,"shards":2,"shard":0,"max_depth":10,"result":{"verdict":"ok"}}`,
		`{"model":"mutex","seed":1,"shards":2,"shard":1,"max_depth":10,"result":{"verdict":"violation","violation":{"property":"mutual-exclusion","kind":"always","path":"0/1/5"}}}`,
		`{"model":"sched","shards":-1,"shard":7,"result":{}}`,
		`{"result":null}`,
		`[]`,
	} {
		f.Add([]byte(s), []byte(s))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
		if err := os.WriteFile(pa, a, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pb, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		switch code := runSwarmMerge(context.Background(), []string{pa, pb}, &out, &errOut); code {
		case exitOK, exitViolation, exitUsage, exitIncomplete:
		default:
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	})
}
