package checker

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// triple is a test model for checkpoints: three counters mod n that three
// processes increment, with a reset of the first. Its levels are wide
// enough to fill several blocks. Its Always property fails when all three
// reach bad (never, when bad >= n).
type triple struct{ n, bad uint8 }

type tst struct{ a, b, c uint8 }

func (m triple) Init() []tst { return []tst{{}, {1, 0, 0}} }
func (m triple) Actions(s *tst, dst []int) []int {
	dst = append(dst, 0, 1, 2)
	if s.a > 0 {
		dst = append(dst, 3)
	}
	return dst
}
func (m triple) Next(s *tst, a int) tst {
	t := *s
	switch a {
	case 0:
		t.a = (t.a + 1) % m.n
	case 1:
		t.b = (t.b + 1) % m.n
	case 2:
		t.c = (t.c + 1) % m.n
	case 3:
		t.a = 0
	}
	return t
}
func (m triple) Encode(s *tst, dst []byte) []byte { return append(dst, s.a, s.b, s.c) }
func (m triple) Decode(b []byte, s *tst)          { *s = tst{b[0], b[1], b[2]} }
func (m triple) Properties() []Property[tst] {
	return []Property[tst]{
		Always("not-all-bad", func(s *tst) bool { return s.a != m.bad || s.b != m.bad || s.c != m.bad }),
		Sometimes("c-max", func(s *tst) bool { return s.c == m.n-1 }),
		Sometimes("b-half", func(s *tst) bool { return s.b == m.n/2 }),
	}
}
func (m triple) ActionKinds() []string     { return []string{"inc-a", "inc-b", "inc-c", "reset-a"} }
func (m triple) Kind(a int) int            { return a }
func (m triple) Process(a int) int         { return min(a, 2) }
func (m triple) FormatAction(a int) string { return m.ActionKinds()[a] }

