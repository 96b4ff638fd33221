package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestProjectTypeScript(t *testing.T) {
	cases := []struct {
		name, file, text string
		want             bool
	}{
		{"compiled ahead", "Pulumi.yaml", "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n", false},
		{"typescript asked for", "Pulumi.yaml", "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n", true},
		{"options without typescript", "Pulumi.yaml", "runtime:\n  name: nodejs\n  options:\n    nodeargs: --max-old-space-size=4096\n", true},
		{"runtime as a plain name", "Pulumi.yaml", "name: p\nruntime: nodejs\n", true},
		{"Pulumi.yml", "Pulumi.yml", "runtime: { name: nodejs, options: { typescript: false } }\n", false},
		{"Pulumi.json", "Pulumi.json", `{"name": "p", "runtime": {"name": "nodejs", "options": {"typescript": false}}}`, false},
		{"not YAML", "Pulumi.yaml", "runtime: [\n", true},
		{"typescript not a boolean", "Pulumi.yaml", "runtime:\n  name: nodejs\n  options:\n    typescript: maybe\n", true},
		{"no project file", "other.yaml", "runtime: { options: { typescript: false } }\n", true},
		{"main in a subdirectory: the project file above it", "../Pulumi.yaml", "runtime: { name: nodejs, options: { typescript: false } }\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "main")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.text), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := projectTypeScript(dir); got != c.want {
				t.Errorf("projectTypeScript = %v, want %v", got, c.want)
			}
		})
	}
}

func TestUpstreamArgs(t *testing.T) {
	compiled := t.TempDir()
	if err := os.WriteFile(filepath.Join(compiled, "Pulumi.yaml"), []byte("runtime: { name: nodejs, options: { typescript: false } }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	engine := []string{"-tracing=", "127.0.0.1:4242"}
	if got, want := upstreamArgs(engine, compiled), []string{"-typescript=false", "-tracing=", "127.0.0.1:4242"}; !reflect.DeepEqual(got, want) {
		t.Errorf("compiled ahead: %q, want %q", got, want)
	}
	if got := upstreamArgs(engine, t.TempDir()); !reflect.DeepEqual(got, engine) {
		t.Errorf("no project file: %q, want the arguments unchanged", got)
	}
}
