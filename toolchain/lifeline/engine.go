package lifeline

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// refusalsToGone is how many health checks in a row must be refused before the engine counts as gone: one
// refusal could be a connection being re-established.
const refusalsToGone = 2

// watchEngine calls the engine's gRPC health service every interval, as Pulumi's plugins do, and returns an
// ErrEngineGone error once the engine has refused refusalsToGone checks in a row; nil when ctx ends first.
//
// Only a refusal (codes.Unavailable: nothing listens, the connection was reset) counts. An answer of any kind,
// including Unimplemented from an engine without the health service, means it is alive; so does a check that
// times out, since a slow or stopped (SIGSTOP) engine may still come back, and its death shows as a refusal.
func watchEngine(ctx context.Context, addr string, interval time.Duration) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil // not an address gRPC can dial: nothing to watch (EngineAddress only returns host:port)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	refusals := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		check, cancel := context.WithTimeout(ctx, interval)
		_, err := health.Check(check, &healthpb.HealthCheckRequest{})
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if status.Code(err) != codes.Unavailable {
			refusals = 0
			continue
		}
		refusals++
		if refusals >= refusalsToGone {
			return fmt.Errorf("%w: health check of %s: %v", ErrEngineGone, addr, err)
		}
	}
}
