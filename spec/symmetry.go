package spec

import (
	"bytes"
	"slices"
	"unsafe"
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
	var r renaming
	if m.perm(s, &r) {
		return s
	}
	applyPerm(m.C, s, &r.p, &r.m, dst)
	return dst
}

// RepresentativeProcs is RepresentativeInto that also reports how processes
// are renamed (checker.SymmetricProcs): an M's actions are process M (its
// index), the environment's for goroutine g are process nm+g, and only
// worker Ms are renamed.
func (m *Model) RepresentativeProcs(s, dst *State, perm []uint8) *State {
	var r renaming
	identity := m.perm(s, &r)
	for p := range perm {
		perm[p] = uint8(p)
	}
	for i := 0; i < m.C.nm() && i < len(perm); i++ {
		perm[i] = r.m[i]
	}
	if identity {
		return s
	}
	applyPerm(m.C, s, &r.p, &r.m, dst)
	return dst
}

// EncodeRepresentative appends the encoding of s's representative to dst
// (checker.SymmetricEncoder): Encode(Representative(s)), written straight
// from s without building the representative. Few successors are their own
// representatives (the frontier holds concrete states), so this is the
// common path of a check with symmetry.
func (m *Model) EncodeRepresentative(s *State, dst []byte) []byte {
	var r renaming
	if m.perm(s, &r) {
		return m.Encode(s, dst)
	}
	c := m.C
	np, nm, ng := c.GOMAXPROCS, c.nm(), c.ng()
	const (
		szG, szM, szP = int(unsafe.Sizeof(G{})), int(unsafe.Sizeof(M{})), int(unsafe.Sizeof(P{}))
		szSched, szW  = int(unsafe.Sizeof(Sched{})), int(unsafe.Sizeof(World{}))
		offGM         = int(unsafe.Offsetof(G{}.M))
		offMP, offMN  = int(unsafe.Offsetof(M{}.P)), int(unsafe.Offsetof(M{}.NextP))
		offMO, offMLP = int(unsafe.Offsetof(M{}.OldP)), int(unsafe.Offsetof(M{}.LP))
		offMLM, offMV = int(unsafe.Offsetof(M{}.LM)), int(unsafe.Offsetof(M{}.Visited))
		offPM         = int(unsafe.Offsetof(P{}.M))
	)
	// References through tables: ref 0 (nil) stays 0, ref i+1 becomes
	// new index+1. Refs are below 16 (MaxM, MaxP).
	var pt, mt [16]uint8
	for p := 0; p < np; p++ {
		pt[p+1] = r.p[p] + 1
	}
	for i := 0; i < nm; i++ {
		mt[i+1] = r.m[i] + 1
	}
	size := ng*szG + nm*szM + np*szP + szSched + 4
	if c.world() {
		size += szW
	}
	off := len(dst)
	dst = slices.Grow(dst, size)[:off+size]
	b := dst[off:]
	copy(b, bytesOf(&s.G, ng*szG))
	for g := 0; g < ng; g++ {
		b[g*szG+offGM] = mt[s.G[g].M&15]
	}
	// Ms and Ps go to their new slots, with their references renamed.
	b = b[ng*szG:]
	for i := 0; i < nm; i++ {
		mm := &s.M[i]
		d := (*[szM]byte)(b[int(r.m[i])*szM:])
		*d = *(*[szM]byte)(unsafe.Pointer(mm))
		d[offMP] = pt[mm.P&15]
		d[offMN] = pt[mm.NextP&15]
		d[offMO] = pt[mm.OldP&15]
		d[offMLP] = pt[mm.LP&15]
		d[offMLM] = mt[mm.LM&15]
		if v := mm.Visited; v != 0 {
			d[offMV] = permBits(&r.p, v, np)
		}
	}
	b = b[nm*szM:]
	for p := 0; p < np; p++ {
		d := (*[szP]byte)(b[int(r.p[p])*szP:])
		*d = *(*[szP]byte)(unsafe.Pointer(&s.P[p]))
		d[offPM] = mt[s.P[p].M&15]
	}
	b = b[np*szP:]
	sc := (*Sched)(unsafe.Pointer(&b[0])) // Sched's alignment is 1
	*sc = s.Sched
	sc.Lock = mt[sc.Lock&15]
	sc.ForcegcLock = mt[sc.ForcegcLock&15]
	for o := range sc.ObjLock {
		sc.ObjLock[o] = mt[sc.ObjLock[o]&15]
	}
	for i := range sc.Midle {
		sc.Midle[i] = mt[sc.Midle[i]&15]
	}
	for i := range sc.Pidle {
		sc.Pidle[i] = pt[sc.Pidle[i]&15]
	}
	b = b[szSched:]
	if c.world() {
		mp := &r.m
		w := s.World
		w.Stopper = mt[w.Stopper&15]
		w.RunSafePointFn = permBits(&r.p, w.RunSafePointFn, np)
		w.LockedExit = 0
		for i := 0; i < nm; i++ {
			w.LockedG[mp[i]] = s.World.LockedG[i]
			w.LockedExit |= (s.World.LockedExit >> i & 1) << mp[i]
		}
		for g := 0; g < ng; g++ {
			w.LockedM[g] = mt[s.World.LockedM[g]&15]
		}
		*(*[szW]byte)(b) = *(*[szW]byte)(unsafe.Pointer(&w))
		b = b[szW:]
	}
	b[0], b[1], b[2], b[3] = s.Throw, mt[s.ThrowM&15], s.Report, b2u(s.Exited)
	return dst
}

