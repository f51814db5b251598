package checker

import (
	"math/rand/v2"
	"testing"
)

// TestFPSetAgainstMap inserts random fingerprints, many repeated, and
// compares every answer with a Go map.
func TestFPSetAgainstMap(t *testing.T) {
	s := newFPSet()
	ref := make(map[uint64]bool)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 400000; i++ {
		fp := rng.Uint64()%300000*0x9e3779b97f4a7c15 | 1
		if got, want := s.insert(fp), !ref[fp]; got != want {
			t.Fatalf("insert %d: got new=%v, want %v", i, got, want)
		}
		ref[fp] = true
		if !s.contains(fp) {
			t.Fatalf("contains after insert failed")
		}
	}
	var n uint64
	for i := range s.shards {
		n += s.shards[i].n
	}
	if n != uint64(len(ref)) {
		t.Fatalf("set holds %d fingerprints, map %d", n, len(ref))
	}
	for fp := range ref {
		if !s.contains(fp) {
			t.Fatalf("lost %x", fp)
		}
	}
	for i := 0; i < 100000; i++ {
		fp := rng.Uint64() | 1
		if s.contains(fp) != ref[fp] {
			t.Fatalf("contains(%x) disagrees with the map", fp)
		}
	}
}

func TestFingerprintDistinguishesLengths(t *testing.T) {
	seen := map[uint64]string{}
	for _, s := range []string{"", "\x00", "\x00\x00", "a", "a\x00", "0123456789abcdef", "0123456789abcdef\x00"} {
		fp := fingerprint([]byte(s))
		if o, dup := seen[fp]; dup {
			t.Fatalf("%q and %q share a fingerprint", o, s)
		}
		seen[fp] = s
	}
}
