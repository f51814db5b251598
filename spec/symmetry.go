package spec

import (
	"encoding/binary"
	"math/bits"
)

// Symmetry. Ps are interchangeable: nothing in the model depends on a P's
// index (the loops over allp that the source runs in index order, retake
// and checkRunqsNoP, take any order here; stealWork's order is random in
// the source too). Worker Ms that exist (or whose id is reserved) are
// interchangeable too: m0 differs from the others only in the initial
// state. Sysmon and the Ms not yet created are fixed: newm always takes id
// sched.mnext.
//
// Representative renames Ps and Ms by sorting them on a signature that
// does not mention indexes (a P's status, queue and who refers to it from
// which step; an M's step, call stack, flags and the signatures of the Ps
// it refers to), keeping the current order among equal signatures. Two
// states with the same representative are renamings of each other, so
// exploring one of them is enough; the map is not canonical (ties are
// broken by index), which only means some symmetric states are explored
// twice.

// Representative renames s's Ps and worker Ms into signature order.
func (m *Model) Representative(s *State) State {
	var t State
	return *m.RepresentativeInto(s, &t)
}

// RepresentativeInto is Representative without copies: it returns s itself
// if s is its own representative, and otherwise writes the representative
// into dst and returns dst. dst must be zero or hold an earlier result for
// this model: only the parts of the arrays the configuration uses are
// written.
func (m *Model) RepresentativeInto(s, dst *State) *State {
	pp, mp, identity := m.perm(s)
	if identity {
		return s
	}
	applyPerm(m.C, s, &pp, &mp, dst)
	return dst
}

// RepresentativeProcs is RepresentativeInto that also reports how processes
// are renamed (checker.SymmetricProcs): an M's actions are process M (its
// index), the environment's for goroutine g are process nm+g, and only
// worker Ms are renamed.
func (m *Model) RepresentativeProcs(s, dst *State, perm []uint8) *State {
	pp, mp, identity := m.perm(s)
	for p := range perm {
		perm[p] = uint8(p)
	}
	for i := 0; i < m.C.nm() && i < len(perm); i++ {
		perm[i] = mp[i]
	}
	if identity {
		return s
	}
	applyPerm(m.C, s, &pp, &mp, dst)
	return dst
}

