// Test program of tests/e2e_params_live.py: functions with the parameter
// shapes lutgen's func_params lookups describe (a pointer receiver and a
// []byte like crypto/tls.(*Conn).Write, integers of several sizes, a
// string, a struct, a pointer, floats, and more integers than the register
// ABI has registers), each called once with known values.
//
// Before each call main prints the bytes of every argument as they lie in
// memory, one line per call:
//
//	expect<TAB>FUNCTION<TAB>PARAM=HEX<TAB>PARAM=HEX...
//
// The test stops the program under gdb at each function's first
// instruction, reads the registers and stack slots the DWARF-derived
// locations name, and compares their bytes with these lines.
// Standard library only; builds with go1.15 and newer.
package main

import (
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// arg is one argument of a call: its parameter name and its value's bytes.
type arg struct {
	name string
	p    unsafe.Pointer
	size uintptr
}

func expect(fn string, args ...arg) {
	f := []string{"expect", fn}
	for _, a := range args {
		b := (*[1 << 16]byte)(a.p)[:a.size:a.size]
		f = append(f, fmt.Sprintf("%s=%x", a.name, b))
	}
	fmt.Println(strings.Join(f, "\t"))
}

// Recv is a receiver like crypto/tls.Conn.
type Recv struct {
	buf [64]byte
	n   int
}

// Write has the shape of crypto/tls.(*Conn).Write.  Every word of every
// parameter is used, so that the compiler keeps and describes all of them
// (a dead word of a slice is dropped from the location).
//
//go:noinline
func (r *Recv) Write(b []byte) (int, error) {
	n := copy(r.buf[r.n:], b)
	r.n += n
	return n + cap(b), nil
}

//go:noinline
func Ints(a int, b int32, c uint8, d int64) int {
	return a + int(b) + int(c) + int(d)
}

//go:noinline
func Str(s string) int {
	return len(s) + int(s[0])
}

// Pair has padding at its end (14 bytes of fields in 16).
type Pair struct {
	A int64
	B int32
	C uint16
}

//go:noinline
func Struct(p Pair) int64 {
	return p.A + int64(p.B) + int64(p.C)
}

//go:noinline
func Ptr(p *Pair) int64 {
	return p.A + int64(p.C)
}

//go:noinline
func Float(x float64, y float32) float64 {
	return x*2 + float64(y)
}

// Many has more integer parameters than either register ABI has integer
// registers (amd64: 9, arm64: 16), so the last ones are on the stack even
// with the register ABI.
//
//go:noinline
func Many(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14,
	a15, a16, a17 int) int {
	return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 +
		a12 + a13 + a14 + a15 + a16 + a17*3
}

func main() {
	sum := int64(0)

	r := &Recv{}
	b := make([]byte, 29, 48)
	copy(b, "lutgen-params-live-0123456789")
	expect("main.(*Recv).Write", arg{"r", unsafe.Pointer(&r), unsafe.Sizeof(r)},
		arg{"b", unsafe.Pointer(&b), unsafe.Sizeof(b)})
	n, _ := r.Write(b)
	sum += int64(n)

	ia, ib, ic, id := 0x1122334455667788, int32(-0x3eadbeef), uint8(0xa5), int64(-2)
	expect("main.Ints", arg{"a", unsafe.Pointer(&ia), unsafe.Sizeof(ia)},
		arg{"b", unsafe.Pointer(&ib), unsafe.Sizeof(ib)},
		arg{"c", unsafe.Pointer(&ic), unsafe.Sizeof(ic)},
		arg{"d", unsafe.Pointer(&id), unsafe.Sizeof(id)})
	sum += int64(Ints(ia, ib, ic, id))

	s := "a string parameter"
	expect("main.Str", arg{"s", unsafe.Pointer(&s), unsafe.Sizeof(s)})
	sum += int64(Str(s))

	p := Pair{A: 0x0102030405060708, B: 0x7a7b7c7d, C: 0xbeef}
	expect("main.Struct", arg{"p", unsafe.Pointer(&p), unsafe.Sizeof(p)})
	sum += Struct(p)

	pp := &p
	expect("main.Ptr", arg{"p", unsafe.Pointer(&pp), unsafe.Sizeof(pp)})
	sum += Ptr(pp)

	fx, fy := 3.25, float32(-1.5)
	expect("main.Float", arg{"x", unsafe.Pointer(&fx), unsafe.Sizeof(fx)},
		arg{"y", unsafe.Pointer(&fy), unsafe.Sizeof(fy)})
	sum += int64(Float(fx, fy))

	var m [18]int
	var margs []arg
	for i := range m {
		m[i] = 0x100*(i+1) + i
		margs = append(margs, arg{fmt.Sprintf("a%d", i),
			unsafe.Pointer(&m[i]), unsafe.Sizeof(m[i])})
	}
	expect("main.Many", margs...)
	sum += int64(Many(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8],
		m[9], m[10], m[11], m[12], m[13], m[14], m[15], m[16], m[17]))

	fmt.Println("sum", sum)
	if sum == 0 {
		os.Exit(1)
	}
}
