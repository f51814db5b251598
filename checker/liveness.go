package checker

// Liveness under weak fairness.
//
// A liveness property "trigger leads to cond" fails when some reachable
// trigger state that does not satisfy cond starts a fair path that never
// satisfies cond. Such a path either ends in a state with no enabled action
// (the system stops short of cond) or, the graph being finite, ends in a
// cycle inside the region of states where cond is false. The checker builds
// the explicit state graph (ids, edges labelled with processes, and for each
// state the set of processes enabled in it), restricts it to the cond-false
// states reachable from trigger states through cond-false states, and
// computes its strongly connected components with Tarjan's algorithm.
//
// Weak fairness says that a process that is enabled in every state from some
// point on must take a step. A path that stays in a component C forever and
// visits all of C's states and edges infinitely often is fair exactly when
// every process enabled in all states of C takes some edge inside C; and if
// the path that does everything in C is unfair, every path in C is. So a
// nontrivial component is a violation iff it passes that test, and the
// counterexample is a lasso: the shortest path to the component, then a
// cycle through one witness per process (an edge it takes, or a state where
// it is disabled).
//
// The graph uses concrete fingerprints even when Options.Symmetry is set:
// fairness is about particular processes, which symmetry would permute.

type graph struct {
	ids    idTable
	parent []uint32 // breadth-first tree, for stems
	pact   []uint32
	off    []uint32 // edges of state i: off[i]..off[i+1]
	dst    []uint32
	proc   []uint8
	act    []uint32
	enab   []uint64   // processes enabled in each state
	cond   [][]uint64 // per liveness property: bitset of cond
	trig   [][]uint64 // per liveness property: bitset of trigger
	ninit  int
}

