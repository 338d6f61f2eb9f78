// The program of lutgen/modspecs/sql_mysql.json: github.com/go-sql-driver/mysql
// through database/sql, so the driver's connection, its Config and its
// command path are linked in and their DWARF is kept.  It is built, never
// run, by lutgen.
package main

import (
	"database/sql"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

func main() {
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User, cfg.DBName = "tcp", "127.0.0.1:1", "u", "d"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = db.Exec("SELECT ?", 1)
	fmt.Println(err)
	rows, err := db.Query("SELECT 1")
	if err == nil {
		rows.Close()
	}
	db.Close()
}
