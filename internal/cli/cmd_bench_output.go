package cli

// Output files of bench and report. Every output is opened before the
// work starts (a load run can take minutes; finding out afterwards that
// --json points into a read-only directory wastes it), as a temporary file
// next to its destination that is renamed into place only once complete.
// A failed or refused run therefore leaves no truncated file behind and
// never clobbers an earlier report at the same path.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/authscope/authscope/bench"
)

// outFile is an output being written: a temporary file that commit renames
// to path.
type outFile struct {
	path string
	tmp  *os.File
	done bool
}

// createOutput checks that path can be written and opens the temporary
// file that becomes it. A missing directory is a usage error (exit 2), not
// created: a typo in a path must not silently grow a directory tree (only
// --hdr DIR, a directory by nature, is created).
func createOutput(path string) (*outFile, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("%s: directory %s does not exist (create it first)", path, dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot write there: %w", path, pathCause(err))
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &outFile{path: path, tmp: tmp}, nil
}

func (o *outFile) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// commit closes the file and renames it into place.
func (o *outFile) commit() error {
	if o.done {
		return nil
	}
	o.done = true
	if err := o.tmp.Close(); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("%s: %w", o.path, err)
	}
	if err := os.Rename(o.tmp.Name(), o.path); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("%s: %w", o.path, err)
	}
	return nil
}

// abort drops the file; the destination is left as it was.
func (o *outFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.tmp.Close()
	os.Remove(o.tmp.Name())
}

// outputs are the files a command was asked to write. Nil fields were not
// asked for.
type outputs struct {
	json, html, hlog, results *outFile
	hdrDir                    string
}

// outputPaths are the flags naming outputs ("" when not given).
type outputPaths struct {
	json, html, hdrDir, hlog, results string
}

// openOutputs opens every output asked for, or none: on an error the ones
// opened are dropped and the error names the path.
func openOutputs(p outputPaths) (*outputs, error) {
	o := &outputs{hdrDir: p.hdrDir}
	if p.hdrDir != "" {
		if err := checkDir(p.hdrDir); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		path string
		dst  **outFile
	}{{p.json, &o.json}, {p.html, &o.html}, {p.hlog, &o.hlog}, {p.results, &o.results}} {
		if f.path == "" {
			continue
		}
		fh, err := createOutput(f.path)
		if err != nil {
			o.abort()
			return nil, err
		}
		*f.dst = fh
	}
	return o, nil
}

// checkDir creates dir and proves a file can be created in it.
func checkDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: cannot create it: %w", dir, pathCause(err))
	}
	probe, err := os.CreateTemp(dir, ".authscope-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write there: %w", dir, pathCause(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// pathCause drops the temporary file's name from a *fs.PathError: the
// user named the destination, not the temporary file.
func pathCause(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

func (o *outputs) files() []*outFile {
	var fs []*outFile
	for _, f := range []*outFile{o.json, o.html, o.hlog, o.results} {
		if f != nil {
			fs = append(fs, f)
		}
	}
	return fs
}

// abort drops every output not yet committed.
func (o *outputs) abort() {
	for _, f := range o.files() {
		f.abort()
	}
}

// writeReports writes the JSON, HTML and .hgrm outputs of rep, then
// commits every output (the streamed .hlog and results too) and says what
// it wrote.
func (o *outputs) writeReports(rep *bench.Report, env *cliEnv) error {
	var errs []error
	fill := func(f *outFile, write func(io.Writer) error) {
		if f == nil {
			return
		}
		if err := write(f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.path, err))
			f.abort()
		}
	}
	fill(o.json, rep.WriteJSON)
	fill(o.html, func(w io.Writer) error { return bench.WriteHTML(w, rep) })
	if o.hdrDir != "" {
		paths, err := bench.WriteHgrmFiles(o.hdrDir, rep)
		if err != nil {
			errs = append(errs, err)
		}
		if len(paths) > 0 {
			fmt.Fprintf(env.stderr, "wrote %d .hgrm files in %s\n", len(paths), o.hdrDir)
		}
	}
	for _, f := range o.files() {
		if f.done {
			continue
		}
		if err := f.commit(); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(env.stderr, "wrote %s\n", f.path)
	}
	return errors.Join(errs...)
}
