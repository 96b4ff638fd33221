package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// maxMessageSize matches the limit the Pulumi engine and hosts use (400 MiB), so the shim never rejects a
// message (a large program's config, a big schema) that the upstream host would accept.
const maxMessageSize = 400 * 1024 * 1024

// rawFrame is one gRPC message left encoded: the shim moves bytes, it never needs the upstream's types.
type rawFrame struct{ data []byte }

// rawCodec passes frames through unchanged. Its name is "proto" so the upstream host, which picks its codec
// from the content-subtype, decodes the forwarded bytes as the protobuf they are.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*rawFrame)
	if !ok {
		return nil, fmt.Errorf("rawCodec cannot marshal %T", v)
	}
	return f.data, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*rawFrame)
	if !ok {
		return fmt.Errorf("rawCodec cannot unmarshal into %T", v)
	}
	// gRPC may reuse data after this returns.
	f.data = append(f.data[:0], data...)
	return nil
}

// newShimServer serves every method through one handler: RunPlugin is answered locally, everything else
// (any service, unary or streaming, including methods this build has never heard of) goes to upstream.
func newShimServer(upstream *grpc.ClientConn, plugins *pluginRunner) *grpc.Server {
	handle := func(_ any, stream grpc.ServerStream) error {
		method, ok := grpc.MethodFromServerStream(stream)
		if !ok {
			return status.Error(codes.Internal, "pulumi-language-nodejs: no method on stream")
		}
		if method == pulumirpc.LanguageRuntime_RunPlugin_FullMethodName {
			return plugins.serve(stream)
		}
		return forward(stream, upstream, method)
	}
	return grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.UnknownServiceHandler(handle),
		grpc.MaxRecvMsgSize(maxMessageSize),
		grpc.MaxSendMsgSize(maxMessageSize),
	)
}

func dialUpstream(port int) (*grpc.ClientConn, error) {
	return grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.ForceCodec(rawCodec{}),
			grpc.MaxCallRecvMsgSize(maxMessageSize),
			grpc.MaxCallSendMsgSize(maxMessageSize),
		),
	)
}

func listenLoopback() (net.Listener, int, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	return lis, lis.Addr().(*net.TCPAddr).Port, nil
}

// forward relays one call to upstream: request metadata and messages one way, response headers, messages,
// trailers and the final status the other. The call's deadline and cancellation carry over through the context.
func forward(in grpc.ServerStream, upstream *grpc.ClientConn, method string) error {
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(in.Context()); ok {
		// gRPC itself drops the transport headers (":authority", "content-type", ...) from outgoing metadata.
		ctx = metadata.NewOutgoingContext(ctx, md.Copy())
	}
	out, err := upstream.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, method)
	if err != nil {
		return err
	}

	go func() {
		for {
			var f rawFrame
			if err := in.RecvMsg(&f); err != nil {
				if errors.Is(err, io.EOF) {
					_ = out.CloseSend()
				}
				// Otherwise the caller went away; cancelling ctx (below, or by gRPC) ends the upstream call.
				return
			}
			if err := out.SendMsg(&f); err != nil {
				// Upstream ended the call; its status arrives through RecvMsg below.
				return
			}
		}
	}()

	if header, err := out.Header(); err == nil && len(header) > 0 {
		if err := in.SendHeader(header); err != nil {
			return err
		}
	}
	for {
		var f rawFrame
		if err := out.RecvMsg(&f); err != nil {
			in.SetTrailer(out.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := in.SendMsg(&f); err != nil {
			return err
		}
	}
}
