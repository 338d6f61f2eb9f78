// The crypto/tls part of the std program: a TLS client and server over a
// loopback TCP connection plus a UDP socket.  Before each call of
// (*tls.Conn).Write, Read and Close it prints the bytes of the arguments,
// after each Write and Read the bytes of the results (see main.go).
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

// returned prints the returned line of a call to fn: the bytes of its
// results n (int) and err (error: type word, data word), by position.
func returned(fn string, n int, err error) {
	hex := func(p unsafe.Pointer, size uintptr) string {
		return fmt.Sprintf("%x", (*[64]byte)(p)[:size:size])
	}
	fmt.Println(strings.Join([]string{"returned", fn,
		"0=" + hex(unsafe.Pointer(&n), unsafe.Sizeof(n)),
		"1=" + hex(unsafe.Pointer(&err), unsafe.Sizeof(err))}, "\t"))
}

// readFull is io.ReadFull with an expect line before each Read.
func readFull(c *tls.Conn, buf []byte) error {
	var r reader = c
	for got := 0; got < len(buf); {
		rest := buf[got:]
		expect(fnRead, c, &rest)
		n, err := r.Read(rest)
		returned(fnRead, n, err)
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
		var n int
		n, err = w.Write(buf)
		returned(fnWrite, n, err)
	}
	var cl closer = tc
	expect(fnClose, tc, nil)
	if cerr := cl.Close(); err == nil {
		err = cerr
	}
	done <- err
}

func runTLS(cert tls.Certificate) error {
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
	returned(fnWrite, n, err)
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
