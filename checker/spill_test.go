package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// TestRoundsSameResult: expanding a level in rounds of a few blocks, in
// memory or spilled, at one to three workers, gives the one-pass result:
// for a model that holds, one with a violation, and runs stopped by a
// state limit and a depth limit in the middle of a level.
func TestRoundsSameResult(t *testing.T) {
	ctx := context.Background()
	type run struct {
		m   triple
		opt Options
	}
	for _, r := range []run{
		{triple{n: 40, bad: 40}, Options{}},
		{triple{n: 40, bad: 29}, Options{}},
		{triple{n: 40, bad: 40}, Options{MaxStates: 30000}},
		{triple{n: 40, bad: 40}, Options{MaxDepth: 60}},
	} {
		r.opt.Workers = 1
		// Rounds after the first of a level with a violation have
		// inserted states the one-pass search did not: they may have
		// grown the visited set and the trace store.
		cmp := func(res *Result) string { res.BytesPerState = 0; return comparable(t, res) }
		want := cmp(Check(ctx, r.m, r.opt))
		for _, rounds := range []int{1, 2, 3} {
			for _, w := range []int{1, 2, 3} {
				for _, spill := range []bool{false, true} {
					o := r.opt
					o.Workers, o.roundBlocks = w, rounds
					if spill {
						o.Spill = t.TempDir()
					}
					if got := cmp(Check(ctx, r.m, o)); got != want {
						t.Fatalf("%+v, rounds of %d blocks, %d workers, spill %v:\n%s\none pass:\n%s", r, rounds, w, spill, got, want)
					}
				}
			}
		}
	}
}

// cancelling is triple with a cancel after its nth step.
type cancelling struct {
	triple
	n      int64
	steps  *atomic.Int64
	cancel func()
}

func (m cancelling) Next(s *tst, a int) tst {
	if m.steps.Add(1) == m.n {
		m.cancel()
	}
	return m.triple.Next(s, a)
}

// TestRoundsCheckpoint: a run in rounds cancelled in the middle of a level
// (a cancel in a later round finishes the level and saves the next one's
// start; in the first, it saves the level's start) resumes to the
// uninterrupted result, for several points of cancellation.
func TestRoundsCheckpoint(t *testing.T) {
	m := triple{n: 40, bad: 29}
	want := comparable(t, Check(context.Background(), m, Options{}))
	for _, n := range []int64{100000, 120300, 150000} {
		ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
		ctx, cancel := context.WithCancel(context.Background())
		cm := cancelling{triple: m, n: n, steps: new(atomic.Int64), cancel: cancel}
		r := Check(ctx, Model[tst, int](cm), Options{Checkpoint: ck, roundBlocks: 2, Workers: 2})
		cancel()
		if r.Verdict != VerdictIncomplete || r.Checkpoints != 1 {
			t.Fatalf("cancelled at step %d: %s (%s), %d checkpoints; want a saved incomplete run", n, r.Verdict, r.Incomplete, r.Checkpoints)
		}
		for r.Verdict == VerdictIncomplete {
			var err error
			if r, err = Resume(context.Background(), m, Options{Checkpoint: ck, roundBlocks: 2}); err != nil {
				t.Fatal(err)
			}
		}
		if got := comparable(t, r); got != want {
			t.Fatalf("cancelled at step %d, resumed:\n%s\nuninterrupted:\n%s", n, got, want)
		}
	}
}
