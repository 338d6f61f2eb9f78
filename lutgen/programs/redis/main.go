// The program of lutgen/modspecs/redis.json: a github.com/redis/go-redis/v9
// client running commands, so the connection pool's Conn and the client's
// command path are linked in and their DWARF is kept.  It is built, never
// run, by lutgen.
package main

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

func main() {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	fmt.Println(c.Set(ctx, "k", "v", 0).Err())
	fmt.Println(c.Get(ctx, "k").Result())
	pipe := c.Pipeline()
	pipe.Incr(ctx, "n")
	fmt.Println(pipe.Exec(ctx))
	c.Close()
}
