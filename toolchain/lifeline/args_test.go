package lifeline

import "testing"

func TestEngineAddressIsTheLastArgumentWhenItIsHostAndPort(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"127.0.0.1:4000"}, "127.0.0.1:4000"},
		// How the engine starts a plugin under --logflow, -v and --tracing: flags first, its address last.
		{[]string{"--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:9411/api/v1/spans", "127.0.0.1:4000"}, "127.0.0.1:4000"},
		{[]string{"[::1]:4000"}, "[::1]:4000"},
		{[]string{"localhost:4000"}, "localhost:4000"},
		// Run by hand, or in attach mode: no engine.
		{nil, ""},
		{[]string{"-version"}, ""},
		{[]string{"-get-provider-info"}, ""},
		{[]string{"127.0.0.1:4000", "-version"}, ""},
		{[]string{"/path/to/plugin"}, ""},
		{[]string{":4000"}, ""},
		{[]string{"127.0.0.1:http"}, ""},
		{[]string{"127.0.0.1:0"}, ""},
		{[]string{"127.0.0.1:70000"}, ""},
	} {
		if got := EngineAddress(tc.args); got != tc.want {
			t.Errorf("EngineAddress(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
