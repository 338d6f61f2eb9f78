// Test program of the gotls spec: a TLS client and server over a loopback
// TCP connection plus a UDP socket, so that the linker keeps, with their
// DWARF, crypto/tls.(*Conn).Write/Read/Close out of line and the types on
// the path from a *tls.Conn to its file descriptor and addresses:
// crypto/tls.Conn -> net.Conn (a *net.TCPConn) -> net.conn -> *net.netFD
// -> internal/poll.FD.Sysfd, net.netFD.laddr/raddr (*net.TCPAddr), and
// net.UDPConn.
//
// lutgen only builds and inspects it.  It also runs: tests/e2e_params_live.py
// stops it under gdb at the entry of (*tls.Conn).Write, Read and Close and
// reads the receiver and the slice where the DWARF says they are.  Before
// each of those calls the program prints the bytes of the arguments as
// they lie in memory, one line per call:
//
//	expect<TAB>FUNCTION<TAB>PARAM=HEX<TAB>PARAM=HEX...
//
// Standard library only; builds with go1.13 and newer.  Offline: the
// certificate is generated at start-up, the peer is 127.0.0.1.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
	"unsafe"
)

// The message the client writes: its length and first bytes are what the
// live test checks.
const message = "lutgen-gotls-write-0123456789"

// writer, reader and closer make the calls go through interfaces, so the
// methods of *tls.Conn cannot be inlined into main.
type writer interface{ Write([]byte) (int, error) }
type reader interface{ Read([]byte) (int, error) }
type closer interface{ Close() error }

const (
	fnWrite = "crypto/tls.(*Conn).Write"
	fnRead  = "crypto/tls.(*Conn).Read"
	fnClose = "crypto/tls.(*Conn).Close"
)

// expect prints the expect line of a call to fn with receiver c and, when
// b is not nil, the []byte argument b.
func expect(fn string, c *tls.Conn, b *[]byte) {
	hex := func(p unsafe.Pointer, size uintptr) string {
		return fmt.Sprintf("%x", (*[64]byte)(p)[:size:size])
	}
	f := []string{"expect", fn, "c=" + hex(unsafe.Pointer(&c), unsafe.Sizeof(c))}
	if b != nil {
		f = append(f, "b="+hex(unsafe.Pointer(b), unsafe.Sizeof(*b)))
	}
	fmt.Println(strings.Join(f, "\t"))
}

// readFull is io.ReadFull with an expect line before each Read.
func readFull(c *tls.Conn, buf []byte) error {
	var r reader = c
	for got := 0; got < len(buf); {
		rest := buf[got:]
		expect(fnRead, c, &rest)
		n, err := r.Read(rest)
		got += n
		if err != nil && got < len(buf) {
			return err
		}
	}
	return nil
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func serve(ln net.Listener, done chan<- error) {
	c, err := ln.Accept()
	if err != nil {
		done <- err
		return
	}
	tc := c.(*tls.Conn)
	buf := make([]byte, len(message))
	err = readFull(tc, buf)
	if err == nil {
		var w writer = tc
		expect(fnWrite, tc, &buf)
		_, err = w.Write(buf)
	}
	var cl closer = tc
	expect(fnClose, tc, nil)
	if cerr := cl.Close(); err == nil {
		err = cerr
	}
	done <- err
}

func run() error {
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0",
		&tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return err
	}
	defer ln.Close()
	done := make(chan error, 1)
	go serve(ln, done)

	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	tcp := raw.(*net.TCPConn)
	addr := tcp.RemoteAddr().(*net.TCPAddr)
	conn := tls.Client(tcp, &tls.Config{InsecureSkipVerify: true})
	if err := conn.Handshake(); err != nil {
		tcp.Close()
		return err
	}

	var w writer = conn
	var cl closer = conn
	msg := []byte(message)
	expect(fnWrite, conn, &msg)
	n, err := w.Write(msg)
	if err != nil {
		return err
	}
	echo := make([]byte, len(message))
	if err := readFull(conn, echo); err != nil {
		return err
	}
	expect(fnClose, conn, nil)
	if err := cl.Close(); err != nil {
		return err
	}
	if err := <-done; err != nil {
		return err
	}

	// A UDP socket keeps net.UDPConn.
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	if _, err := udp.WriteToUDP(msg, udp.LocalAddr().(*net.UDPAddr)); err != nil {
		udp.Close()
		return err
	}
	udp.Close()

	fmt.Printf("done\tconn=%p write_len=%d written=%d echo=%q peer=%s:%d\n",
		conn, len(msg), n, echo, addr.IP, addr.Port)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gotls:", err)
		os.Exit(1)
	}
}
