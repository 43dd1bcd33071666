package profiles

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the embedded profiles, sorted by name.
func Builtin() ([]*Profile, error) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	var out []*Profile
	for _, e := range entries {
		data, err := builtinFS.ReadFile("builtin/" + e.Name())
		if err != nil {
			return nil, err
		}
		p, err := Parse("builtin:"+e.Name(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// LoadFile reads and validates one profile file.
func LoadFile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return Parse(path, data)
}

// Dir is where user profiles live: $AUTHSCOPE_PROFILES, else
// $XDG_CONFIG_HOME/authscope/profiles (~/.config/authscope/profiles).
func Dir(getenv func(string) string) string {
	if d := getenv("AUTHSCOPE_PROFILES"); d != "" {
		return d
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "authscope", "profiles")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "authscope", "profiles")
	}
	return ""
}

// ErrNotFound is returned by Find for an unknown profile name.
var ErrNotFound = errors.New("profile not found")

// Find resolves ref: a path (it contains a slash or ends in .yaml, .yml or
// .json) is loaded as is; a name is looked up in dir (NAME.yaml, .yml,
// .json), which overrides the built-in profile of the same name.
func Find(ref, dir string) (*Profile, error) {
	if ref == "" {
		return nil, fmt.Errorf("profile: empty name")
	}
	if isPath(ref) {
		return LoadFile(ref)
	}
	if dir != "" {
		for _, ext := range []string{".yaml", ".yml", ".json"} {
			path := filepath.Join(dir, ref+ext)
			if _, err := os.Stat(path); err == nil {
				p, err := LoadFile(path)
				if err != nil {
					return nil, err
				}
				if p.Name != ref {
					return nil, &Error{File: path, Line: p.Line("name"), Key: "name", Msg: fmt.Sprintf("%q does not match the file name %q", p.Name, ref)}
				}
				return p, nil
			}
		}
	}
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Name == ref {
			return p, nil
		}
	}
	return nil, fmt.Errorf("profile %q: %w (built-in: %s; user profiles in %s)", ref, ErrNotFound, names(all), dirOrNone(dir))
}

// List returns the built-in profiles and those in dir, user ones overriding
// built-ins of the same name, sorted by name. Files that fail to load are
// reported in the error but do not hide the others.
func List(dir string) ([]*Profile, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	byName := map[string]*Profile{}
	for _, p := range all {
		byName[p.Name] = p
	}
	var errs []error
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		for _, e := range entries {
			if e.IsDir() || !isPath(e.Name()) {
				continue
			}
			p, err := LoadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			byName[p.Name] = p
		}
	}
	out := make([]*Profile, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

func isPath(ref string) bool {
	return strings.ContainsRune(ref, '/') || strings.HasSuffix(ref, ".yaml") ||
		strings.HasSuffix(ref, ".yml") || strings.HasSuffix(ref, ".json")
}

func names(ps []*Profile) string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return strings.Join(n, ", ")
}

func dirOrNone(d string) string {
	if d == "" {
		return "(none)"
	}
	return d
}

// BuiltinSource returns the file text of a built-in profile by its Source
// ("builtin:demo.yaml").
func BuiltinSource(source string) ([]byte, error) {
	name, ok := strings.CutPrefix(source, "builtin:")
	if !ok {
		return nil, fmt.Errorf("profile %s is not built in", source)
	}
	return builtinFS.ReadFile("builtin/" + name)
}
