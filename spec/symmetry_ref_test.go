package spec

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The symmetry reduction and the invariants as they were before they were
// made faster (issue 14), kept as oracles: the representative must stay
// the same state for every state, or fingerprints, counts and traces would
// change, and an invariant must hold in the same states.

// perm computes the renaming: old P index -> new, old M index -> new.
func refPerm(m *Model, s *State) (pperm [MaxP + MaxM]uint8, oldToNew [MaxM]uint8, identity bool) {
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
		for j := i; j > 0 && refKeyLess(ps[j].key[:], ps[j-1].key[:]); j-- {
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
		for j := i; j > 0 && refKeyLess(ms[j].key[:], ms[j-1].key[:]); j-- {
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

// applyPerm writes s with Ps renamed by pp and Ms by mp (old index -> new
// index) into t, copying only the parts of the arrays c uses (see
// RepresentativeInto).
func refApplyPerm(c *Config, s *State, pp *[MaxP + MaxM]uint8, mp *[MaxM]uint8, t *State) {
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
func refKeyLess(a, b []byte) bool {
	for i := 0; i+8 <= len(a); i += 8 {
		x, y := binary.BigEndian.Uint64(a[i:]), binary.BigEndian.Uint64(b[i:])
		if x != y {
			return x < y
		}
	}
	return false
}

func refRepresentative(m *Model, s *State) State {
	pp, mp, identity := refPerm(m, s)
	if identity {
		return *s
	}
	var t State
	refApplyPerm(m.C, s, &pp, &mp, &t)
	return t
}

// TestRepresentativeSameAsBefore compares Representative, RepresentativeInto
// and RepresentativeProcs with the oracle on the states reachable in every
// workload (up to a bound each), and on random perturbations of them.
func TestRepresentativeSameAsBefore(t *testing.T) {
	names := []string{"default", "spawn-heavy", "stw-3p-sysmon", "locked", "gcwork", "timers-2m", "forcegc-stw",
		"go114-timers", "syscall-heavy", "stw-twice", "locked-deadlock", "inject-overflow", "netpoll", "allocm"}
	limit := 60000
	if testing.Short() {
		limit = 5000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range names {
		c := load(t, name)
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		queue := m.Init()
		var acts []Action
		var dst State
		perm := make([]uint8, c.nm()+c.ng())
		n := 0
		for len(queue) > 0 && n < limit {
			s := queue[0]
			queue = queue[1:]
			n++
			compareRep(t, m, &s, &dst, perm)
			// A perturbation: two M or P slots' fields shuffled, so
			// that ties and odd references are exercised too.
			u := s
			perturb(rng, c, &u)
			compareRep(t, m, &u, &dst, perm)
			for _, x := range []*State{&s, &u} {
				if gPlacesOK(c, x) != refGPlacesOK(c, x) {
					t.Fatalf("%s: gPlacesOK differs for\n%s", name, m.FormatState(x))
				}
				if pOwnershipOK(c, x) != refPOwnershipOK(c, x) {
					t.Fatalf("%s: pOwnershipOK differs for\n%s", name, m.FormatState(x))
				}
			}
			acts = m.Actions(&s, acts[:0])
			for _, a := range acts {
				x := m.Next(&s, a)
				k := string(m.Encode(&x, nil))
				if !seen[k] {
					seen[k] = true
					queue = append(queue, x)
				}
			}
		}
	}
}

func compareRep(t *testing.T, m *Model, s, dst *State, perm []uint8) {
	t.Helper()
	want := refRepresentative(m, s)
	if got := m.Representative(s); got != want {
		t.Fatalf("%s: Representative differs for\n%s", m.C.Name, m.FormatState(s))
	}
	*dst = State{}
	if got := m.RepresentativeInto(s, dst); *got != want {
		t.Fatalf("%s: RepresentativeInto differs for\n%s", m.C.Name, m.FormatState(s))
	}
	// dst reused, as the checker does.
	if got := m.RepresentativeProcs(s, dst, perm); *got != want {
		t.Fatalf("%s: RepresentativeProcs differs", m.C.Name)
	}
	_, mp, _ := refPerm(m, s)
	for i := 0; i < m.C.nm(); i++ {
		if perm[i] != mp[i] {
			t.Fatalf("%s: RepresentativeProcs perm differs", m.C.Name)
		}
	}
	got := m.Encode(&want, nil)
	if enc := encodeRep(m, s); string(enc) != string(got) {
		t.Fatalf("%s: encoding of the representative differs", m.C.Name)
	}
}

// perturb swaps fields between two Ps and between two Ms at random, and
// sets a few references, keeping references in range.
func perturb(rng *rand.Rand, c *Config, s *State) {
	np, nm := c.GOMAXPROCS, c.nm()
	switch rng.IntN(4) {
	case 0:
		i, j := rng.IntN(np), rng.IntN(np)
		s.P[i].Status, s.P[j].Status = s.P[j].Status, s.P[i].Status
		s.P[i].Runq, s.P[j].Runq = s.P[j].Runq, s.P[i].Runq
		s.P[i].RunqN, s.P[j].RunqN = s.P[j].RunqN, s.P[i].RunqN
	case 1:
		i, j := rng.IntN(nm), rng.IntN(nm)
		s.M[i].PC, s.M[j].PC = s.M[j].PC, s.M[i].PC
		s.M[i].Ret, s.M[j].Ret = s.M[j].Ret, s.M[i].Ret
		s.M[i].Depth, s.M[j].Depth = s.M[j].Depth, s.M[i].Depth
	case 2:
		i := rng.IntN(nm)
		s.M[i].LP = uint8(rng.IntN(np + 1))
		s.M[i].NextP = uint8(rng.IntN(np + 1))
		s.M[i].OldP = uint8(rng.IntN(np + 1))
		s.M[i].Visited = uint8(rng.IntN(256))
		s.M[i].LM = uint8(rng.IntN(nm + 1))
	case 3:
		for i := 0; i < nm; i++ {
			s.M[i] = s.M[0]
			s.M[i].P = uint8(rng.IntN(np + 1))
		}
		for p := 0; p < np; p++ {
			s.P[p] = s.P[0]
		}
		s.World.RunSafePointFn = uint8(rng.IntN(256))
	}
}

// encodeRep is the encoding of s's representative as the checker computes it.
func encodeRep(m *Model, s *State) []byte {
	return m.EncodeRepresentative(s, []byte("prefix"))[len("prefix"):]
}

// refPOwnershipOK is pOwnershipOK as it was; it checks p-owned-once.
func refPOwnershipOK(c *Config, s *State) bool {
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		onIdle := 0
		for _, q := range s.Sched.Pidle {
			if q == pref(p) {
				onIdle++
			}
		}
		asP, asNext := -1, -1
		for i := 0; i < c.nm(); i++ {
			if s.M[i].P == pref(p) {
				if asP >= 0 {
					return false
				}
				asP = i
			}
			if s.M[i].NextP == pref(p) {
				if asNext >= 0 {
					return false
				}
				asNext = i
			}
		}
		switch {
		case onIdle > 1:
			return false
		case onIdle == 1 && (pp.Status != _Pidle || pp.M != 0 || asP >= 0 || asNext >= 0 || !s.runqempty(p)):
			return false
		case asP >= 0 && pp.Status == _Pgcstop:
			// The stopper keeps its P, _Pgcstop, as m.p.
			if asNext >= 0 || pp.M != mref(asP) || s.World.Stopper != mref(asP) {
				return false
			}
		case asP >= 0 && (asNext >= 0 || pp.M != mref(asP) || pp.Status != _Prunning):
			return false
		case pp.Status == _Pgcstop && (pp.M != 0 || asNext >= 0 || onIdle != 0 || !s.World.GCWaiting):
			return false
		case pp.Status == _Pidle && pp.M != 0 && !procresizeAssigned(c, s, p):
			return false
		case asNext >= 0 && (pp.Status != _Pidle || pp.M != 0):
			return false
		case pp.Status == _Prunning && (pp.M == 0 || s.M[pp.M-1].P != pref(p)):
			return false
		case pp.Status == _Psyscall && (pp.M != 0 || asP >= 0 || asNext >= 0 || onIdle != 0):
			return false
		}
	}
	return true
}

// refGPlacesOK is gPlacesOK as it was; it checks g-in-one-place.
func refGPlacesOK(c *Config, s *State) bool {
	var queued, onM [MaxG]int
	count := func(g uint8, where *[MaxG]int) {
		if g != 0 {
			where[g-1]++
		}
	}
	for p := 0; p < c.GOMAXPROCS; p++ {
		pp := &s.P[p]
		for i := 0; i < int(pp.RunqN); i++ {
			count(pp.Runq[i], &queued)
		}
		count(pp.Runnext, &queued)
	}
	for i := 0; i < int(s.Sched.RunqN); i++ {
		count(s.Sched.Runq[i], &queued)
	}
	var held [MaxG]int
	for i := 0; i < c.nm(); i++ {
		m := &s.M[i]
		count(m.CurG, &onM)
		for h := heldG(m); h != 0; h &= h - 1 {
			held[nthBit(h, 0)]++
		}
		if g := s.World.LockedG[i]; g != 0 && m.Park != 0 {
			// startlockedm took the locked G off a run queue and
			// woke its M (which may not be asleep yet): the G is
			// that M's now.
			held[g-1]++
		}
		if m.CurG != 0 && s.G[m.CurG-1].M != mref(i) {
			return false
		}
	}
	for g := 0; g < c.ng(); g++ {
		st := s.G[g].Status &^ _Gscan
		switch st {
		case _Grunnable:
			if queued[g]+held[g] != 1 || onM[g] != 0 {
				return false
			}
		case _Grunning, _Gsyscall:
			if queued[g] != 0 || onM[g] != 1 {
				return false
			}
		case _Gwaiting:
			// The stopper's G waits on its M while it stops the world
			// or runs forEachP (casGToWaitingForSuspendG).
			if queued[g] != 0 || (onM[g] != 0 && s.G[g].Wait != waitSTW) || held[g] > 1 {
				return false
			}
		case _Gdead:
			if queued[g]+held[g]+onM[g] != 0 {
				return false
			}
		}
	}
	return true
}
