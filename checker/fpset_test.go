package checker

import (
	"encoding/binary"
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

// fingerprintBytewise is the byte-by-byte form of fingerprint's tail, the
// definition that fingerprint's word loads must agree with: fingerprints
// are fixed, so that runs stay reproducible across versions.
func fingerprintBytewise(b []byte) uint64 {
	h := fpK0 ^ uint64(len(b))*fpK3
	for len(b) >= 16 {
		w0 := binary.LittleEndian.Uint64(b)
		w1 := binary.LittleEndian.Uint64(b[8:])
		h = fpMix(w0^fpK1, w1^h)
		b = b[16:]
	}
	var w0, w1 uint64
	for i, c := range b {
		if i < 8 {
			w0 |= uint64(c) << (8 * i)
		} else {
			w1 |= uint64(c) << (8 * (i - 8))
		}
	}
	h = fpMix(w0^fpK1, w1^h^fpK2)
	h = fpMix(h^fpK0, h^fpK3)
	if h == 0 {
		h = 1
	}
	return h
}

func TestFingerprintWordLoads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 64; n++ {
		for range 200 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if got, want := fingerprint(b), fingerprintBytewise(b); got != want {
				t.Fatalf("fingerprint(%x) = %x, byte by byte %x", b, got, want)
			}
		}
	}
	// Pinned values (those of the byte-by-byte version this replaced), so
	// that a change of the function shows.
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0xf677d220afdf2705},
		{"\x01\x02\x03", 0x51b4a91bf970ec16},
		{"0123456789abcdef0123", 0xad554aff48875d95},
	} {
		if got := fingerprint([]byte(tc.in)); got != tc.want {
			t.Errorf("fingerprint(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}
