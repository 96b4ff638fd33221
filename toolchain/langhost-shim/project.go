package main

import (
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// projectFiles are the names the Pulumi CLI accepts for a project file, in its order. YAML reads the JSON one too.
var projectFiles = []string{"Pulumi.yaml", "Pulumi.yml", "Pulumi.json"}

// projectTypeScript says whether the project the program in dir belongs to wants it run through ts-node: the
// runtime.options.typescript of the nearest project file at or above dir (the CLI starts its language host in the
// directory of the project's `main`, which may be below the project file). The Pulumi CLI now hands runtime
// options to the host in RunRequest, but the v3.68.0 host only knows its -typescript flag, which defaults to true:
// without this, a program compiled ahead to JavaScript still loads ts-node and the TypeScript compiler, and every
// resource's stack trace goes through ts-node's source-map hook. No project file, or one that does not say false:
// true, the host's own default.
func projectTypeScript(dir string) bool {
	for {
		for _, name := range projectFiles {
			if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				return typeScriptOption(data)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// typeScriptOption reads runtime.options.typescript from a project file's text; true unless it says false.
func typeScriptOption(data []byte) bool {
	var project struct {
		Runtime yaml.Node `yaml:"runtime"`
	}
	if yaml.Unmarshal(data, &project) != nil || project.Runtime.Kind != yaml.MappingNode {
		return true // `runtime: nodejs`, or a file the CLI itself will refuse
	}
	var runtime struct {
		Options struct {
			TypeScript *bool `yaml:"typescript"`
		} `yaml:"options"`
	}
	if project.Runtime.Decode(&runtime) != nil || runtime.Options.TypeScript == nil {
		return true
	}
	return *runtime.Options.TypeScript
}

// upstreamArgs are the shim's own arguments for the v3.68.0 host, with -typescript=false first when the project
// of the program in dir (where the CLI starts its language host) says so. Flags go before the engine
// address, which ends the list.
func upstreamArgs(args []string, dir string) []string {
	if projectTypeScript(dir) {
		return args
	}
	return append([]string{"-typescript=false"}, args...)
}
