// The program of lutgen/modspecs/sql_pq.json: github.com/lib/pq through
// database/sql, so the driver's conn and its query path are linked in and
// their DWARF is kept.  It is built, never run, by lutgen.
package main

import (
	"database/sql"
	"fmt"

	_ "github.com/lib/pq"
)

func main() {
	db, err := sql.Open("postgres", "host=127.0.0.1 port=1 user=u dbname=d sslmode=disable")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = db.Exec("SELECT $1", 1)
	fmt.Println(err)
	rows, err := db.Query("SELECT 1")
	if err == nil {
		rows.Close()
	}
	db.Close()
}