// perm computes the renaming: old P index -> new, old M index -> new.
func (m *Model) perm(s *State) (pperm [MaxP + MaxM]uint8, oldToNew [MaxM]uint8, identity bool) {
	c := m.C
	np := c.GOMAXPROCS

	// P signatures.
	type psig struct {
		key [24]uint8
		old int
	}
	var ps [MaxP]psig
	for p := 0; p < np; p++ {
		pp := &s.P[p]
		k := &ps[p].key
		ps[p].old = p
		k[0] = pp.Status
		k[1] = pp.RunqN
		copy(k[2:], pp.Runq[:])
		k[8] = pp.Runnext
		k[9] = pp.Timers
		k[10] = 255
	}
	for i, q := range s.Sched.Pidle {
		if q != 0 {
			ps[q-1].key[10] = uint8(i)
		}
	}
	// Who refers to each P, by role and step (in one pass over the Ms; a
	// later M overwrites an earlier one's entry, in M order).
	for i := 0; i < c.nm(); i++ {
		mm := &s.M[i]
		if mm.P != 0 {
			k := &ps[mm.P-1].key
			k[11] = mm.PC
			k[12] = mm.CurG
		}
		if mm.NextP != 0 && mm.NextP != mm.P {
			ps[mm.NextP-1].key[13] = mm.PC
		}
		if mm.OldP != 0 {
			ps[mm.OldP-1].key[14]++
		}
		if mm.LP != 0 {
			ps[mm.LP-1].key[15] = mm.PC
		}
		for v := mm.Visited; v != 0; v &= v - 1 {
			if p := bits.TrailingZeros8(v); p < np {
				ps[p].key[16]++
			}
		}
	}
	for v := s.World.RunSafePointFn; v != 0; v &= v - 1 {
		if p := bits.TrailingZeros8(v); p < np {
			ps[p].key[17] = 1
		}
	}
	for i := 1; i < np; i++ { // insertion sort: stable, and n is tiny
		for j := i; j > 0 && keyLess(ps[j].key[:], ps[j-1].key[:]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for newp := 0; newp < np; newp++ {
		pperm[ps[newp].old] = uint8(newp)
	}

	// M signatures, over the worker Ms with ids below mnext.
	type msig struct {
		key [40]uint8
		old int
	}
	var ms [MaxM]msig
	var idxBuf [MaxM]int
	idx := idxBuf[:0]
	sm := c.sysmonM()
	for i := 0; i < int(s.Sched.MNext); i++ {
		if i != sm {
			idx = append(idx, i)
		}
	}
	// Where each M is on midle, and the wait-object locks it holds.
	var midleAt, objLocks [MaxM]uint8
	for i := range midleAt {
		midleAt[i] = 255
	}
	for j, q := range s.Sched.Midle {
		if q != 0 {
			midleAt[q-1] = uint8(j)
		}
	}
	for o, q := range s.Sched.ObjLock {
		if q != 0 {
			objLocks[q-1] |= 1 << o
		}
	}
	n := 0
	for _, i := range idx {
		mm := &s.M[i]
		k := &ms[n].key
		ms[n].old = i
		n++
		k[0] = b2u(mm.Created)
		k[1] = mm.PC
		copy(k[2:7], mm.Ret[:])
		k[7] = mm.Depth
		k[8] = b2u(mm.Spinning)
		k[9] = mm.Park
		k[10] = b2u(mm.Started)<<1 | mm.StartFn
		k[11] = mm.CurG
		k[12] = mm.LG
		k[13] = mm.LG2
		k[14] = mm.List
		k[15] = mm.List2
		copy(k[16:22], mm.Q[:])
		k[22] = mm.N
		k[23] = uint8(mm.Flags)
		k[24] = uint8(mm.Flags >> 8)
		k[25] = pmap(&pperm, mm.P)
		k[26] = pmap(&pperm, mm.NextP)
		k[27] = pmap(&pperm, mm.OldP)
		k[28] = pmap(&pperm, mm.LP)
		k[29] = permBits(&pperm, mm.Visited, np)
		k[30] = midleAt[i]
		if s.Sched.Lock == mref(i) {
			k[31] = 1
		}
		if s.Sched.ForcegcLock == mref(i) {
			k[32] = 1
		}
		k[33] = objLocks[i]
		if mm.LM != 0 {
			k[34] = s.M[mm.LM-1].PC + 1
		}
		k[35] = mm.QN
		k[36] = s.World.LockedG[i]
		k[38] = uint8(s.World.LockedExit >> i & 1)
		if s.World.Stopper == mref(i) {
			k[37] = 1
		}
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && keyLess(ms[j].key[:], ms[j-1].key[:]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	// The j-th smallest signature takes the j-th permutable index.
	for i := range oldToNew {
		oldToNew[i] = uint8(i)
	}
	for j := 0; j < n; j++ {
		oldToNew[ms[j].old] = uint8(idx[j])
	}
	identity = true
	for p := 0; p < np; p++ {
		identity = identity && pperm[p] == uint8(p)
	}
	for i := range oldToNew {
		identity = identity && oldToNew[i] == uint8(i)
	}
	return pperm, oldToNew, identity
}

func pmap(perm *[MaxP + MaxM]uint8, ref uint8) uint8 {
	if ref == 0 {
		return 0
	}
	return perm[ref-1] + 1
}

func mmap(perm *[MaxM]uint8, ref uint8) uint8 {
	if ref == 0 {
		return 0
	}
	return perm[ref-1] + 1
}

func permBits(perm *[MaxP + MaxM]uint8, bits uint8, np int) uint8 {
	var out uint8
	for p := 0; p < np; p++ {
		if bits&(1<<p) != 0 {
			out |= 1 << perm[p]
		}
	}
	return out
}

// applyPerm writes s with Ps renamed by pp and Ms by mp (old index -> new
// index) into t, copying only the parts of the arrays c uses (see
// RepresentativeInto).
func applyPerm(c *Config, s *State, pp *[MaxP + MaxM]uint8, mp *[MaxM]uint8, t *State) {
	np := c.GOMAXPROCS
	copy(t.G[:c.ng()], s.G[:c.ng()])
	t.Sched = s.Sched
	t.Throw, t.ThrowM, t.Report, t.Exited = s.Throw, s.ThrowM, s.Report, s.Exited
	for p := 0; p < np; p++ {
		q := s.P[p]
		q.M = mmap(mp, q.M)
		t.P[pp[p]] = q
	}
	for i := 0; i < c.nm(); i++ {
		mm := s.M[i]
		mm.P = pmap(pp, mm.P)
		mm.NextP = pmap(pp, mm.NextP)
		mm.OldP = pmap(pp, mm.OldP)
		mm.LP = pmap(pp, mm.LP)
		mm.LM = mmap(mp, mm.LM)
		mm.Visited = permBits(pp, mm.Visited, np)
		t.M[mp[i]] = mm
	}
	for g := 0; g < c.ng(); g++ {
		t.G[g].M = mmap(mp, s.G[g].M)
	}
	sc := &t.Sched
	sc.Lock = mmap(mp, sc.Lock)
	sc.ForcegcLock = mmap(mp, sc.ForcegcLock)
	for o := range sc.ObjLock {
		sc.ObjLock[o] = mmap(mp, sc.ObjLock[o])
	}
	for i := range sc.Midle {
		sc.Midle[i] = mmap(mp, sc.Midle[i])
	}
	for i := range sc.Pidle {
		sc.Pidle[i] = pmap(pp, sc.Pidle[i])
	}
	t.ThrowM = mmap(mp, t.ThrowM)
	if c.world() {
		w := &t.World
		*w = s.World
		w.Stopper = mmap(mp, w.Stopper)
		w.RunSafePointFn = permBits(pp, w.RunSafePointFn, np)
		w.LockedExit = 0
		for i := 0; i < c.nm(); i++ {
			w.LockedG[mp[i]] = s.World.LockedG[i]
			w.LockedExit |= (s.World.LockedExit >> i & 1) << mp[i]
		}
		for g := 0; g < c.ng(); g++ {
			w.LockedM[g] = mmap(mp, s.World.LockedM[g])
		}
	}
}

// keyLess orders signatures as bytes.Compare does, eight bytes at a time
// (len(a) == len(b), a multiple of 8).
func keyLess(a, b []byte) bool {
	for i := 0; i+8 <= len(a); i += 8 {
		x, y := binary.BigEndian.Uint64(a[i:]), binary.BigEndian.Uint64(b[i:])
		if x != y {
			return x < y
		}
	}
	return false
}
