// Test program of tests/e2e_params_live.py: functions with the parameter
// shapes lutgen's func_params lookups describe (a pointer receiver and a
// []byte like crypto/tls.(*Conn).Write, integers of several sizes, a
// string, a struct, a pointer, floats, and more integers than the register
// ABI has registers), each called once with known values.
//
// Before each call main prints the bytes of every argument as they lie in
// memory, after it the bytes of every result, one line per call:
//
//	expect<TAB>FUNCTION<TAB>PARAM=HEX<TAB>PARAM=HEX...
//	returned<TAB>FUNCTION<TAB>0=HEX<TAB>1=HEX...   (results by position)
//	goid<TAB>N                 (the main goroutine's id, from runtime.Stack)
//
// The test stops the program under gdb at each function's first
// instruction and at each of its return instructions, reads the registers
// and stack slots the locations name, and compares their bytes with these
// lines; at the entry it also reads the current g where lutgen says it is
// and the goid in it.  Standard library only; builds with go1.15 and
// newer, on 32- and 64-bit arches.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"
)

// arg is one argument of a call: its parameter name and its value's bytes.
type arg struct {
	name string
	p    unsafe.Pointer
	size uintptr
}

func line(tag, fn string, args ...arg) {
	f := []string{tag, fn}
	for _, a := range args {
		b := (*[1 << 16]byte)(a.p)[:a.size:a.size]
		f = append(f, fmt.Sprintf("%s=%x", a.name, b))
	}
	fmt.Println(strings.Join(f, "\t"))
}

func expect(fn string, args ...arg) { line("expect", fn, args...) }

// returned prints the results of a call, named by position.
func returned(fn string, results ...arg) {
	for i := range results {
		results[i].name = fmt.Sprint(i)
	}
	line("returned", fn, results...)
}

// goid is the current goroutine's id as runtime.Stack prints it.
func goid() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	if len(f) < 2 || f[0] != "goroutine" {
		return "?"
	}
	return f[1]
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

// errResults is the error Results returns: a non-nil interface.
var errResults = errors.New("results-error")

// Results has results of every class: an integer, a string, a float and
// an interface, named (so the DWARF names them n, s, f, err).
//
//go:noinline
func Results(k int) (n int32, s string, f float64, err error) {
	if k < 0 {
		return 0, "", 0, nil
	}
	return int32(k) * 3, "results-string", float64(k) / 4, errResults
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
	n, werr := r.Write(b)
	returned("main.(*Recv).Write", arg{"", unsafe.Pointer(&n), unsafe.Sizeof(n)},
		arg{"", unsafe.Pointer(&werr), unsafe.Sizeof(werr)})
	sum += int64(n)

	// 0x1122334455667788 on 64-bit arches, 0x11223344 on 32-bit ones
	ia := int(int64(0x1122334455667788) >> (64 - 8*unsafe.Sizeof(int(0))))
	ib, ic, id := int32(-0x3eadbeef), uint8(0xa5), int64(-2)
	expect("main.Ints", arg{"a", unsafe.Pointer(&ia), unsafe.Sizeof(ia)},
		arg{"b", unsafe.Pointer(&ib), unsafe.Sizeof(ib)},
		arg{"c", unsafe.Pointer(&ic), unsafe.Sizeof(ic)},
		arg{"d", unsafe.Pointer(&id), unsafe.Sizeof(id)})
	ri := Ints(ia, ib, ic, id)
	returned("main.Ints", arg{"", unsafe.Pointer(&ri), unsafe.Sizeof(ri)})
	sum += int64(ri)

	s := "a string parameter"
	expect("main.Str", arg{"s", unsafe.Pointer(&s), unsafe.Sizeof(s)})
	rs := Str(s)
	returned("main.Str", arg{"", unsafe.Pointer(&rs), unsafe.Sizeof(rs)})
	sum += int64(rs)

	p := Pair{A: 0x0102030405060708, B: 0x7a7b7c7d, C: 0xbeef}
	expect("main.Struct", arg{"p", unsafe.Pointer(&p), unsafe.Sizeof(p)})
	rp := Struct(p)
	returned("main.Struct", arg{"", unsafe.Pointer(&rp), unsafe.Sizeof(rp)})
	sum += rp

	pp := &p
	expect("main.Ptr", arg{"p", unsafe.Pointer(&pp), unsafe.Sizeof(pp)})
	rq := Ptr(pp)
	returned("main.Ptr", arg{"", unsafe.Pointer(&rq), unsafe.Sizeof(rq)})
	sum += rq

	fx, fy := 3.25, float32(-1.5)
	expect("main.Float", arg{"x", unsafe.Pointer(&fx), unsafe.Sizeof(fx)},
		arg{"y", unsafe.Pointer(&fy), unsafe.Sizeof(fy)})
	rf := Float(fx, fy)
	returned("main.Float", arg{"", unsafe.Pointer(&rf), unsafe.Sizeof(rf)})
	sum += int64(rf)

	var m [18]int
	var margs []arg
	for i := range m {
		m[i] = 0x100*(i+1) + i
		margs = append(margs, arg{fmt.Sprintf("a%d", i),
			unsafe.Pointer(&m[i]), unsafe.Sizeof(m[i])})
	}
	expect("main.Many", margs...)
	rm := Many(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8],
		m[9], m[10], m[11], m[12], m[13], m[14], m[15], m[16], m[17])
	returned("main.Many", arg{"", unsafe.Pointer(&rm), unsafe.Sizeof(rm)})
	sum += int64(rm)

	k := 7
	expect("main.Results", arg{"k", unsafe.Pointer(&k), unsafe.Sizeof(k)})
	r1, r2, r3, r4 := Results(k)
	returned("main.Results", arg{"", unsafe.Pointer(&r1), unsafe.Sizeof(r1)},
		arg{"", unsafe.Pointer(&r2), unsafe.Sizeof(r2)},
		arg{"", unsafe.Pointer(&r3), unsafe.Sizeof(r3)},
		arg{"", unsafe.Pointer(&r4), unsafe.Sizeof(r4)})
	sum += int64(r1) + int64(len(r2)) + int64(r3)
	fmt.Println("goid\t" + goid())

	fmt.Println("sum", sum)
	if sum == 0 {
		os.Exit(1)
	}
}
