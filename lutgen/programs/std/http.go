// The net/http part of the std program: one handler served over
// HTTP/1.1 (plain TCP) and HTTP/2 (TLS with ALPN h2), fetched by one
// client, so that the server (conn, response, serverHandler), the client
// (Transport, persistConn), the HTTP/2 framer and the types they use
// (Request, Response, url.URL, bufio.Writer, context.valueCtx) stay linked.
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io/ioutil"
	"net"
	"net/http"
)

type ctxKey struct{}

func hello(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithValue(r.Context(), ctxKey{}, r.URL.Path)
	w.Header().Set("X-Probe", fmt.Sprint(ctx.Value(ctxKey{})))
	w.WriteHeader(http.StatusTeapot)
	fmt.Fprintf(w, "hello %s %s", r.Proto, r.URL.RawQuery)
}

func listen(srv *http.Server, tlsOn bool) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	if tlsOn {
		go srv.ServeTLS(ln, "", "")
		return "https://" + ln.Addr().String(), nil
	}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

func runHTTP(cert tls.Certificate) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", hello)
	plain := &http.Server{Handler: mux}
	secure := &http.Server{Handler: mux, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
	}}
	defer plain.Close()
	defer secure.Close()
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for i, srv := range []*http.Server{plain, secure} {
		base, err := listen(srv, srv == secure)
		if err != nil {
			return err
		}
		resp, err := client.Get(fmt.Sprintf("%s/hello?n=%d", base, i))
		if err != nil {
			return err
		}
		body, err := ioutil.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		fmt.Printf("http\t%s\t%d\t%s\n", resp.Proto, resp.StatusCode, body)
	}
	return nil
}
