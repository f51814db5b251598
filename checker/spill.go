package checker

import (
	"fmt"
	"io"
	"os"
)

// Spilling: the level lists on disk.
//
// On a large model the states of a level outweigh everything else that is
// not per distinct state: the frontier, the next level, and the candidates
// of a level (the successors that may be new) are each millions of
// encodings of a hundred bytes or more, while the visited set and the trace
// store cost about 15 bytes per distinct state. With Options.Spill set, the
// checker keeps those lists in files instead, written and read in large
// sequential pieces:
//
//   - the next level is appended in phase 3, in id order, through a 4 MiB
//     buffer; phase 1 of the next level reads it back a block of the
//     frontier at a time (one read per block, each worker into its own
//     buffer);
//   - each worker appends the candidates of a block it expanded to its own
//     file in one write; phase 3 reads each block's candidates back, in
//     block order, and copies the new ones to the next level.
//
// What stays in memory per state of a level is its place: the end of its
// encoding (8 bytes) and, for a candidate, its parent and fingerprint. The
// files are unlinked as soon as they are made (on systems that allow it),
// so that nothing is left behind by a run that is killed. The operating
// system's page cache holds their recent parts, which it can drop at will;
// the process's resident memory does not include it.
//
// Spilling changes where the bytes are, not what they are: results are
// identical with and without it, at any number of workers. A spill file
// that cannot be written (a full disk) or read back (a broken one) ends
// the run as incomplete, naming the error; a level that is not all on disk
// is never checkpointed.

// spillBuffer is the write buffer of a spilled level list.
const spillBuffer = 4 << 20

// A diskList holds the encodings of a stateList in a file: the first size
// bytes are in the file, the rest in buf, not yet written.
type diskList struct {
	f    *os.File
	buf  []byte
	size int64
	// gen changes when the list is reset, so that a reader's buffer of an
	// older content is not reused.
	gen uint64
	err error // the first write error
}

// newSpillFile makes an unlinked temporary file in dir.
func newSpillFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "gmpspec-spill-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	// Unlinked, the file disappears with the process however it ends.
	// (Where an open file cannot be removed, closeSpillFile removes it.)
	os.Remove(f.Name())
	return f, nil
}

