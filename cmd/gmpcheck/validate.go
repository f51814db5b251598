package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gmpspec/gmpspec/validate"
)

// ---- validate ----

type validateFlags struct {
	fs       *flag.FlagSet
	json     bool
	format   string
	strict   bool
	windows  int
	progress bool
}

func newValidateFlags(stderr io.Writer) *validateFlags {
	f := &validateFlags{fs: flag.NewFlagSet("validate", flag.ContinueOnError)}
	fs := f.fs
	fs.BoolVar(&f.json, "json", false, "print the results as JSON on stdout, and nothing else (-format json)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text or json")
	fs.BoolVar(&f.strict, "strict", false, "reject the events of mechanisms the model lacks (coroutines created parked, stop-the-world steals, GOMAXPROCS changes) instead of accepting them under the abstractions of docs/model.md")
	fs.IntVar(&f.windows, "windows", 5, "list the `N` longest work-conservation windows")
	fs.BoolVar(&f.progress, "progress", isTerminal(stderr), "print a progress line on stderr every 5s (default: on if stderr is a terminal)")
	return f
}

// validateOutput is one trace's entry in -json output.
type validateOutput struct {
	File string `json:"file"`
	*validate.Result
	Error string `json:"error,omitempty"`
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newValidateFlags(stderr)
	files, help, err := parseFlags(f.fs, args)
	switch {
	case help:
		commandUsage(stdout, "validate")
		return exitOK
	case err != nil:
		return fail(stderr, err)
	case len(files) == 0:
		return fail(stderr, fmt.Errorf("validate: no trace file (usage: gmpcheck %s)", synopsis["validate"]))
	case f.windows < 0:
		return fail(stderr, fmt.Errorf("validate: -windows %d is negative", f.windows))
	}
	format, err := outputFormat("validate", f.format, f.json)
	if err != nil {
		return fail(stderr, err)
	}
	if format != "text" && format != "json" {
		return fail(stderr, fmt.Errorf("validate: -format %s: want text or json", format))
	}
	opt := validate.Options{Strict: f.strict, TopWindows: max(f.windows, 1)}
	if f.progress {
		opt.Progress = stderr
	}
	code := exitOK
	var outs []validateOutput
	for i, name := range files {
		res, err := validateFile(ctx, name, opt)
		if err != nil {
			// An unreadable trace is bad input: say where, go on with
			// the others, exit 2.
			fmt.Fprintf(stderr, "gmpcheck: %s: %v\n", name, err)
			outs = append(outs, validateOutput{File: name, Error: err.Error()})
			code = max(code, exitUsage)
			continue
		}
		if f.windows == 0 {
			res.Windows.Longest = nil
		}
		outs = append(outs, validateOutput{File: name, Result: res})
		switch {
		case res.Rejection != nil:
			code = exitViolation
		case res.Incomplete && code == exitOK:
			code = exitIncomplete
		}
		if format == "text" {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			validate.WriteText(stdout, name, res)
			if res.Rejection != nil {
				fmt.Fprintf(stdout, "\nreproduce: gmpcheck validate %s%s\n", strictFlag(f.strict), name)
			}
			if res.Incomplete {
				fmt.Fprintf(stdout, "\nincomplete: interrupted after %d events\n", res.Events)
			}
		}
		if res.Incomplete {
			break
		}
	}
	if format == "json" {
		if err := writeJSON(stdout, outs); err != nil {
			return fail(stderr, err)
		}
	}
	if code == exitViolation {
		// A rejection is the answer; an unreadable file among the others
		// is reported on stderr but does not hide it.
		return exitViolation
	}
	return code
}

func strictFlag(strict bool) string {
	if strict {
		return "-strict "
	}
	return ""
}

func validateFile(ctx context.Context, name string, opt validate.Options) (*validate.Result, error) {
	fh, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer fh.Close()
	return validate.Run(ctx, fh, opt)
}
