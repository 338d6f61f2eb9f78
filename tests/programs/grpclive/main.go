// The program of tests/e2e_grpc_live.py: a gRPC server and a client on
// loopback making one unary call with a raw codec (no protobuf), printing
// first what a tracer should read at the entry of
// grpc.(*ClientConn).Invoke and transport.(*http2Client).NewStream:
//
//	expect	target	<hex of ClientConn.target>
//	expect	method	<hex of the method name>
//
// and at the end the call's reply ("reply <text>").
package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
)

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(b []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), b...)
	return nil
}
func (rawCodec) Name() string { return "lutgenraw" }

type echoServer interface{}

func echo(srv interface{}, ctx context.Context, dec func(interface{}) error,
	_ grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	out := append([]byte("echo "), in...)
	return &out, nil
}

const method = "/lutgen.Live/Echo"

func main() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}))
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "lutgen.Live",
		HandlerType: (*echoServer)(nil),
		Methods:     []grpc.MethodDesc{{MethodName: "Echo", Handler: echo}},
	}, struct{}{})
	go srv.Serve(lis)

	target := lis.Addr().String()
	fmt.Printf("expect\ttarget\t%s\n", hex.EncodeToString([]byte(target)))
	fmt.Printf("expect\tmethod\t%s\n", hex.EncodeToString([]byte(method)))
	cc, err := grpc.Dial(target, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	in, out := []byte("ping"), []byte(nil)
	if err := cc.Invoke(context.Background(), method, &in, &out,
		grpc.ForceCodec(rawCodec{})); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("reply %s\n", out)
	cc.Close()
	srv.Stop()
}
