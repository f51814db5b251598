package checker

import (
	"context"
	"encoding/json"
	"testing"
)

func swarmJSON(t *testing.T, r *Result) string {
	t.Helper()
	c := *r
	c.Seconds, c.StatesPerSecond = 0, 0
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSwarmFindsViolation: every shard finds triple's violation, with a
// path that replays to it, and the same seed and shard give the same
// search.
func TestSwarmFindsViolation(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 9}
	paths := map[string]bool{}
	for shard := range 4 {
		for _, bits := range []int{0, 20} {
			opt := SwarmOptions{Seed: 7, Shard: shard, Bitstate: bits}
			r := Swarm(ctx, m, opt)
			if r.Verdict != VerdictViolation || r.Violation.Property != "not-all-bad" {
				t.Fatalf("shard %d bits %d: %+v", shard, bits, r)
			}
			path, err := ParsePath(r.Violation.Path)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Replay(m, path)
			if err != nil {
				t.Fatal(err)
			}
			if v := tr.FirstViolation(m, false); v == nil || v.Property != "not-all-bad" || v.Path != r.Violation.Path {
				t.Fatalf("shard %d: the path %s replays to %+v", shard, r.Violation.Path, v)
			}
			if again := Swarm(ctx, m, opt); swarmJSON(t, again) != swarmJSON(t, r) {
				t.Fatalf("shard %d: the same seed gave\n%s\nand\n%s", shard, swarmJSON(t, r), swarmJSON(t, again))
			}
			paths[r.Violation.Path] = true
		}
	}
	if len(paths) < 3 {
		t.Errorf("the shards found only %d distinct paths: their orders do not differ", len(paths))
	}
}

// TestSwarmExhausts: with an exact store and no bound a shard visits the
// whole space, as breadth-first search does, and reaches every goal.
func TestSwarmExhausts(t *testing.T) {
	ctx := context.Background()
	m := triple{n: 12, bad: 99}
	bfs := Check(ctx, m, Options{})
	for shard := range 3 {
		r := Swarm(ctx, m, SwarmOptions{Seed: 1, Shard: shard})
		if r.Verdict != VerdictOK || r.DistinctStates != bfs.DistinctStates || len(r.Examples) != 2 {
			t.Fatalf("shard %d: %+v, want %d states", shard, r, bfs.DistinctStates)
		}
		if r.GeneratedStates != bfs.GeneratedStates-int64(len(m.Init())) {
			t.Errorf("shard %d: %d generated, BFS %d", shard, r.GeneratedStates, bfs.GeneratedStates)
		}
	}
	r := Swarm(ctx, m, SwarmOptions{Seed: 1, MaxDepth: 5})
	if r.Verdict != VerdictIncomplete || r.Incomplete != "swarm" || r.Depth != 5 {
		t.Fatalf("depth-bounded: %+v", r)
	}
	r = Swarm(ctx, m, SwarmOptions{Seed: 1, MaxStates: 100})
	if r.Verdict != VerdictIncomplete || r.Incomplete != "state limit" || r.DistinctStates > 100+1024 {
		t.Fatalf("state-bounded: %+v", r)
	}
}

// TestMergeSwarm: coverage adds up, each goal keeps its shortest example,
// the shortest violation wins, and the order of shards does not matter.
func TestMergeSwarm(t *testing.T) {
	a := &Result{Verdict: VerdictIncomplete, Incomplete: "swarm", DistinctStates: 10, GeneratedStates: 30, Depth: 4, Seconds: 1,
		Coverage: map[string]int64{"x": 3, "y": 0}, Examples: map[string]string{"g1": "0/1/2", "g2": "0/1"}, Properties: []string{"p"}}
	b := &Result{Verdict: VerdictViolation, DistinctStates: 5, GeneratedStates: 8, Depth: 9, Seconds: 2,
		Coverage: map[string]int64{"x": 1, "y": 2}, Examples: map[string]string{"g1": "0/0"},
		Violation: &Violation{Property: "p", Kind: "always", Path: "0/1/1/1"}}
	c := &Result{Verdict: VerdictViolation, Coverage: map[string]int64{"z": 1},
		Violation: &Violation{Property: "p", Kind: "always", Path: "0/2/2"}}
	want := `{"verdict":"violation","distinct_states":15,"generated_states":38,"depth":9,"max_queue":0,"seconds":0,"states_per_second":0,"bytes_per_state":0,"workers":0,"symmetry":false,"collision_probability":0,"properties":["p"],"coverage":{"x":4,"y":2,"z":1},"examples":{"g1":"0/0","g2":"0/1"},"violation":{"property":"p","kind":"always","path":"0/2/2","trace":null,"loop":0,"switches":0,"fewest_switches":false}}`
	for _, order := range [][]SwarmShard{{{0, a}, {1, b}, {2, c}}, {{2, c}, {1, b}, {0, a}}, {{1, b}, {0, a}, {2, c}}} {
		m := MergeSwarm(order)
		if m.Seconds != 2 {
			t.Errorf("merged seconds %v, want the longest shard's, 2", m.Seconds)
		}
		if got := swarmJSON(t, m); got != want {
			t.Errorf("merge:\n%s\nwant\n%s", got, want)
		}
	}
	// Shards that found nothing merge to incomplete.
	if m := MergeSwarm([]SwarmShard{{0, a}}); m.Verdict != VerdictIncomplete || m.Violation != nil {
		t.Errorf("one clean shard: %+v", m)
	}
}
