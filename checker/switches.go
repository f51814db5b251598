package checker

// Among the shortest counterexamples, the one with the fewest process
// switches.
//
// Breadth-first search finds a shortest path to a violation, but which of
// the (often many) shortest paths it finds is an accident of action order,
// and it tends to interleave every process at every step. A trace in which
// each process runs as long a stretch as possible is the one a person can
// follow, so after a violation at depth d the checker searches the shortest
// paths again: it rebuilds the breadth-first levels 0..d on concrete states
// (no symmetry reduction, so that "the same process" means the same thing
// along a path) and computes, for each state of each level and each process
// that may have taken the last step, the fewest switches of a shortest path
// that ends so. A switch is a step taken by a different process than the
// step before it. Levels are the true distances, so every path this finds
// has exactly d steps; among the violating states of level d it picks the
// fewest switches, ties going to the first state in level order and the
// first way of reaching it.
//
// The search holds two levels of states and one small record per (state,
// last process) pair, so it is bounded (switchSearchLimit states); past the
// bound the breadth-first trace is kept.

// switchSearchLimit bounds the states the fewest-switches search may visit
// (it visits about 300,000 a second); the search is skipped when the
// breadth-first run itself stored more.
const switchSearchLimit = 1_000_000

// swNode is a shortest path's last step into a state: the process that
// took it, the switches so far, and where it came from.
type swNode struct {
	sw     int32
	parent int32 // node index in the previous level's nodes; -1 at level 0
	act    int32 // action index (level 0: the initial state's index)
	proc   int32 // -1 at level 0
}

// swState is a state of a level with its nodes (at most one per process).
type swState[S any] struct {
	st    S
	nodes []int32
}

// fewestSwitches returns a path of depth steps from an initial state to a
// state satisfying bad with the fewest switches, and that number; ok is
// false if there is no such path or the search went past its bound.
func fewestSwitches[S, A any](m Model[S, A], depth int, bad func(*S) bool) (path []int, switches int, ok bool) {
	var enc []byte
	fp := func(s *S) uint64 {
		enc = m.Encode(s, enc[:0])
		return fingerprint(enc)
	}
	seen := newFPSet()
	var levels [][]swNode // every level's nodes, for the path back
	var cur []swState[S]
	var nodes []swNode
	for i, st := range m.Init() {
		if seen.insert(fp(&st)) {
			nodes = append(nodes, swNode{sw: 0, parent: -1, act: int32(i), proc: -1})
			cur = append(cur, swState[S]{st: st, nodes: []int32{int32(len(nodes) - 1)}})
		}
	}
	levels = append(levels, nodes)
	visited := len(cur)
	var acts []A
	for k := 0; k < depth; k++ {
		index := make(map[uint64]int32) // fingerprint -> index in next
		var next []swState[S]
		var nn []swNode
		prev := levels[k]
		for i := range cur {
			s := &cur[i]
			acts = m.Actions(&s.st, acts[:0])
			for ai, a := range acts {
				t := m.Next(&s.st, a)
				f := fp(&t)
				j, inNext := index[f]
				if !inNext {
					if seen.contains(f) {
						continue // an earlier level: not a shortest path
					}
					if visited++; visited > switchSearchLimit {
						return nil, 0, false
					}
					j = int32(len(next))
					index[f] = j
					next = append(next, swState[S]{st: t})
				}
				p := int32(m.Process(a))
				for _, ni := range s.nodes {
					n := &prev[ni]
					sw := n.sw
					if n.proc >= 0 && n.proc != p {
						sw++
					}
					nx := &next[j]
					found := false
					for _, e := range nx.nodes {
						if nn[e].proc == p {
							found = true
							if sw < nn[e].sw {
								nn[e] = swNode{sw: sw, parent: ni, act: int32(ai), proc: p}
							}
							break
						}
					}
					if !found {
						nn = append(nn, swNode{sw: sw, parent: ni, act: int32(ai), proc: p})
						nx.nodes = append(nx.nodes, int32(len(nn)-1))
					}
				}
			}
		}
		for f := range index {
			seen.insert(f)
		}
		if len(next) == 0 {
			return nil, 0, false
		}
		levels = append(levels, nn)
		cur = next
	}
	best, bestSw := int32(-1), int32(0)
	for i := range cur {
		if !bad(&cur[i].st) {
			continue
		}
		for _, ni := range cur[i].nodes {
			if n := levels[depth][ni]; best < 0 || n.sw < bestSw {
				best, bestSw = ni, n.sw
			}
		}
	}
	if best < 0 {
		return nil, 0, false
	}
	path = make([]int, depth+1)
	for k, ni := depth, best; k >= 0; k-- {
		n := levels[k][ni]
		path[k] = int(n.act)
		ni = n.parent
	}
	return path, int(bestSw), true
}

// countSwitches is the number of switches of a trace's actions.
func countSwitches[S, A any](m Model[S, A], acts []A) int {
	n := 0
	for i := 1; i < len(acts); i++ {
		if m.Process(acts[i]) != m.Process(acts[i-1]) {
			n++
		}
	}
	return n
}
