// The program of tests/specs/modhello*.json: it imports the hand-written
// module example.com/hello (tests/support/modfixture.py) and uses
// Greeter and its Greet method so that their DWARF is kept.
package main

import (
	"fmt"

	"example.com/hello"
)

var g hello.Greeter

func main() {
	greet := g.Greet
	fmt.Println(greet(2, "x"), g)
}
