package lifeline

import (
	"net"
	"strconv"
	"strings"
)

// EngineAddress returns the engine's gRPC address from a plugin's command-line arguments (os.Args[1:]), or ""
// when there is none (the plugin was run by hand, e.g. with -version, or in attach mode).
//
// The engine passes its address as the last argument, after any flags (--logtostderr, -v=N, --tracing URL).
func EngineAddress(args []string) string {
	if len(args) == 0 {
		return ""
	}
	last := args[len(args)-1]
	if strings.HasPrefix(last, "-") {
		return ""
	}
	host, port, err := net.SplitHostPort(last)
	if err != nil || host == "" {
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return ""
	}
	return last
}
