package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

func TestForwardsUnaryCallWithMetadataHeadersAndTrailers(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "r-42")

	var header, trailer metadata.MD
	info, err := pulumirpc.NewLanguageRuntimeClient(conn).GetPluginInfo(ctx, &emptypb.Empty{},
		grpc.Header(&header), grpc.Trailer(&trailer))
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != "request-id=r-42" {
		t.Errorf("upstream saw %q, want the caller's metadata request-id=r-42", info.GetVersion())
	}
	if got := header.Get("x-upstream-header"); len(got) != 1 || got[0] != "h1" {
		t.Errorf("response header = %v, want upstream's h1", got)
	}
	if got := trailer.Get("x-upstream-trailer"); len(got) != 1 || got[0] != "t1" {
		t.Errorf("response trailer = %v, want upstream's t1", got)
	}
}

func TestForwardsUpstreamErrorStatusUnchanged(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	_, err := pulumirpc.NewLanguageRuntimeClient(conn).GetRequiredPlugins(context.Background(),
		&pulumirpc.GetRequiredPluginsRequest{})
	st, _ := status.FromError(err)
	if st.Code() != codes.FailedPrecondition || st.Message() != "no program at /nowhere" {
		t.Errorf("status = %v %q, want upstream's FailedPrecondition \"no program at /nowhere\"", st.Code(), st.Message())
	}
}

func TestForwardsServerStreamThenItsStatus(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).InstallDependencies(context.Background(),
		&pulumirpc.InstallDependenciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := stream.Recv()
		if err != nil {
			if st, _ := status.FromError(err); st.Code() != codes.Aborted {
				t.Errorf("stream ended with %v, want upstream's Aborted", err)
			}
			break
		}
		got = append(got, string(msg.GetStdout()))
	}
	if strings.Join(got, "") != "step 1\nstep 2\nstep 3\n" {
		t.Errorf("streamed %q, want the three upstream messages in order", got)
	}
}

func TestForwardsCallsToAnyService(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	info, err := pulumirpc.NewAnalyzerClient(conn).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != "analyzer-on-upstream" {
		t.Errorf("got %q, want the upstream Analyzer's answer", info.GetVersion())
	}
	// A method upstream does not know comes back as upstream's Unimplemented.
	err = conn.Invoke(context.Background(), "/pulumirpc.NoSuchService/Nothing", &emptypb.Empty{}, &emptypb.Empty{})
	if st, _ := status.FromError(err); st.Code() != codes.Unimplemented {
		t.Errorf("unknown method: %v, want Unimplemented", err)
	}
}

func TestForwardsMessagesAboveGRPCDefaultLimit(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	big := strings.Repeat("x", 6*1024*1024) // gRPC's default receive limit is 4 MiB
	resp, err := pulumirpc.NewLanguageRuntimeClient(conn).Run(context.Background(),
		&pulumirpc.RunRequest{Config: map[string]string{"big": big}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetError() != "config big has 6291456 bytes" {
		t.Errorf("upstream answered %q", resp.GetError())
	}
}

func TestCallerDeadlineCancelsUpstreamCall(t *testing.T) {
	rt := &fakeRuntime{handshakeStopped: make(chan struct{})}
	conn, _ := startShimFor(t, startFakeUpstream(t, rt))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := pulumirpc.NewLanguageRuntimeClient(conn).Handshake(ctx, &pulumirpc.LanguageHandshakeRequest{})
	if st, _ := status.FromError(err); st.Code() != codes.DeadlineExceeded {
		t.Errorf("got %v, want DeadlineExceeded", err)
	}
	select {
	case <-rt.handshakeStopped:
	case <-time.After(5 * time.Second):
		t.Fatal("upstream call was still running 5s after the caller's deadline")
	}
}

func TestRawCodecRoundTripsBytesAndRejectsOtherTypes(t *testing.T) {
	in := &rawFrame{data: []byte{0x0a, 0x03, 'a', 'b', 'c'}}
	wire, err := rawCodec{}.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out rawFrame
	if err := (rawCodec{}).Unmarshal(wire, &out); err != nil {
		t.Fatal(err)
	}
	wire[2] = 'z' // the decoded frame must not alias the transport's buffer
	if string(out.data) != "\x0a\x03abc" {
		t.Errorf("round trip gave %q", out.data)
	}
	if _, err := (rawCodec{}).Marshal(&emptypb.Empty{}); err == nil {
		t.Error("marshalling a non-frame should fail")
	}
	if err := (rawCodec{}).Unmarshal(wire, &emptypb.Empty{}); err == nil {
		t.Error("unmarshalling into a non-frame should fail")
	}
}

// drain reads a RunPlugin stream to its end.
func drain(t *testing.T, stream grpc.ServerStreamingClient[pulumirpc.RunPluginResponse]) (stdout, stderr string, code int32, err error) {
	t.Helper()
	code = -1000
	for {
		msg, recvErr := stream.Recv()
		if recvErr == io.EOF {
			return stdout, stderr, code, nil
		}
		if recvErr != nil {
			return stdout, stderr, code, recvErr
		}
		switch out := msg.GetOutput().(type) {
		case *pulumirpc.RunPluginResponse_Stdout:
			stdout += string(out.Stdout)
		case *pulumirpc.RunPluginResponse_Stderr:
			stderr += string(out.Stderr)
		case *pulumirpc.RunPluginResponse_Exitcode:
			code = out.Exitcode
		}
	}
}