func bit(b []uint64, i uint32) bool { return b[i/64]&(1<<(i%64)) != 0 }
func setBit(b *[]uint64, i uint32) {
	for uint32(len(*b)) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (s *search[S, A]) liveness(res *Result) {
	var live []int
	for i, p := range s.props {
		if p.Expect == ExpectEventually {
			live = append(live, i)
		}
	}
	g, ok := s.buildGraph(live)
	res.LivenessStates = int64(len(g.parent))
	if !ok {
		res.Verdict = VerdictIncomplete
		res.Incomplete = "liveness: " + *s.stop.Load()
		return
	}
	for k, pi := range live {
		if path, loop := g.findLasso(k, s.props[pi].Trigger == nil); path != nil {
			v := &Violation{Property: s.props[pi].Name, Kind: "eventually"}
			s.fillTrace(v, path)
			v.Loop = loop
			res.Violation = v
			res.Verdict = VerdictViolation
			return
		}
	}
}

func (s *search[S, A]) buildGraph(live []int) (*graph, bool) {
	g := &graph{cond: make([][]uint64, len(live)), trig: make([][]uint64, len(live))}
	g.ids.init()
	w := s.workers[0]
	var queue []S
	add := func(st *S, parent uint32, act int) {
		w.enc = s.m.Encode(st, w.enc[:0])
		fp := fingerprint(w.enc)
		if _, isNew := g.ids.insert(fp, uint32(len(g.parent))); !isNew {
			return
		}
		id := uint32(len(g.parent))
		g.parent = append(g.parent, parent)
		g.pact = append(g.pact, uint32(act))
		for k, pi := range live {
			p := &s.props[pi]
			if p.Cond(st) {
				setBit(&g.cond[k], id)
			}
			if p.Trigger != nil && p.Trigger(st) {
				setBit(&g.trig[k], id)
			}
		}
		queue = append(queue, *st)
	}
	for i, st := range s.m.Init() {
		add(&st, noParent, i)
	}
	g.ninit = len(g.parent)
	g.off = append(g.off, 0)
	waiter, _ := any(s.m).(Waiter[S])
	var zero S
	for id := 0; id < len(queue); id++ {
		if id%1024 == 0 {
			s.checkBounds()
			if s.stop.Load() != nil {
				return g, false
			}
			if s.opt.MaxStates > 0 && int64(len(g.parent)) > s.opt.MaxStates {
				s.halt("state limit")
				return g, false
			}
		}
		st := queue[id]
		queue[id] = zero
		w.acts = s.m.Actions(&st, w.acts[:0])
		var en uint64
		for ai, a := range w.acts {
			t := s.m.Next(&st, a)
			w.enc = s.m.Encode(&t, w.enc[:0])
			fp := fingerprint(w.enc)
			to, ok := g.ids.get(fp)
			if !ok {
				to = uint32(len(g.parent))
				add(&t, uint32(id), ai)
			}
			p := s.m.Process(a)
			en |= 1 << uint(p)
			g.dst = append(g.dst, to)
			g.proc = append(g.proc, uint8(p))
			g.act = append(g.act, uint32(ai))
		}
		if waiter != nil {
			en |= waiter.Waiting(&st)
		}
		g.enab = append(g.enab, en)
		g.off = append(g.off, uint32(len(g.dst)))
	}
	// Pad the bitsets to the state count.
	for k := range live {
		for _, b := range []*[]uint64{&g.cond[k], &g.trig[k]} {
			for len(*b) < (len(g.parent)+63)/64 {
				*b = append(*b, 0)
			}
		}
	}
	return g, true
}

// findLasso returns the path of a fair lasso for liveness property k and the
// trace index where its cycle starts (-1 for a path ending in a dead end),
// or nil if the property holds.
func (g *graph) findLasso(k int, fromInit bool) ([]int, int) {
	n := uint32(len(g.parent))
	cond, trig := g.cond[k], g.trig[k]
	// R: cond-false states reachable from cond-false trigger states
	// through cond-false states; rpar is the breadth-first parent in R.
	const none = ^uint32(0)
	inR := make([]bool, n)
	rpar := make([]uint32, n)
	var order []uint32
	for i := uint32(0); i < n; i++ {
		isTrig := (fromInit && int(i) < g.ninit) || (!fromInit && bit(trig, i))
		if isTrig && !bit(cond, i) {
			inR[i], rpar[i] = true, none
			order = append(order, i)
		}
	}
	for h := 0; h < len(order); h++ {
		u := order[h]
		if g.off[u] == g.off[u+1] {
			// A dead end where cond never held.
			return g.stem(u, rpar), -1
		}
		for e := g.off[u]; e < g.off[u+1]; e++ {
			v := g.dst[e]
			if !inR[v] && !bit(cond, v) {
				inR[v], rpar[v] = true, e
				order = append(order, v)
			}
		}
	}
	// Tarjan's algorithm, iteratively, over R in discovery order.
	index := make([]uint32, n) // 0 = unvisited, else index+1
	low := make([]uint32, n)
	onStack := make([]bool, n)
	comp := make([]uint32, n)
	var stack []uint32
	type frame struct{ v, e uint32 }
	var call []frame
	next := uint32(1)
	ncomp := uint32(0)
	for _, root := range order {
		if index[root] != 0 {
			continue
		}
		call = append(call, frame{root, g.off[root]})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < g.off[v+1] {
				w := g.dst[f.e]
				f.e++
				if !inR[w] {
					continue
				}
				if index[w] == 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, g.off[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] == index[v] {
				ncomp++
				var members []uint32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					members = append(members, w)
					if w == v {
						break
					}
				}
				if cyc := g.fairCycle(members, comp, ncomp); cyc != nil {
					stem := g.stem(members[len(members)-1], rpar)
					loop := len(stem) - 1
					return append(stem, cyc...), loop
				}
			}
		}
	}
	return nil, 0
}

// stem returns the path to state u: the breadth-first tree path to the start
// state of u's R-path, then the R-path.
func (g *graph) stem(u uint32, rpar []uint32) []int {
	var rev []int
	for rpar[u] != ^uint32(0) {
		e := rpar[u]
		rev = append(rev, int(g.act[e]))
		u = g.src(e)
	}
	for {
		rev = append(rev, int(g.pact[u]))
		if g.parent[u] == noParent {
			break
		}
		u = g.parent[u]
	}
	path := make([]int, len(rev))
	for i, x := range rev {
		path[len(rev)-1-i] = x
	}
	return path
}