// closeSpillFile closes f and removes it if it could not be removed
// when it was made.
func closeSpillFile(f *os.File) {
	if f == nil {
		return
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
}

func newDiskList(dir string) (*diskList, error) {
	f, err := newSpillFile(dir)
	if err != nil {
		return nil, err
	}
	return &diskList{f: f, buf: make([]byte, 0, spillBuffer)}, nil
}

// flush writes the buffer to the file.
func (d *diskList) flush() {
	if len(d.buf) == 0 {
		return
	}
	if d.err == nil {
		if _, err := d.f.WriteAt(d.buf, d.size); err != nil {
			d.err = fmt.Errorf("spill: %w", err)
		}
	}
	d.size += int64(len(d.buf))
	d.buf = d.buf[:0]
}

// reset empties the list. The file is truncated, so that the disk and the
// page cache hold one level, not the largest level so far.
func (d *diskList) reset() {
	d.buf = d.buf[:0]
	if d.size > 0 && d.err == nil {
		if err := d.f.Truncate(0); err != nil {
			d.err = fmt.Errorf("spill: %w", err)
		}
	}
	d.size = 0
	d.gen++
}

// A listReader is a worker's buffer of the part of a spilled list it is
// reading: a block of states, read at once.
type listReader struct {
	d      *diskList
	gen    uint64
	lo, hi int64 // the file's bytes [lo, hi) are in buf
	buf    []byte
}

// spilledEncoding returns the encoding of state i of l (whose encodings
// are on disk and all flushed), reading it and the block of states after
// it into rd's buffer if they are not there.
func (l *stateList[S]) spilledEncoding(i int, rd *listReader) []byte {
	d := l.disk
	start := int64(0)
	if i > 0 {
		start = int64(l.loc[i-1])
	}
	end := int64(l.loc[i])
	if rd.d != d || rd.gen != d.gen || start < rd.lo || end > rd.hi {
		hi := int64(l.loc[min(i+blockSize, len(l.loc))-1])
		n := int(hi - start)
		if cap(rd.buf) < n {
			rd.buf = make([]byte, n, max(n, 2*cap(rd.buf)))
		}
		rd.buf = rd.buf[:n]
		if _, err := d.f.ReadAt(rd.buf, start); err != nil && err != io.EOF {
			// The file was just written: a failing read is a broken
			// disk, which the search cannot work around. The panic
			// ends the run as incomplete (see spillReadError).
			panic(spillReadError{fmt.Errorf("spill: reading the states back: %w", err)})
		}
		rd.d, rd.gen, rd.lo, rd.hi = d, d.gen, start, hi
	}
	return rd.buf[start-rd.lo : end-rd.lo]
}

// spillBlock writes the candidates of block b, which worker w gathered in
// w.cand, to the worker's candidate file, and keeps their places in b.
func (s *search[S, A]) spillBlock(w *worker[S, A], b *blockOut[S]) {
	c := &w.cand
	b.states.loc = append(b.states.loc[:0], c.loc...)
	b.spillF, b.spillOff, b.spillLen = nil, 0, 0
	if c.len() == 0 {
		return
	}
	bytes := c.chunks[0]
	if !s.spillBroken.Load() {
		if _, err := w.candFile.WriteAt(bytes, w.candSize); err != nil {
			s.spillFailed(fmt.Errorf("spill: %w", err))
		}
	}
	b.spillF, b.spillOff, b.spillLen = w.candFile, w.candSize, len(bytes)
	w.candSize += int64(len(bytes))
}

// spilledCandidates reads the candidates of block b back into buf.
func (s *search[S, A]) spilledCandidates(b *blockOut[S], buf []byte) ([]byte, error) {
	if cap(buf) < b.spillLen {
		buf = make([]byte, b.spillLen)
	}
	buf = buf[:b.spillLen]
	if _, err := b.spillF.ReadAt(buf, b.spillOff); err != nil && err != io.EOF {
		return buf, fmt.Errorf("spill: reading the candidates back: %w", err)
	}
	return buf, nil
}

// A spillReadError is the panic of a read of a spill file that failed
// where the search cannot return an error (deep in reading a state of the
// frontier). It ends the run as incomplete, naming the error, like a
// failed write: a worker's is turned into spillFailed by work, the
// search goroutine's by runReading.
type spillReadError struct{ err error }

// openSpill makes the spill files: one for each of the two level lists and
// one per worker for candidates.
func (s *search[S, A]) openSpill(lists ...*stateList[S]) error {
	for _, l := range lists {
		d, err := newDiskList(s.opt.Spill)
		if err != nil {
			return err
		}
		l.disk = d
	}
	for _, w := range s.workers {
		f, err := newSpillFile(s.opt.Spill)
		if err != nil {
			return err
		}
		w.candFile = f
	}
	return nil
}

// startSpillRound empties the workers' candidate files for a new round.
func (s *search[S, A]) startSpillRound() {
	for _, w := range s.workers {
		if w.candFile != nil && w.candSize > 0 && !s.spillBroken.Load() {
			if err := w.candFile.Truncate(0); err != nil {
				s.spillFailed(fmt.Errorf("spill: %w", err))
			}
		}
		w.candSize = 0
	}
}

// closeSpill closes and removes the spill files.
func (s *search[S, A]) closeSpill(lists ...*stateList[S]) {
	for _, l := range lists {
		if l.disk != nil {
			closeSpillFile(l.disk.f)
			l.disk = nil
		}
	}
	for _, w := range s.workers {
		closeSpillFile(w.candFile)
		w.candFile = nil
	}
}

// spillFailed stops the search because a spill file could not be
// written: the level's states are not all on disk, so neither the next
// level nor a checkpoint of it can be trusted.
func (s *search[S, A]) spillFailed(err error) {
	s.spillBroken.Store(true)
	s.halt(err.Error())
}
