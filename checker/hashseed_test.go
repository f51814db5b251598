package checker

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestHashSeed: a seeded hash is another function (no fingerprint of
// 10,000 encodings agrees with the default's, or with another seed's),
// seed 0 is the default, and a seeded run reports what the default run
// does, at one and two workers.
func TestHashSeed(t *testing.T) {
	for i := range 10000 {
		b := []byte(strings.Repeat("x", i%40) + string(rune(i)))
		d, s1, s2 := fingerprint(b), seededFingerprint(b, 1), seededFingerprint(b, 2)
		if seededFingerprint(b, 0) != d {
			t.Fatalf("%q: seed 0 is not the default hash", b)
		}
		if s1 == d || s2 == d || s1 == s2 {
			t.Fatalf("%q: default %#x, seed 1 %#x, seed 2 %#x: want three different fingerprints", b, d, s1, s2)
		}
	}
	ctx := context.Background()
	// The set's shards fill differently: bytes per state may differ.
	cmp := func(r *Result) string { r.BytesPerState = 0; return comparable(t, r) }
	for _, m := range []triple{{n: 30, bad: 30}, {n: 30, bad: 21}} {
		want := cmp(Check(ctx, m, Options{Workers: 1}))
		for _, w := range []int{1, 2} {
			r := Check(ctx, m, Options{Workers: w, HashSeed: 99})
			if r.HashSeed != 99 {
				t.Fatalf("%+v: result says hash seed %d, want 99", m, r.HashSeed)
			}
			r.HashSeed = 0
			if got := cmp(r); got != want {
				t.Fatalf("%+v, %d workers, hash seed 99:\n%s\ndefault hash:\n%s", m, w, got, want)
			}
		}
	}
}

// TestHashSeedCheckpoint: a checkpoint resumes only with its own hash
// seed, and says which it was made with.
func TestHashSeedCheckpoint(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 9}
	ck := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
	if r := Check(ctx, m, Options{MaxDepth: 5, Checkpoint: ck, HashSeed: 7}); r.Verdict != VerdictIncomplete || r.Checkpoints != 1 {
		t.Fatalf("%s, %d checkpoints; want a saved incomplete run", r.Verdict, r.Checkpoints)
	}
	for _, tc := range []struct {
		seed uint64
		want string
	}{{0, "made with hash seed 7, not 0"}, {8, "made with hash seed 7, not 8"}} {
		_, err := Resume(ctx, m, Options{Checkpoint: ck, HashSeed: tc.seed})
		if !errors.Is(err, ErrCheckpointMismatch) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("resumed with hash seed %d: %v; want a mismatch saying %q", tc.seed, err, tc.want)
		}
	}
	r, err := Resume(ctx, m, Options{Checkpoint: ck, HashSeed: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := Check(ctx, m, Options{HashSeed: 7})
	if got, w := comparable(t, r), comparable(t, want); got != w {
		t.Fatalf("resumed:\n%s\nuninterrupted:\n%s", got, w)
	}
	// And a checkpoint of the default hash refuses a seed.
	ck0 := &Checkpoint{Dir: t.TempDir(), Identity: "triple"}
	Check(ctx, m, Options{MaxDepth: 5, Checkpoint: ck0})
	if _, err := Resume(ctx, m, Options{Checkpoint: ck0, HashSeed: 3}); err == nil || !strings.Contains(err.Error(), "made with hash seed 0 (the default), not 3") {
		t.Fatalf("default-hash checkpoint resumed with seed 3: %v", err)
	}
}
