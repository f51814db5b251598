package properties

import (
	"bytes"
	"testing"

	"github.com/gmpspec/gmpspec/checker"
	"github.com/gmpspec/gmpspec/spec"
	"pgregory.net/rapid"
)

// TestDeterminism: replaying a walk's action sequence from the initial
// state, in a model built afresh from the same configuration, gives the
// same states byte for byte (Model.Encode, and == on the whole State), the
// same enabled actions at each index, and leaves each state it starts from
// unchanged (Next is pure); checker.Replay of the walk's path agrees.
func TestDeterminism(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Config(Small).Draw(t, "config")
		w, err := NewWalk(c)
		if err != nil {
			t.Fatal(err)
		}
		w.Run(t, walkSteps)

		m, err := spec.New(c)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Init()[0]
		var acts []spec.Action
		var enc1, enc2 []byte
		for i := 0; ; i++ {
			enc1 = m.Encode(&s, enc1[:0])
			enc2 = w.M.Encode(&w.States[i], enc2[:0])
			if !bytes.Equal(enc1, enc2) || s != w.States[i] {
				w.Fatalf(t, "replay: state %d differs:\n%s", i, m.FormatState(&s))
			}
			if i == w.Len() {
				break
			}
			acts = m.Actions(&s, acts[:0])
			if j := w.Path[i+1]; j >= len(acts) || acts[j] != w.Acts[i] {
				w.Fatalf(t, "replay: step %d: action %d of the enabled ones is not %s", i+1, j, w.M.FormatAction(w.Acts[i]))
			}
			next := m.Next(&s, w.Acts[i])
			if enc2 = m.Encode(&s, enc2[:0]); !bytes.Equal(enc1, enc2) {
				w.Fatalf(t, "Next changed the state it started from at step %d (%s)", i+1, w.M.FormatAction(w.Acts[i]))
			}
			s = next
		}
		tr, err := checker.Replay[spec.State, spec.Action](m, w.Path)
		if err != nil {
			w.Fatalf(t, "checker.Replay: %v", err)
		}
		for i := range tr.States {
			if tr.States[i] != w.States[i] {
				w.Fatalf(t, "checker.Replay: state %d differs", i)
			}
		}
	})
}