// comparable returns r as JSON without what may differ between an
// uninterrupted run and a resumed one: times, workers and the checkpoints
// written.
func comparable(t *testing.T, r *Result) string {
	t.Helper()
	c := *r
	c.Seconds, c.StatesPerSecond, c.Workers = 0, 0, 0
	c.Checkpoints, c.CheckpointSeconds, c.CheckpointError = 0, 0, ""
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckpointEveryLevel stops a run at every level (by its depth limit,
// which checkpoints), resumes it, and gets the uninterrupted run's result:
// for a model that holds and one with a violation, at one and two workers.
func TestCheckpointEveryLevel(t *testing.T) {
	ctx := context.Background()
	for _, m := range []triple{{n: 12, bad: 99}, {n: 12, bad: 9}} {
		want := Check(ctx, m, Options{Workers: 1})
		if w2 := Check(ctx, m, Options{Workers: 2}); comparable(t, w2) != comparable(t, want) {
			t.Fatalf("bad=%d: 1 and 2 workers differ:\n%s\n%s", m.bad, comparable(t, want), comparable(t, w2))
		}
		if want.Depth < 10 || (m.bad < m.n) != (want.Verdict == VerdictViolation) {
			t.Fatalf("bad=%d: unexpected reference result %+v", m.bad, want)
		}
		for d := 1; d < want.Depth; d++ {
			dir := t.TempDir()
			ck := &Checkpoint{Dir: dir, Identity: "triple"}
			r := Check(ctx, m, Options{Workers: 1 + d%2, MaxDepth: d, Checkpoint: ck})
			if r.Verdict != VerdictIncomplete || r.Checkpoints != 1 || r.CheckpointError != "" {
				t.Fatalf("bad=%d depth %d: stopped run %+v", m.bad, d, r)
			}
			got, err := Resume(ctx, m, Options{Workers: 2 - d%2, Checkpoint: ck})
			if err != nil {
				t.Fatalf("bad=%d depth %d: %v", m.bad, d, err)
			}
			if g, w := comparable(t, got), comparable(t, want); g != w {
				t.Fatalf("bad=%d depth %d: resumed\n%s\nwant\n%s", m.bad, d, g, w)
			}
		}
	}
}

// TestCheckpointPeriodic checkpoints at every level boundary (Every of a
// nanosecond) and resumes from the last one written.
func TestCheckpointPeriodic(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 99}
	want := Check(ctx, m, Options{})
	ck := &Checkpoint{Dir: t.TempDir(), Every: time.Nanosecond, Identity: "triple"}
	r := Check(ctx, m, Options{Checkpoint: ck})
	if comparable(t, r) != comparable(t, want) || r.Checkpoints != want.Depth+1 {
		t.Fatalf("checkpointing run %+v (%d checkpoints), want %+v", r, r.Checkpoints, want)
	}
	got, err := Resume(ctx, m, Options{Checkpoint: ck})
	if err != nil {
		t.Fatal(err)
	}
	if comparable(t, got) != comparable(t, want) {
		t.Fatalf("resumed %+v, want %+v", got, want)
	}
}

// TestCheckpointCancelled: a cancelled run checkpoints the last level
// boundary it passed, and resuming it finishes the search.
func TestCheckpointCancelled(t *testing.T) {
	m := triple{n: 12, bad: 99}
	want := Check(context.Background(), m, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
	r := Check(ctx, m, Options{Checkpoint: ck})
	if r.Verdict != VerdictIncomplete || r.Checkpoints != 1 {
		t.Fatalf("cancelled run %+v", r)
	}
	got, err := Resume(context.Background(), m, Options{Checkpoint: ck})
	if err != nil {
		t.Fatal(err)
	}
	if comparable(t, got) != comparable(t, want) {
		t.Fatalf("resumed %+v, want %+v", got, want)
	}
}

// TestCheckpointRefused: a checkpoint of another model, other options, a
// corrupt or truncated file, or none at all is refused with an error.
func TestCheckpointRefused(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 99}
	dir := t.TempDir()
	Check(ctx, m, Options{MaxDepth: 5, Checkpoint: &Checkpoint{Dir: dir, Identity: "triple"}})
	if id, err := ReadCheckpointIdentity(dir); err != nil || id != "triple" {
		t.Fatalf("ReadCheckpointIdentity = %q, %v", id, err)
	}
	for _, c := range []struct {
		name string
		opt  Options
	}{
		{"identity", Options{Checkpoint: &Checkpoint{Dir: dir, Identity: "other"}}},
		{"deadlock", Options{AllowDeadlock: true, Checkpoint: &Checkpoint{Dir: dir, Identity: "triple"}}},
	} {
		if _, err := Resume(ctx, m, c.opt); !errors.Is(err, ErrCheckpointMismatch) {
			t.Errorf("%s: err = %v, want a mismatch", c.name, err)
		}
	}
	data, err := os.ReadFile(CheckpointPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)-20],
		"corrupt":   append(append([]byte(nil), data[:len(data)-10]...), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
		"version":   append(append([]byte(checkpointMagic), 9, 0, 0, 0, 0, 0, 0, 0), data[len(checkpointMagic)+8:]...),
	} {
		if err := os.WriteFile(CheckpointPath(ck.Dir), b, 0o666); err != nil {
			t.Fatal(err)
		}
		if _, err := Resume(ctx, m, Options{Checkpoint: ck}); err == nil {
			t.Errorf("%s: resumed", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if _, err := Resume(ctx, m, Options{Checkpoint: &Checkpoint{Dir: t.TempDir()}}); err == nil {
		t.Errorf("no checkpoint: resumed")
	}
}

// A run resumed with a depth limit below the checkpoint's depth stops at
// the first level it expands (the limit was depth == MaxDepth, which a
// resumed run could step over), and saves again.
func TestCheckpointResumeBelowDepthLimit(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 99}
	ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
	Check(ctx, m, Options{MaxDepth: 10, Checkpoint: ck})
	r, err := Resume(ctx, m, Options{MaxDepth: 4, Checkpoint: ck})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != VerdictIncomplete || r.Incomplete != "depth limit" || r.Depth != 10 || r.Checkpoints != 1 {
		t.Fatalf("resumed with -max-depth 4: %+v", r)
	}
}
