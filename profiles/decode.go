package profiles

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/authscope/authscope/bench"
)

// Parse decodes one profile strictly. source names the file in errors.
func Parse(source string, data []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{File: source, Line: yamlErrLine(err), Msg: cleanYAMLErr(err)}
	}
	// A second document would be silently ignored by a plain decode.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			line = yamlErrLine(err)
		}
		return nil, &Error{File: source, Line: line, Msg: "a profile file holds one YAML document; put each profile in its own file"}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{File: source, Msg: "empty profile"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: source, Line: root.Line, Msg: "a profile is a mapping of keys to values"}
	}
	p := &Profile{Source: source, lines: map[string]int{}}
	var errs []error
	checkKeys(source, root, reflect.TypeOf(*p), "", p.lines, &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := root.Decode(p); err != nil {
		if berr := benchErrors(source, root); berr != nil {
			return nil, berr
		}
		return nil, typeErrors(source, err, p.lines)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// checkKeys walks a mapping against the struct it decodes into: every key
// must be a known field, inline secrets are refused, and each key's line is
// recorded under its dotted path for later validation errors.
func checkKeys(source string, n *yaml.Node, t reflect.Type, prefix string, lines map[string]int, errs *[]error) {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = f.Type
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		lines[path] = k.Line
		if seen[k.Value] {
			*errs = append(*errs, &Error{File: source, Line: k.Line, Key: path, Msg: "duplicate key"})
			continue
		}
		seen[k.Value] = true
		ft, ok := fields[k.Value]
		if !ok {
			msg := "unknown key"
			if use, secret := inlineSecretKeys[strings.ToLower(k.Value)]; secret {
				msg = "inline secrets are refused: name an environment variable with " + use
			} else if near := nearestKey(k.Value, slices.Collect(maps.Keys(fields))); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", prefix+near)
			}
			*errs = append(*errs, &Error{File: source, Line: k.Line, Key: path, Msg: msg})
			continue
		}
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration(0)):
			if v.Kind != yaml.MappingNode {
				*errs = append(*errs, &Error{File: source, Line: v.Line, Key: path, Msg: "want a mapping"})
				continue
			}
			checkKeys(source, v, ft, path+".", lines, errs)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && v.Kind == yaml.SequenceNode && textItems(ft.Elem()):
			// A list of values written as strings (bench thresholds):
			// their own decoder checks them; their lines are kept for
			// validation errors.
			for j, item := range v.Content {
				at := fmt.Sprintf("%s[%d]", path, j)
				lines[at] = item.Line
				if item.Kind != yaml.ScalarNode {
					*errs = append(*errs, &Error{File: source, Line: item.Line, Key: at, Msg: "want a string"})
				}
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && v.Kind == yaml.SequenceNode:
			// A list of mappings (bench scenarios, schedule steps): each
			// item's keys are checked, named by index.
			for j, item := range v.Content {
				at := fmt.Sprintf("%s[%d]", path, j)
				if item.Kind != yaml.MappingNode {
					*errs = append(*errs, &Error{File: source, Line: item.Line, Key: at, Msg: "want a mapping"})
					continue
				}
				checkKeys(source, item, ft.Elem(), at+".", lines, errs)
			}
		case ft.Kind() == reflect.Map && v.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				lines[path+"."+v.Content[j].Value] = v.Content[j].Line
			}
		}
	}
}

// textItems reports whether values of t decode from a string
// (encoding.TextUnmarshaler) rather than from a mapping.
func textItems(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// UnmarshalYAML accepts Go durations ("90s", "720h"), the one convention
// of every profile section. A bare number is refused with the fix spelt
// out: it would be seconds to an Auth.js user and nanoseconds to Go.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration such as 30s or 720h", n.Line)
	}
	if _, err := strconv.ParseFloat(n.Value, 64); err == nil && n.Value != "0" {
		return fmt.Errorf("line %d: %q has no unit: write a duration such as %ss or 720h", n.Line, n.Value, n.Value)
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 30s or 720h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

var lineRE = regexp.MustCompile(`line (\d+): `)

func yamlErrLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func cleanYAMLErr(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	return lineRE.ReplaceAllString(s, "")
}

// benchErrors names the bench keys whose values do not decode. The bench
// types' text decoders (durations, rates, schedules) return errors without
// a line, so each key of the section is decoded on its own to find the
// ones at fault; nil when the section decodes.
func benchErrors(source string, root *yaml.Node) error {
	var sec *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "bench" {
			sec = root.Content[i+1]
		}
	}
	if sec == nil || sec.Kind != yaml.MappingNode {
		return nil
	}
	var errs []error
	for i := 0; i+1 < len(sec.Content); i += 2 {
		k := sec.Content[i]
		one := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: sec.Content[i : i+2]}
		var cfg bench.Config
		if err := one.Decode(&cfg); err != nil {
			errs = append(errs, &Error{File: source, Line: k.Line, Key: "bench." + k.Value, Msg: cleanYAMLErr(err)})
		}
	}
	return errors.Join(errs...)
}

// typeErrors turns yaml's aggregated type errors into file:line errors.
func typeErrors(source string, err error, lines map[string]int) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		line := yamlErrLine(err)
		return &Error{File: source, Line: line, Key: keyAtLine(lines, line), Msg: cleanYAMLErr(err)}
	}
	var errs []error
	for _, e := range te.Errors {
		line := 0
		if m := lineRE.FindStringSubmatch(e); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := lineRE.ReplaceAllString(e, "")
		msg = strings.ReplaceAll(msg, "profiles.", "")
		errs = append(errs, &Error{File: source, Line: line, Key: keyAtLine(lines, line), Msg: msg})
	}
	return errors.Join(errs...)
}

// keyAtLine finds the deepest key written on line (values share their key's
// line in block style).
func keyAtLine(lines map[string]int, line int) string {
	best := ""
	for k, l := range lines {
		if l == line && len(k) > len(best) {
			best = k
		}
	}
	return best
}

// ScalarString is a string that also takes YAML's unquoted true/false (as
// in use_secure_cookies: true) as their text.
type ScalarString string

// UnmarshalYAML accepts any scalar.
func (s *ScalarString) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a single value", n.Line)
	}
	*s = ScalarString(n.Value)
	return nil
}
