// The program of tests/specs/modrepl.json: example.com/repl requires
// module versions the test proxy lacks, so it builds only through the
// replacements lutgen writes into the build's go.mod.
package main

import (
	"fmt"

	"example.com/repl"
)

var r repl.R

func main() { fmt.Println(r) }
