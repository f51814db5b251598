package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Workload files (testdata/workloads/*.txt) describe a configuration:
//
//	# A comment.
//	gomaxprocs 2
//	ms 3                       # worker Ms, m0 included; sysmon is extra
//	runq 2                     # local run queue capacity (even)
//	profile go1.26             # or go1.14
//	features sysmon netpoll forcegc timers stw gcwork locked
//	expect deadlock            # optional: the goroutines truly deadlock
//	bugs no-mreserveid         # optional bug switches
//
//	g main                     # the first goroutine is main
//		go worker              # start goroutine "worker"
//		park 0                 # block on wait object 0
//	g worker
//		syscall
//		ready 0                # wake a goroutine blocked on object 0
//
// Instructions: go NAME, park K, ready K, syscall, gosched, compute,
// netwait, sleep, gc, lockosthread, unlockosthread, exit. A program exits
// at its end.

// A ParseError is a workload error at a line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// LoadWorkload reads and parses a workload file. The configuration is named
// after the file.
func LoadWorkload(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return ParseWorkload(path, name, src)
}

// ParseWorkload parses a workload; file names it in errors.
func ParseWorkload(file, name string, src []byte) (*Config, error) {
	c := &Config{Name: name, Profile: ProfileGo126}
	errAt := func(line int, format string, args ...any) error {
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	type goRef struct {
		g, i, line int
		name       string
	}
	var refs []goRef
	names := make(map[string]int)
	seen := make(map[string]bool)
	// Where things are, for errors found after parsing.
	lineOf := make(map[string]int) // directive -> its (last) line
	var gLine []int                // goroutine -> its "g" line
	var iLine [][]int              // goroutine -> instruction -> line
	cur := -1
	for n, raw := range strings.Split(string(src), "\n") {
		line := n + 1
		text := raw
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		if indented {
			if cur < 0 {
				return nil, errAt(line, "instruction %q outside a goroutine (start one with \"g NAME\")", f[0])
			}
			in, err := parseInstr(f)
			if err != nil {
				return nil, errAt(line, "%v", err)
			}
			if in.Op == OpGo {
				refs = append(refs, goRef{cur, len(c.Gs[cur].Code), line, f[1]})
			}
			c.Gs[cur].Code = append(c.Gs[cur].Code, in)
			iLine[cur] = append(iLine[cur], line)
			continue
		}
		key, args := f[0], f[1:]
		lineOf[key] = line
		if key != "g" && key != "features" && key != "bugs" {
			if seen[key] {
				return nil, errAt(line, "%s given twice", key)
			}
			seen[key] = true
		}
		intArg := func() (int, error) {
			if len(args) != 1 {
				return 0, errAt(line, "%s takes one number", key)
			}
			v, err := strconv.Atoi(args[0])
			if err != nil {
				return 0, errAt(line, "%s: %q is not a number", key, args[0])
			}
			return v, nil
		}
		var err error
		switch key {
		case "gomaxprocs":
			c.GOMAXPROCS, err = intArg()
		case "ms":
			c.Ms, err = intArg()
		case "runq":
			c.RunqSize, err = intArg()
		case "profile":
			if len(args) != 1 || (args[0] != ProfileGo126 && args[0] != ProfileGo114) {
				return nil, errAt(line, "profile takes %s or %s", ProfileGo126, ProfileGo114)
			}
			c.Profile = args[0]
		case "features":
			if err := c.SetFeatures(append(c.Features(), args...)); err != nil {
				return nil, errAt(line, "%v", err)
			}
		case "expect":
			if len(args) != 1 || args[0] != "deadlock" {
				return nil, errAt(line, "expect takes \"deadlock\"")
			}
			c.ExpectDeadlock = true
		case "bugs":
			for _, a := range args {
				if _, ok := bugByName[a]; !ok {
					return nil, errAt(line, "unknown bug switch %q", a)
				}
				c.Bugs = append(c.Bugs, a)
			}
		case "g":
			if len(args) != 1 {
				return nil, errAt(line, "g takes a name")
			}
			if _, dup := names[args[0]]; dup {
				return nil, errAt(line, "goroutine %q defined twice", args[0])
			}
			names[args[0]] = len(c.Gs)
			c.Gs = append(c.Gs, Program{Name: args[0]})
			gLine = append(gLine, line)
			iLine = append(iLine, nil)
			cur = len(c.Gs) - 1
		default:
			return nil, errAt(line, "unknown directive %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, r := range refs {
		gi, ok := names[r.name]
		if !ok {
			return nil, errAt(r.line, "go %s: no goroutine named %q", r.name, r.name)
		}
		c.Gs[r.g].Code[r.i].Arg = gi
	}
	for _, k := range []string{"gomaxprocs", "ms", "runq"} {
		if !seen[k] {
			return nil, errAt(1, "missing %q directive", k)
		}
	}
	if err := c.Validate(); err != nil {
		line := 1
		if ce, ok := err.(*ConfigError); ok {
			switch {
			case ce.Field == "instr" && ce.G < len(iLine) && ce.I < len(iLine[ce.G]):
				line = iLine[ce.G][ce.I]
			case (ce.Field == "g" || ce.Field == "instr") && ce.G < len(gLine):
				line = gLine[ce.G]
			case lineOf[ce.Field] != 0:
				line = lineOf[ce.Field]
			}
		}
		return nil, &ParseError{File: file, Line: line, Msg: err.Error()}
	}
	return c, nil
}

func parseInstr(f []string) (Instr, error) {
	op := Op(0)
	for o, name := range opNames {
		if name == f[0] {
			op = o
		}
	}
	if op == 0 {
		return Instr{}, fmt.Errorf("unknown instruction %q (known: go park ready syscall gosched compute netwait sleep gc lockosthread unlockosthread exit)", f[0])
	}
	in := Instr{Op: op}
	switch op {
	case OpGo:
		if len(f) != 2 {
			return in, fmt.Errorf("go takes a goroutine name")
		}
	case OpPark, OpReady:
		if len(f) != 2 {
			return in, fmt.Errorf("%s takes a wait object number", f[0])
		}
		k, err := strconv.Atoi(f[1])
		if err != nil || k < 0 || k >= MaxObj {
			return in, fmt.Errorf("%s: wait object %q: want 0..%d", f[0], f[1], MaxObj-1)
		}
		in.Arg = k
	default:
		if len(f) != 1 {
			return in, fmt.Errorf("%s takes no argument", f[0])
		}
	}
	return in, nil
}
