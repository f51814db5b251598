package checker

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// valuesOnly is a model whose states the checker keeps as values: it
// hides its model's Decode.
type valuesOnly struct{ Model[tst, int] }

// TestNumberStateLimit: phase 3 numbers blocks in parallel, and a state
// limit cuts the round inside a block, at the first state past the limit,
// as numbering one state at a time would. Every worker count, rounds of
// one block or of the default size, encodings or values, reports the same
// states, depth and Sometimes witnesses (whose paths go through the
// trace store), with exactly the limit numbered.
func TestNumberStateLimit(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 40, bad: 29}
	// Rounds change how far the visited set has grown at the stop.
	cmp := func(r *Result) string { r.BytesPerState = 0; return comparable(t, r) }
	for _, limit := range []int64{1, 2, 255, 256, 257, 1000, 30001} {
		want := cmp(Check(ctx, m, Options{Workers: 1, MaxStates: limit}))
		for _, w := range []int{1, 2, 3} {
			for _, rounds := range []int{1, roundBlocks} {
				for _, values := range []bool{false, true} {
					var mm Model[tst, int] = m
					if values {
						mm = valuesOnly{m}
					}
					r := Check(ctx, mm, Options{Workers: w, MaxStates: limit, roundBlocks: rounds})
					if r.Verdict != VerdictIncomplete || r.Incomplete != "state limit" || r.DistinctStates != max(limit, 2) {
						t.Fatalf("limit %d, %d workers, rounds %d, values %v: %s (%s), %d states; want the state limit at exactly %d (or the 2 initial states)",
							limit, w, rounds, values, r.Verdict, r.Incomplete, r.DistinctStates, limit)
					}
					if got := cmp(r); got != want {
						t.Fatalf("limit %d, %d workers, rounds %d, values %v:\n%s\none worker:\n%s", limit, w, rounds, values, got, want)
					}
				}
			}
		}
	}
}

// wideActs has 300 actions in every state: x += a+1 (mod 5000). The
// shortest way to 4999 takes 17 steps, most of them with action indexes
// the trace store keeps in its map (255 and up).
type wideActs struct{}

type wst struct{ x uint16 }

func (wideActs) Init() []wst { return []wst{{}} }
func (wideActs) Actions(s *wst, dst []int) []int {
	for a := range 300 {
		dst = append(dst, a)
	}
	return dst
}
func (wideActs) Next(s *wst, a int) wst { return wst{uint16((int(s.x) + a + 1) % 5000)} }
func (wideActs) Encode(s *wst, dst []byte) []byte {
	return append(dst, byte(s.x), byte(s.x>>8))
}
func (wideActs) Properties() []Property[wst] {
	return []Property[wst]{Always("below-4999", func(s *wst) bool { return s.x != 4999 })}
}
func (wideActs) ActionKinds() []string     { return []string{"add"} }
func (wideActs) Kind(int) int              { return 0 }
func (wideActs) Process(int) int           { return 0 }
func (wideActs) FormatAction(a int) string { return "add " + strconv.Itoa(a+1) }

// TestNumberWideActions: action indexes of 255 and more, which phase 3's
// workers leave for the trace store's map, come back in the counterexample
// at every worker count.
func TestNumberWideActions(t *testing.T) {
	ctx := context.Background()
	want := ""
	for _, w := range []int{1, 2, 3} {
		r := Check(ctx, wideActs{}, Options{Workers: w})
		if r.Violation == nil || r.Violation.Property != "below-4999" || r.Depth != 17 || r.DistinctStates != 5000 {
			t.Fatalf("%d workers: %+v; want below-4999 violated at depth 17 after all 5000 states", w, r)
		}
		path := r.Violation.Path
		x, wide := 0, 0
		for i, p := range strings.Split(path, "/")[1:] {
			a, err := strconv.Atoi(p)
			if err != nil {
				t.Fatalf("path %q: step %d: %v", path, i, err)
			}
			x = (x + a + 1) % 5000
			if a >= actEscape {
				wide++
			}
		}
		if x != 4999 || wide < 10 {
			t.Fatalf("%d workers: path %q ends at %d with %d wide steps; want 4999 with at least 10", w, path, x, wide)
		}
		if want == "" {
			want = path
		} else if path != want {
			t.Fatalf("%d workers: path %q, one worker %q", w, path, want)
		}
	}
}

