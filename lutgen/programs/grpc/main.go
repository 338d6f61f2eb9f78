// The program of lutgen/modspecs/grpc.json: a gRPC server and a client
// dialling it, so the client and server transports (internal/transport's
// http2Client, http2Server, loopyWriter, bufWriter, streams) and
// ClientConn.Invoke are linked in and their DWARF is kept.  It builds
// with every grpc release from v1.27 on (only API they all have); it is
// built, never run, by lutgen.
package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

func main() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := grpc.NewServer()
	go srv.Serve(lis)
	defer srv.Stop()

	cc, err := grpc.Dial(lis.Addr().String(), grpc.WithInsecure())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer cc.Close()
	// No service is registered: the call fails with Unimplemented (or
	// with a codec error before that), which is all this needs.
	err = cc.Invoke(context.Background(), "/lutgen.Probe/Call", nil, nil)
	st, _ := status.FromError(err)
	fmt.Println(cc.Target(), st.Code())
}