// perm computes the renaming r (old P index -> new, old M index -> new) and
// reports whether it is the identity.
//
// The signatures are compared as big-endian words, byte k of a signature
// being byte k%8 of word k/8 (the order of bytes.Compare). The first word
// of a P's (its status and queue) and of an M's (Created, step and call
// stack) is computed for all; the rest only when two first words tie,
// which most states never need.
func (m *Model) perm(s *State, r *renaming) (identity bool) {
	c := m.C
	np := c.GOMAXPROCS
	identity = true
	pperm, oldToNew := &r.p, &r.m

	// P signatures: word 0 is status, queue length and queue; words 1
	// and 2 (pTails) say who refers to the P.
	var pw0 [MaxP]uint64
	var pOrder [MaxP]uint8
	for p := 0; p < np; p++ {
		pp := &s.P[p]
		r := &pp.Runq
		pw0[p] = uint64(pp.Status)<<56 | uint64(pp.RunqN)<<48 |
			uint64(r[0])<<40 | uint64(r[1])<<32 | uint64(r[2])<<24 | uint64(r[3])<<16 | uint64(r[4])<<8 | uint64(r[5])
		pOrder[p] = uint8(p)
	}
	for i := 1; i < np; i++ { // insertion sort: stable, and n is tiny
		for j := i; j > 0; j-- {
			a, b := pOrder[j], pOrder[j-1]
			if pw0[a] > pw0[b] || pw0[a] == pw0[b] && !pTailLess(c, s, int(a), int(b)) {
				break
			}
			pOrder[j], pOrder[j-1] = b, a
		}
	}
	for newp := 0; newp < np; newp++ {
		pperm[pOrder[newp]] = uint8(newp)
		identity = identity && pOrder[newp] == uint8(newp)
	}

	// M signatures, over the worker Ms with ids below mnext. Word 0:
	// Created, PC, Ret, Depth.
	*oldToNew = identityM
	var idx [MaxM]uint8
	var mw0 [MaxM]uint64
	var mOrder [MaxM]uint8
	n := 0
	sm := c.sysmonM()
	for i := 0; i < int(s.Sched.MNext); i++ {
		if i == sm {
			continue
		}
		mm := &s.M[i]
		r := &mm.Ret
		mw0[n] = uint64(b2u(mm.Created))<<56 | uint64(mm.PC)<<48 |
			uint64(r[0])<<40 | uint64(r[1])<<32 | uint64(r[2])<<24 | uint64(r[3])<<16 | uint64(r[4])<<8 | uint64(mm.Depth)
		idx[n] = uint8(i)
		mOrder[n] = uint8(n)
		n++
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0; j-- {
			a, b := mOrder[j], mOrder[j-1]
			if mw0[a] > mw0[b] || mw0[a] == mw0[b] && !mTailLess(c, s, pperm, int(idx[a]), int(idx[b])) {
				break
			}
			mOrder[j], mOrder[j-1] = b, a
		}
	}
	// The j-th smallest signature takes the j-th permutable index.
	for j := 0; j < n; j++ {
		oldToNew[idx[mOrder[j]]] = idx[j]
		identity = identity && mOrder[j] == uint8(j)
	}
	return identity
}

