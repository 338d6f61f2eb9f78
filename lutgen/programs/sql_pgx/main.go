// The program of lutgen/modspecs/sql_pgx.json: github.com/jackc/pgx/v5's
// own interface (pgx.Conn over pgconn.PgConn), so the connections, their
// configs and the query path are linked in and their DWARF is kept.  It is
// built, never run, by lutgen.
package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

func main() {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, "postgres://u@127.0.0.1:1/d")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Exec(ctx, "SELECT $1", 1)
	fmt.Println(err)
	rows, err := c.Query(ctx, "SELECT 1")
	if err == nil {
		rows.Close()
	}
	fmt.Println(c.PgConn().Exec(ctx, "SELECT 1").Close())
	c.Close(ctx)
}
