// The database/sql part of the std program: an in-process driver behind
// sql.DB, so that (*DB).queryDC/execDC and driverConn stay linked.
package main

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

type fakeDriver struct{}
type fakeConn struct{}
type fakeStmt struct{ query string }
type fakeRows struct{ done bool }

func (fakeDriver) Open(string) (driver.Conn, error) { return &fakeConn{}, nil }

func (*fakeConn) Prepare(q string) (driver.Stmt, error) { return &fakeStmt{q}, nil }
func (*fakeConn) Close() error                          { return nil }
func (*fakeConn) Begin() (driver.Tx, error)             { return nil, errors.New("no transactions") }

func (*fakeStmt) Close() error  { return nil }
func (*fakeStmt) NumInput() int { return -1 }
func (s *fakeStmt) Exec(args []driver.Value) (driver.Result, error) {
	return driver.RowsAffected(len(args)), nil
}
func (s *fakeStmt) Query(args []driver.Value) (driver.Rows, error) {
	return &fakeRows{}, nil
}

func (*fakeRows) Columns() []string { return []string{"n"} }
func (*fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = int64(42)
	return nil
}

func runSQL() error {
	sql.Register("lutgenfake", fakeDriver{})
	db, err := sql.Open("lutgenfake", "")
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Exec("INSERT INTO t VALUES (?, ?)", 1, "one")
	if err != nil {
		return err
	}
	affected, err := res.RowsAffected()
	if err != nil {
		return err
	}
	var n int64
	if err := db.QueryRow("SELECT n FROM t WHERE k = ?", 2).Scan(&n); err != nil {
		return err
	}
	fmt.Printf("sql\taffected=%d\tn=%d\n", affected, n)
	return nil
}
