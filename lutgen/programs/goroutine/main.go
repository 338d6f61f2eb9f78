// Test program of the goroutine spec: goroutines that block and wake up,
// threads that park, so that the linker keeps runtime.g, runtime.m and
// runtime.casgstatus with their DWARF.  lutgen only builds and inspects
// it, never runs it.  Standard library only; builds with go1.13 and newer.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

//go:noinline
func worker(id int, in <-chan int, out chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range in {
		// Blocking on the channel moves the g through
		// _Grunning -> _Gwaiting -> _Grunnable: casgstatus.
		out <- v * id
		runtime.Gosched()
	}
}

func main() {
	runtime.GOMAXPROCS(2)
	in := make(chan int)
	out := make(chan int, 16)
	var wg sync.WaitGroup
	for i := 1; i <= 4; i++ {
		wg.Add(1)
		go worker(i, in, out, &wg)
	}
	sum := 0
	for v := 0; v < 8; v++ {
		in <- v
		sum += <-out
	}
	close(in)
	wg.Wait()
	time.Sleep(time.Millisecond)
	fmt.Println(sum, runtime.NumGoroutine())
}