// slowTriple is triple with a pause every 200 steps, so that a run lasts
// long enough for progress lines.
type slowTriple struct {
	triple
	steps *atomic.Int64
}

func (m slowTriple) Next(s *tst, a int) tst {
	if m.steps.Add(1)%200 == 0 {
		time.Sleep(50 * time.Microsecond)
	}
	return m.triple.Next(s, a)
}

// TestProgressCounts: the progress lines, printed by the watcher goroutine
// while the workers number states (go test -race checks they share
// nothing unsynchronised), count distinct states that only grow, up to the
// run's total.
func TestProgressCounts(t *testing.T) {
	var out strings.Builder
	m := slowTriple{triple{n: 40, bad: 40}, new(atomic.Int64)}
	r := Check(context.Background(), Model[tst, int](m), Options{Workers: 2, Progress: &out, ProgressInterval: time.Nanosecond})
	if r.Verdict != VerdictOK || r.DistinctStates != 40*40*40 {
		t.Fatalf("%s, %d states; want ok after %d", r.Verdict, r.DistinctStates, 40*40*40)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := int64(0)
	for _, l := range lines {
		_, rest, ok := strings.Cut(l, ", ")
		var d int64
		if _, err := fmt.Sscanf(rest, "%d distinct", &d); !ok || err != nil {
			t.Fatalf("progress line %q: %v", l, err)
		}
		if d < last || d > r.DistinctStates {
			t.Fatalf("progress line %q: %d distinct after %d, of %d in all", l, d, last, r.DistinctStates)
		}
		last = d
	}
	if len(lines) < 2 {
		t.Fatalf("%d progress lines in %.2fs: %q", len(lines), r.Seconds, out.String())
	}
}

// bigTree is a tree of branching 8 and depth 4 whose states encode to 4
// KiB each: one block of its level 3 has 2,048 new successors, 8 MiB of
// encodings, more than a level chunk (frontierChunk), which phase 3 must
// place in one piece even in a chunk kept from an earlier level.
type bigTree struct{}

type bts struct {
	depth uint8
	index uint32
}

func (bigTree) Init() []bts { return []bts{{}} }
func (bigTree) Actions(s *bts, dst []int) []int {
	if s.depth < 4 {
		dst = append(dst, 0, 1, 2, 3, 4, 5, 6, 7)
	}
	return dst
}
func (bigTree) Next(s *bts, a int) bts { return bts{s.depth + 1, s.index*8 + uint32(a)} }
func (bigTree) Encode(s *bts, dst []byte) []byte {
	dst = append(dst, s.depth, byte(s.index), byte(s.index>>8), byte(s.index>>16))
	return append(dst, make([]byte, 4096-4)...)
}
func (bigTree) Decode(b []byte, s *bts) {
	*s = bts{b[0], uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16}
}
func (bigTree) Properties() []Property[bts] {
	return []Property[bts]{Sometimes("leaf-4095", func(s *bts) bool { return s.depth == 4 && s.index == 4095 })}
}
func (bigTree) ActionKinds() []string     { return []string{"child"} }
func (bigTree) Kind(int) int              { return 0 }
func (bigTree) Process(int) int           { return 0 }
func (bigTree) FormatAction(a int) string { return "child " + strconv.Itoa(a) }

// TestNumberLargeBlocks: a block whose new states outgrow a level chunk.
func TestNumberLargeBlocks(t *testing.T) {
	for _, w := range []int{1, 2} {
		r := Check(context.Background(), bigTree{}, Options{Workers: w, AllowDeadlock: true})
		if r.Verdict != VerdictOK || r.DistinctStates != 1+8+64+512+4096 || r.Depth != 4 || r.Examples["leaf-4095"] != "0/7/7/7/7" {
			t.Fatalf("%d workers: %s (%s), %d states, depth %d, example %q; want ok, 4,681 states, depth 4, leaf 4095 by 0/7/7/7/7",
				w, r.Verdict, r.Incomplete, r.DistinctStates, r.Depth, r.Examples["leaf-4095"])
		}
	}
}
