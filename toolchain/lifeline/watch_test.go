package lifeline

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const testInterval = 20 * time.Millisecond

// startEngine serves gRPC on loopback, with or without the health service, and returns its address and a
// function that stops it (closing the listener and every connection, as the death of the engine does).
func startEngine(t *testing.T, withHealth bool) (string, func()) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	if withHealth {
		healthpb.RegisterHealthServer(srv, health.NewServer())
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), srv.Stop
}

func TestWatchEndsOnlyOnceTheEngineStopsAnswering(t *testing.T) {
	for name, withHealth := range map[string]bool{"health service": true, "no health service (Unimplemented)": false} {
		t.Run(name, func(t *testing.T) {
			addr, stop := startEngine(t, withHealth)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			watched := Watch(ctx, Options{Engine: addr, Interval: testInterval})

			select {
			case <-watched.Done():
				t.Fatalf("the watch ended while the engine was answering: %v", context.Cause(watched))
			case <-time.After(25 * testInterval):
			}

			stop()
			select {
			case <-watched.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the watch did not end within 5s of the engine going away")
			}
			if cause := context.Cause(watched); !errors.Is(cause, ErrEngineGone) || !Gone(watched) {
				t.Errorf("cause = %v, want ErrEngineGone", cause)
			}
		})
	}
}

func TestWatchEndsWithItsOwnContextAndThatIsNotGone(t *testing.T) {
	addr, _ := startEngine(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	watched := Watch(ctx, Options{Engine: addr, Interval: testInterval})
	cancel()
	select {
	case <-watched.Done():
	case <-time.After(time.Second):
		t.Fatal("the watch outlived its parent context")
	}
	if Gone(watched) || !errors.Is(context.Cause(watched), context.Canceled) {
		t.Errorf("cause = %v, want context.Canceled and Gone false", context.Cause(watched))
	}
}