var identityM = [MaxM]uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// A renaming maps old P indexes to new (p) and old M indexes to new (m).
type renaming struct {
	p [MaxP + MaxM]uint8
	m [MaxM]uint8
}

// pTailLess compares bytes 8..17 of the signatures of Ps a and b (their
// first words tie): runnext, timers, the position on pidle (255 if none),
// then who refers to the P, by role and step (a later M overwrites an
// earlier one's entry, in M order), and whether it must run the safe-point
// function. They are built only for a tie, which most states never have.
func pTailLess(c *Config, s *State, a, b int) bool {
	// Runnext, timers and the place on pidle (the last, 255 if none)
	// usually decide.
	pa, pb := pref(a), pref(b)
	ia, ib := uint32(255), uint32(255)
	for i, q := range s.Sched.Pidle {
		switch q {
		case pa:
			ia = uint32(i)
		case pb:
			ib = uint32(i)
		}
	}
	ha := uint32(s.P[a].Runnext)<<16 | uint32(s.P[a].Timers)<<8 | ia
	hb := uint32(s.P[b].Runnext)<<16 | uint32(s.P[b].Timers)<<8 | ib
	if ha != hb {
		return ha < hb
	}
	var k [2][7]uint8 // signature bytes 11..17 of a and b
	for x, p := range [2]int{a, b} {
		if s.World.RunSafePointFn&(1<<p) != 0 {
			k[x][6] = 1
		}
	}
	for i, nm := 0, c.nm(); i < nm; i++ {
		mm := &s.M[i]
		for x, r := range [2]uint8{pa, pb} {
			if mm.P == r {
				k[x][0] = mm.PC
				k[x][1] = mm.CurG
			}
			if mm.NextP == r && mm.NextP != mm.P {
				k[x][2] = mm.PC
			}
			if mm.OldP == r {
				k[x][3]++
			}
			if mm.LP == r {
				k[x][4] = mm.PC
			}
			if mm.Visited&(1<<(r-1)) != 0 {
				k[x][5]++
			}
		}
	}
	return bytes.Compare(k[0][:], k[1][:]) < 0
}

// mTailLess compares bytes 8..39 of the signatures of Ms a and b (their
// first words tie).
func mTailLess(c *Config, s *State, pperm *[MaxP + MaxM]uint8, a, b int) bool {
	ka, kb := mTail(c, s, pperm, a), mTail(c, s, pperm, b)
	return bytes.Compare(ka[:], kb[:]) < 0
}

// mTail is bytes 8..39 of M i's signature: flags and locals, the new names
// of the Ps it refers to (pperm), its place on midle (the last, 255 if
// none), the locks it holds, the step of the M it refers to, its locked G.
func mTail(c *Config, s *State, pperm *[MaxP + MaxM]uint8, i int) (k [32]uint8) {
	mm := &s.M[i]
	k[0] = b2u(mm.Spinning)
	k[1] = mm.Park
	k[2] = b2u(mm.Started)<<1 | mm.StartFn
	k[3] = mm.CurG
	k[4] = mm.LG
	k[5] = mm.LG2
	k[6] = mm.List
	k[7] = mm.List2
	copy(k[8:14], mm.Q[:])
	k[14] = mm.N
	k[15] = uint8(mm.Flags)
	k[16] = uint8(mm.Flags >> 8)
	k[17] = pmap(pperm, mm.P)
	k[18] = pmap(pperm, mm.NextP)
	k[19] = pmap(pperm, mm.OldP)
	k[20] = pmap(pperm, mm.LP)
	k[21] = permBits(pperm, mm.Visited, c.GOMAXPROCS)
	k[22] = 255
	for j, q := range s.Sched.Midle {
		if q == mref(i) {
			k[22] = uint8(j)
		}
	}
	if s.Sched.Lock == mref(i) {
		k[23] = 1
	}
	if s.Sched.ForcegcLock == mref(i) {
		k[24] = 1
	}
	for o, q := range s.Sched.ObjLock {
		if q == mref(i) {
			k[25] |= 1 << o
		}
	}
	if mm.LM != 0 {
		k[26] = s.M[mm.LM-1].PC + 1
	}
	k[27] = mm.QN
	k[28] = s.World.LockedG[i]
	if s.World.Stopper == mref(i) {
		k[29] = 1
	}
	k[30] = uint8(s.World.LockedExit >> i & 1)
	return k
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
