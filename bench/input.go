package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Input limits: the most ReadReportFile, ReadHlogFiles and ReadResultsFiles
// read of one file. A path given by mistake (/dev/zero, a disk image, a
// FIFO that never ends) would otherwise be read without bound: the JSON
// decoder, the log reader's line buffer and vegeta's format sniffing all
// keep what they read. Each limit is far above what bench writes.
const (
	// MaxReportBytes bounds a JSON report: a scenario's three compressed
	// histograms take a few KiB to a few hundred KiB.
	MaxReportBytes = 64 << 20
	// MaxHlogBytes bounds an interval log: hours of one-second intervals
	// of several scenarios. ReadHlogs keeps every interval, encoded (about
	// its line's size), so this also bounds the memory it takes.
	MaxHlogBytes = 256 << 20
	// MaxResultsBytes bounds a vegeta results file: results are streamed
	// into histograms, so only the time to read it grows with its size.
	MaxResultsBytes = 4 << 30
)

// ErrInputTooLarge is returned (wrapped, after the file's name) for a file
// larger than its kind's limit (MaxReportBytes and so on).
var ErrInputTooLarge = errors.New("larger than the limit")

// ErrNotReport is returned (wrapped, after the file's name) for a file that
// does not start as a JSON report does.
var ErrNotReport = errors.New("not a JSON report")

// ReadReportFile reads the JSON report at path (see ReadReport), reading
// at most MaxReportBytes and stopping when ctx is done. Errors are one
// line naming path.
func ReadReportFile(ctx context.Context, path string) (*Report, error) {
	return readReportFile(ctx, path, MaxReportBytes)
}

func readReportFile(ctx context.Context, path string, limit int64) (*Report, error) {
	var r *Report
	err := readInputs(ctx, "a JSON report", []string{path}, limit, func(ins []*input) error {
		in := ins[0]
		if b, err := in.firstByte(); err != nil {
			return err
		} else if b != '{' {
			return fmt.Errorf("%s: %w (it starts with %q, a report with '{')", path, ErrNotReport, b)
		}
		var err error
		if r, err = ReadReport(in); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
	return r, err
}

// ReadHlogFiles reads and merges the interval logs at paths (see
// ReadHlogs), reading at most MaxHlogBytes of each and stopping when ctx is
// done.
func ReadHlogFiles(ctx context.Context, paths ...string) (*HlogTotals, error) {
	return readHlogFiles(ctx, MaxHlogBytes, paths...)
}

func readHlogFiles(ctx context.Context, limit int64, paths ...string) (*HlogTotals, error) {
	var t *HlogTotals
	err := readInputs(ctx, "an interval log", paths, limit, func(ins []*input) error {
		for _, in := range ins {
			// A log is text: a NUL byte at the start means another format.
			if b, err := in.firstByte(); err != nil {
				return err
			} else if b == 0 {
				return fmt.Errorf("%s: %w (binary data)", in.name, ErrNotHlog)
			}
		}
		var err error
		t, err = ReadHlogs(readers(ins)...)
		return err
	})
	return t, err
}

// ReadResultsFiles reads vegeta results files at paths (see ReadResults),
// reading at most MaxResultsBytes of each and stopping when ctx is done.
func ReadResultsFiles(ctx context.Context, paths ...string) (*Report, error) {
	return readResultsFiles(ctx, MaxResultsBytes, paths...)
}

func readResultsFiles(ctx context.Context, limit int64, paths ...string) (*Report, error) {
	var r *Report
	err := readInputs(ctx, "a vegeta results file", paths, limit, func(ins []*input) error {
		for _, in := range ins {
			// gob streams start with a message length, JSON with '{', CSV
			// with a timestamp: none with a NUL byte. vegeta's sniffing
			// would otherwise keep reading zeros (/dev/zero) into memory.
			if b, err := in.firstByte(); err != nil {
				return err
			} else if b == 0 {
				return fmt.Errorf("%s: %w (it starts with a NUL byte)", in.name, ErrNotResults)
			}
		}
		var err error
		r, err = ReadResults(readers(ins)...)
		return err
	})
	return r, err
}

// readInputs opens every path (refusing directories), bounded by limit and
// ctx, runs read on them and closes them. When a file went over its limit
// or ctx ended, that is the error, whatever the decoder made of it.
func readInputs(ctx context.Context, kind string, paths []string, limit int64, read func([]*input) error) error {
	var ins []*input
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()
	for _, path := range paths {
		in, err := openInput(ctx, path, kind, limit)
		if err != nil {
			return err
		}
		ins = append(ins, in)
	}
	err := read(ins)
	for _, in := range ins {
		if in.err != nil {
			return in.err
		}
	}
	return err
}

// input is a file being read: at most limit bytes, and no more once ctx is
// done. It implements Name so that errors of ReadHlogs and ReadResults
// name the file.
type input struct {
	name  string
	kind  string // "a JSON report", for the limit's error
	f     *os.File
	br    *bufio.Reader
	ctx   context.Context
	limit int64
	n     int64
	err   error // why reading stopped early: the limit or ctx
	stop  func() bool
}

func openInput(ctx context.Context, path, kind string, limit int64) (*input, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // *PathError: names the path
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a .json report, .hlog log or vegeta results file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in := &input{name: path, kind: kind, f: f, ctx: ctx, limit: limit}
	in.br = bufio.NewReader(limitedFile{in})
	// A read blocked on a pipe or FIFO sees no ctx check: closing the file
	// ends it.
	in.stop = context.AfterFunc(ctx, func() { f.Close() })
	return in, nil
}

func (in *input) Name() string { return in.name }

func (in *input) Read(p []byte) (int, error) { return in.br.Read(p) }

// firstByte returns the first byte that is not white space, unread.
func (in *input) firstByte() (byte, error) {
	for {
		b, err := in.br.ReadByte()
		if err != nil {
			if in.err != nil {
				return 0, in.err
			}
			if errors.Is(err, io.EOF) {
				return 0, fmt.Errorf("%s: empty file", in.name)
			}
			return 0, fmt.Errorf("%s: %w", in.name, err)
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, in.br.UnreadByte()
	}
}

func (in *input) close() {
	in.stop()
	in.f.Close()
}

// limitedFile reads in's file, failing once the limit is passed or ctx is
// done; the failure is kept in in.err so the caller reports it rather than
// what a decoder made of a cut stream.
type limitedFile struct{ in *input }

func (l limitedFile) Read(p []byte) (int, error) {
	in := l.in
	if in.err != nil {
		return 0, in.err
	}
	if err := in.ctx.Err(); err != nil {
		in.err = fmt.Errorf("%s: reading stopped: %w", in.name, err)
		return 0, in.err
	}
	// One byte past the limit tells a file of exactly limit bytes from a
	// larger one.
	if room := in.limit + 1 - in.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := in.f.Read(p)
	in.n += int64(n)
	if in.n > in.limit {
		in.err = fmt.Errorf("%s: %w of %s for %s: not a file authscope wrote", in.name, ErrInputTooLarge, byteSize(in.limit), in.kind)
		return 0, in.err
	}
	if err != nil && in.ctx.Err() != nil {
		// The file was closed under the read by the AfterFunc.
		in.err = fmt.Errorf("%s: reading stopped: %w", in.name, in.ctx.Err())
		return n, in.err
	}
	return n, err
}

func readers(ins []*input) []io.Reader {
	out := make([]io.Reader, len(ins))
	for i, in := range ins {
		out[i] = in
	}
	return out
}

// byteSize renders a limit: "64 MiB", "4 GiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
