// A larger program (7-10 MB depending on the Go version) for
// bench/inspect-speed: an HTTPS server and client pulling in net/http and
// crypto/tls, a typical agent target.  Standard library only.
package main

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: bigprog ADDR")
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "path %s\n", r.URL.Path)
	})
	srv := &http.Server{Addr: os.Args[1], Handler: mux,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	go func() { _ = srv.ListenAndServeTLS("cert.pem", "key.pem") }()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{}}}
	resp, err := c.Get("https://" + os.Args[1] + "/")
	if err == nil {
		resp.Body.Close()
	}
}
