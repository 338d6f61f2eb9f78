// The program of lutgen/modspecs/http2.json: golang.org/x/net/http2's
// server and client connections over a pipe, its Framer and its HPACK
// encoder, so their types and methods are linked in and their DWARF is
// kept.  It builds with every x/net release from v0.7.0 on (only API they
// all have); it is built, never run, by lutgen.
package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func main() {
	// HPACK and framing on a buffer.
	var hbuf, fbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	enc.WriteField(hpack.HeaderField{Name: ":path", Value: "/"})
	fr := http2.NewFramer(&fbuf, &fbuf)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1,
		BlockFragment: hbuf.Bytes(), EndHeaders: true})
	fr.WriteDataPadded(1, true, []byte("x"), nil)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		if d, ok := f.(*http2.DataFrame); ok {
			fmt.Println(d.Header().StreamID, d.Data())
		}
		if m, ok := f.(*http2.MetaHeadersFrame); ok {
			fmt.Println(m.Fields)
		}
	}

	// A server connection and a client connection on a pipe.
	c1, c2 := net.Pipe()
	srv := &http2.Server{}
	go srv.ServeConn(c1, &http2.ServeConnOpts{Handler: http.NotFoundHandler()})
	tr := &http2.Transport{}
	cc, err := tr.NewClientConn(c2)
	if err != nil {
		fmt.Println(err)
		return
	}
	req, _ := http.NewRequest("GET", "http://x/", nil)
	if resp, err := cc.RoundTrip(req); err == nil {
		fmt.Println(resp.StatusCode)
	}
	cc.Close()
}
