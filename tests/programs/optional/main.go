// The program of tests/specs/optional.json: anything that links the
// runtime (runtime.g, runtime.m, runtime.casgstatus) will do.
package main

import "os"

func main() { os.Exit(0) }
