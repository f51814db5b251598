package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpillSameResult: keeping the levels on disk changes nothing a run
// reports, for a model that holds and one with a violation, at one, two and
// three workers; and it leaves no file behind.
func TestSpillSameResult(t *testing.T) {
	ctx := context.Background()
	for _, m := range []triple{{n: 40, bad: 40}, {n: 40, bad: 29}} {
		want := comparable(t, Check(ctx, m, Options{Workers: 1}))
		for _, w := range []int{1, 2, 3} {
			dir := t.TempDir()
			got := Check(ctx, m, Options{Workers: w, Spill: dir})
			if c := comparable(t, got); c != want {
				t.Fatalf("%+v, %d workers: spilled\n%s\nin memory\n%s", m, w, c, want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("%+v, %d workers: spill files left in %s: %v", m, w, dir, ents)
			}
		}
	}
	r := Check(ctx, triple{n: 40, bad: 40}, Options{Spill: t.TempDir()})
	if r.Verdict != VerdictOK || r.DistinctStates != 40*40*40 || r.Depth != 116 || r.MaxQueue != 1201 {
		t.Fatalf("got %+v, want %d states at depth 116 and levels of up to 1,201 states (5 blocks)", r, 40*40*40)
	}
}

// TestSpillCheckpoint: a spilled run stopped at every level and resumed
// (spilled again) ends as the uninterrupted run in memory.
func TestSpillCheckpoint(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 9}
	want := comparable(t, Check(ctx, m, Options{}))
	dir, spill := t.TempDir(), t.TempDir()
	ck := &Checkpoint{Dir: dir, Identity: "triple"}
	r := Check(ctx, m, Options{MaxDepth: 1, Checkpoint: ck, Spill: spill})
	for depth := 2; r.Verdict == VerdictIncomplete; depth++ {
		var err error
		r, err = Resume(ctx, m, Options{MaxDepth: depth, Checkpoint: ck, Spill: spill, Workers: 1 + depth%2})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := comparable(t, r); got != want {
		t.Fatalf("resumed:\n%s\nuninterrupted:\n%s", got, want)
	}
}

// TestSpillUnwritable: a spill directory that cannot hold files ends the
// run as incomplete, saying why, instead of running in memory.
func TestSpillUnwritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	r := Check(context.Background(), triple{n: 8, bad: 8}, Options{Spill: dir})
	if r.Verdict != VerdictIncomplete || !strings.Contains(r.Incomplete, "spill") || !strings.Contains(r.Incomplete, "missing") {
		t.Fatalf("got %q (%s), want an incomplete run naming the spill directory", r.Verdict, r.Incomplete)
	}
}
