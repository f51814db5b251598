package checker

import (
	"encoding/binary"
	"math/bits"
)

// Fingerprints are 64-bit hashes of a state's canonical encoding. The
// function below multiplies 64-bit words into 128-bit products and folds
// them (a "multiply-xor" mix), which is fast on amd64 and arm64 and mixes
// every input bit into every output bit. It is fixed (not seeded per
// process) so that runs are reproducible, fingerprint collisions included;
// Options.HashSeed chooses another function of the family, whose
// collisions are independent of the default's.
const (
	fpK0 = 0xa0761d6478bd642f
	fpK1 = 0xe7037ed1a0b428db
	fpK2 = 0x8ebc6af09c88c6e3
	fpK3 = 0x589965cc75374cc3
)

func fpMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fingerprint returns the fingerprint of b with the default hash.
func fingerprint(b []byte) uint64 { return seededFingerprint(b, 0) }

// seededFingerprint returns the fingerprint of b with the hash of the given
// seed (0: the default); it is never 0, which the visited set uses to mark
// an empty slot.
func seededFingerprint(b []byte, seed uint64) uint64 {
	h := fpK0 ^ uint64(len(b))*fpK3 ^ seed
	for len(b) >= 16 {
		w0 := binary.LittleEndian.Uint64(b)
		w1 := binary.LittleEndian.Uint64(b[8:])
		h = fpMix(w0^fpK1, w1^h)
		b = b[16:]
	}
	// The last 0..15 bytes, little-endian, zero-padded to two words. The
	// loads overlap rather than going byte by byte; overlapping bytes are
	// equal, so OR-ing them in gives the same words.
	var w0, w1 uint64
	switch n := len(b); {
	case n >= 8:
		w0 = binary.LittleEndian.Uint64(b)
		w1 = binary.LittleEndian.Uint64(b[n-8:]) >> (8 * (16 - n))
	case n >= 4:
		w0 = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<(8*(n-4))
	case n > 0:
		w0 = uint64(b[0]) | uint64(b[n/2])<<(8*(n/2)) | uint64(b[n-1])<<(8*(n-1))
	}
	h = fpMix(w0^fpK1, w1^h^fpK2)
	h = fpMix(h^fpK0, h^fpK3)
	if h == 0 {
		h = 1
	}
	return h
}
