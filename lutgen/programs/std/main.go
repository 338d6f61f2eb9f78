// The std program: one test program serving every standard-library spec
// (goroutine, gotls, nethttp, http2std, sql).  lutgen builds it once per
// (toolchain, GOARCH) and reads every lookup of those specs from the one
// binary, so that the linker keeps, with their DWARF:
//
//   - runtime.g/m and the scheduler functions (goroutines that block and
//     wake up: newproc1, execute, goexit1, casgstatus);
//   - crypto/tls.(*Conn).Write/Read/Close out of line and the types on the
//     path from a *tls.Conn to its file descriptor and addresses
//     (tls.go);
//   - net/http's server and client over HTTP/1.1 and HTTP/2 (the bundled
//     http2, net/http/internal/http2 from go1.27), net/url, bufio and
//     context (http.go);
//   - database/sql with an in-process driver (sql.go).
//
// It also runs: tests/e2e_params_live.py stops it under gdb at the entry
// and at the return instructions of (*tls.Conn).Write, Read and Close and
// reads the arguments and results where lutgen says they are.  Before
// each of those calls the program prints the bytes of the arguments as
// they lie in memory, after each Write and Read the bytes of the results:
//
//	expect<TAB>FUNCTION<TAB>PARAM=HEX<TAB>PARAM=HEX...
//	returned<TAB>FUNCTION<TAB>0=HEX<TAB>1=HEX
//
// Arguments name the parts to run ("tls", "http", "sql"; none: all), so
// that the live test sees only the calls it expects.
//
// Standard library only; builds with go1.13 and newer.  Offline: the
// certificate is generated at start-up, every peer is 127.0.0.1.
package main

import (
	"crypto/tls"
	"fmt"
	"os"
)

func main() {
	parts := map[string]func(tls.Certificate) error{
		"tls":  runTLS,
		"http": runHTTP,
		"sql":  func(tls.Certificate) error { return runSQL() },
	}
	order := os.Args[1:]
	if len(order) == 0 {
		order = []string{"tls", "http", "sql"}
	}
	cert, err := selfSigned()
	for _, p := range order {
		if err != nil {
			break
		}
		if run, ok := parts[p]; ok {
			err = run(cert)
		} else {
			err = fmt.Errorf("unknown part %q (tls, http or sql)", p)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "std:", err)
		os.Exit(1)
	}
}