// src returns the source state of edge e.
func (g *graph) src(e uint32) uint32 {
	// off is sorted; binary search for the last i with off[i] <= e.
	lo, hi := 0, len(g.off)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if g.off[mid] <= e {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	// Skip states with no edges that share the offset.
	for g.off[lo+1] <= e {
		lo++
	}
	return uint32(lo)
}

// fairCycle returns the action indexes of a fair cycle through every state
// it needs in the component (members, numbered c), starting and ending at
// members[len-1], or nil if the component is trivial or unfair.
func (g *graph) fairCycle(members []uint32, comp []uint32, c uint32) []int {
	all, some := ^uint64(0), uint64(0)
	var taken uint64
	internal := false
	for _, v := range members {
		all &= g.enab[v]
		some |= g.enab[v]
		for e := g.off[v]; e < g.off[v+1]; e++ {
			if comp[g.dst[e]] == c {
				internal = true
				taken |= 1 << g.proc[e]
			}
		}
	}
	if !internal || all&^taken != 0 {
		return nil
	}
	start := members[len(members)-1]
	cur := start
	var cyc []int
	// Walk to one witness per process; a process already satisfied by the
	// walk so far (it took a step, or the walk passed a state where it is
	// disabled) needs none.
	var satisfied uint64
	visit := func(v uint32) { satisfied |= some &^ g.enab[v] }
	visit(cur)
	walk := func(to uint32) {
		for _, a := range g.pathWithin(cur, to, comp, c) {
			e := g.edgeByAct(cur, a)
			satisfied |= 1 << g.proc[e]
			cur = g.dst[e]
			visit(cur)
			cyc = append(cyc, a)
		}
	}
	take := func(e uint32) {
		cyc = append(cyc, int(g.act[e]))
		satisfied |= 1 << g.proc[e]
		cur = g.dst[e]
		visit(cur)
	}
	for p := 0; p < 64; p++ {
		bitp := uint64(1) << p
		if satisfied&bitp != 0 {
			continue
		}
		switch {
		case all&bitp != 0:
			// p is always enabled: take one of its internal edges.
			for _, v := range members {
				found := false
				for e := g.off[v]; e < g.off[v+1]; e++ {
					if comp[g.dst[e]] == c && g.proc[e] == uint8(p) {
						walk(v)
						take(e)
						found = true
						break
					}
				}
				if found {
					break
				}
			}
		case some&bitp != 0:
			// p is sometimes disabled: visit a state where it is.
			for _, v := range members {
				if g.enab[v]&bitp == 0 {
					walk(v)
					break
				}
			}
		}
	}
	if len(cyc) == 0 {
		for e := g.off[cur]; e < g.off[cur+1]; e++ {
			if comp[g.dst[e]] == c {
				take(e)
				break
			}
		}
	}
	walk(start)
	return cyc
}

// edgeByAct returns the edge of u taken by action index a.
func (g *graph) edgeByAct(u uint32, a int) uint32 {
	for e := g.off[u]; e < g.off[u+1]; e++ {
		if int(g.act[e]) == a {
			return e
		}
	}
	panic("checker: no such edge")
}

// pathWithin returns the action indexes of a shortest path from u to v
// inside component c.
func (g *graph) pathWithin(u, v uint32, comp []uint32, c uint32) []int {
	if u == v {
		return nil
	}
	par := map[uint32]uint32{u: ^uint32(0)}
	q := []uint32{u}
	for h := 0; h < len(q); h++ {
		x := q[h]
		for e := g.off[x]; e < g.off[x+1]; e++ {
			y := g.dst[e]
			if comp[y] != c {
				continue
			}
			if _, seen := par[y]; seen {
				continue
			}
			par[y] = e
			if y == v {
				var rev []int
				for y != u {
					e := par[y]
					rev = append(rev, int(g.act[e]))
					y = g.src(e)
				}
				path := make([]int, len(rev))
				for i, a := range rev {
					path[len(rev)-1-i] = a
				}
				return path
			}
			q = append(q, y)
		}
	}
	panic("checker: no path inside a strongly connected component")
}

// idTable maps fingerprints to state ids (open addressing, linear probing).
type idTable struct {
	keys []uint64
	vals []uint32
	n    int
}

func (t *idTable) init() {
	t.keys = make([]uint64, 1024)
	t.vals = make([]uint32, 1024)
}

func (t *idTable) get(fp uint64) (uint32, bool) {
	mask := uint64(len(t.keys) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case fp:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *idTable) insert(fp uint64, id uint32) (uint32, bool) {
	if 2*(t.n+1) > len(t.keys) {
		old, oldv := t.keys, t.vals
		t.keys = make([]uint64, 2*len(old))
		t.vals = make([]uint32, 2*len(old))
		t.n = 0
		for i, k := range old {
			if k != 0 {
				t.insert(k, oldv[i])
			}
		}
	}
	mask := uint64(len(t.keys) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case fp:
			return t.vals[i], false
		case 0:
			t.keys[i], t.vals[i] = fp, id
			t.n++
			return id, true
		}
	}
}
