package sched

import (
	"testing"
)

func pingpong() []Program {
	return []Program{
		{Name: "main", Code: []Instr{{OpGo, 1}, {OpReady, 0}, {OpPark, 1}}},
		{Name: "pong", Code: []Instr{{OpPark, 0}, {OpReady, 1}}},
	}
}

func TestSmoke(t *testing.T) {
	for _, mode := range []Mode{ModeRun, ModeLog} {
		for i := 0; i < 20; i++ {
			s, err := New(Config{GOMAXPROCS: 2, MaxM: 3, RunqSize: 2, Programs: pingpong(), Mode: mode, Seed: uint64(i)})
			if err != nil {
				t.Fatal(err)
			}
			r := s.Run()
			if err := r.Err(); err != nil {
				t.Fatalf("mode %d run %d: %v\n%v", mode, i, err, r.Final)
			}
			if i == 0 && mode == ModeLog {
				for _, e := range r.Events {
					t.Logf("%v", e.String())
				}
			}
		}
	}
}
