package spec

import (
	"sort"
	"strings"
	"testing"
)

// rareSteps are the steps that no configuration of the default test run
// fires, if any: each would need a configuration too large to check. It is
// empty: the last four (exitsyscallTryGetP.resume, wakeNetPoller and
// injectglist's overflow) got small workloads of their own (syscall-steal,
// timer-handoff, inject-overflow). Keep it so: add configurations rather
// than entries.
var rareSteps = map[string]bool{}

// TestZCoverage runs after the tests that check configurations (its file
// sorts last) and lists the steps that no configuration fired. Each
// configuration reports only its own steps (stepApplies); the union must
// cover them all.
func TestZCoverage(t *testing.T) {
	coverage.Lock()
	defer coverage.Unlock()
	if testing.Short() || coverage.runs < len(pinned)-1 {
		t.Skip("needs TestStateSpaces to have run every configuration (not with -short)")
	}
	var never, fired []string
	for k, n := range coverage.fired {
		switch {
		case n == 0 && !rareSteps[k]:
			never = append(never, k)
		case n > 0 && rareSteps[k]:
			fired = append(fired, k)
		}
	}
	sort.Strings(never)
	sort.Strings(fired)
	if len(never) > 0 {
		t.Errorf("%d steps never fired in any checked configuration: %s", len(never), strings.Join(never, ", "))
	}
	if len(fired) > 0 {
		t.Errorf("steps listed in rareSteps fired after all; remove them from the list: %s", strings.Join(fired, ", "))
	}
}
