package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
)

// FuzzParseWorkload: no workload text makes the parser or a bounded check
// of what it accepts panic. A parse error is fine; an accepted
// configuration must build a model and check 2,000 states without a
// panic. Seeds: the shipped workloads. Run longer with make fuzz.
func FuzzParseWorkload(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "workloads", "*.txt"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("gomaxprocs 1\nms 1\nrunq 2\ng main\n\tgo a\ng a\n\tpark 0\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := ParseWorkload("fuzz.txt", "fuzz", src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		m, err := New(c)
		if err != nil {
			t.Fatalf("ParseWorkload accepted a configuration New rejects: %v", err)
		}
		checker.Check(context.Background(), checker.Model[State, Action](m), checker.Options{Workers: 1, MaxStates: 2000, Symmetry: true})
	})
}
