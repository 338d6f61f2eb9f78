// Test program of the goid spec: a few goroutines, so that the linker keeps
// runtime.g and its DWARF.  lutgen only builds and inspects it, never runs
// it.  Standard library only.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

//go:noinline
func work(id int, wg *sync.WaitGroup, out []int) {
	defer wg.Done()
	out[id] = id * id
	runtime.Gosched()
}

func main() {
	var wg sync.WaitGroup
	out := make([]int, 4)
	for i := range out {
		wg.Add(1)
		go work(i, &wg, out)
	}
	wg.Wait()
	fmt.Println(out, runtime.NumGoroutine())
}
