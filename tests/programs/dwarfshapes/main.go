// Test program for lutgen's DWARF inspector (tests/test_dwarf.c).
// Standard library only; builds with go1.15 and newer.
package main

import (
	"fmt"
	"net"
	"os"
	"sync"
)

// Inner is reached through an embedded field and a named nested field.
type Inner struct {
	A uint8
	B int64
	C string
}

// Outer embeds Inner (a DW_TAG_member named "Inner") and nests another.
type Outer struct {
	Flag   bool
	Inner
	Nested Inner
	Ptr    *Inner
	Mu     sync.Mutex
	Tail   [3]uint16
}

// Shapes has parameters of known shapes: int, string, slice, pointer.
// Every word of every parameter is used, so that the compiler keeps (and
// describes in DWARF) all of them: a dead word of a string or slice is
// dropped from the location list.
//
//go:noinline
func Shapes(n int, s string, b []byte, p *Outer) int {
	r := n + len(s) + len(b) + cap(b) + int(p.B)
	if len(s) > 0 {
		r += int(s[0])
	}
	if len(b) > 0 {
		r += int(b[0])
	}
	return r
}

// DeadWords uses only the lengths of s and b: go1.15 then describes each
// by its surviving length word alone (no DW_OP_piece), a DWARF bug the
// inspector must report instead of returning a wrong stack offset.
//
//go:noinline
func DeadWords(n int, s string, b []byte, p *Outer) int {
	return n + len(s) + len(b) + int(p.B)
}

//go:noinline
func (o *Outer) Method(x uint32, name string) (int, error) {
	r := int(x) + len(name) + int(o.Tail[0])
	if len(name) > 0 {
		r += int(name[0])
	}
	return r, nil
}

var sink interface{}

func main() {
	o := &Outer{}
	o.B = int64(len(os.Args))
	fmt.Println(Shapes(len(os.Args), os.Args[0], []byte(os.Args[0]), o))
	fmt.Println(DeadWords(len(os.Args), os.Args[0], []byte(os.Args[0]), o))
	n, _ := o.Method(uint32(len(os.Args)), os.Args[0])
	fmt.Println(n)
	// Keep net.netFD and internal/poll.FD in the binary.
	if len(os.Args) > 5 {
		c, err := net.Dial("tcp", os.Args[1])
		sink = c
		sink = err
	}
}
