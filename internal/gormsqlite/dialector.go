// Package gormsqlite is a GORM dialector for SQLite on modernc.org/sqlite,
// the pure-Go driver that the embedded Temporal server already links. (The
// usual pure-Go dialector brings its own fork of that driver, and both
// register the database/sql name "sqlite", so one binary cannot hold both.)
//
// It covers what the service's models need: tables, columns and indexes
// created by AutoMigrate, upserts, RETURNING and savepoints. SQLite cannot
// alter a column, so a changed column type is left as it is; development
// databases are cheap to recreate.
package gormsqlite

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DriverName is the database/sql driver the dialector opens.
const DriverName = "sqlite"

// Dialector opens a SQLite database for GORM.
type Dialector struct {
	// DSN is a modernc.org/sqlite data source name: a file path with
	// optional ?_pragma=name(value) parameters.
	DSN string
}

// Open returns a dialector for the data source name.
func Open(dsn string) gorm.Dialector { return Dialector{DSN: dsn} }

var (
	_ gorm.Dialector                     = Dialector{}
	_ gorm.ErrorTranslator               = Dialector{}
	_ gorm.SavePointerDialectorInterface = Dialector{}
)

// Name is the dialect's name.
func (Dialector) Name() string { return "sqlite" }

// Initialize opens the connection pool and registers GORM's callbacks with
// the clauses SQLite understands.
func (d Dialector) Initialize(db *gorm.DB) error {
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	if db.ConnPool == nil {
		conn, err := sql.Open(DriverName, d.DSN)
		if err != nil {
			return err
		}
		db.ConnPool = conn
	}
	return nil
}

// Migrator returns the SQLite migrator.
func (d Dialector) Migrator(db *gorm.DB) gorm.Migrator {
	return Migrator{migrator.Migrator{Config: migrator.Config{
		DB:                          db,
		Dialector:                   d,
		CreateIndexAfterCreateTable: true,
	}}}
}

// DataTypeOf maps a field to a SQLite column type. Declared types matter to
// the driver: DATETIME columns come back as time.Time.
func (Dialector) DataTypeOf(field *schema.Field) string {
	switch field.DataType {
	case schema.Bool:
		return "numeric"
	case schema.Int, schema.Uint:
		// A single INTEGER primary key becomes the rowid, so it numbers itself.
		return "integer"
	case schema.Float:
		return "real"
	case schema.String:
		return "text"
	case schema.Time:
		return "datetime"
	case schema.Bytes:
		return "blob"
	}
	return string(field.DataType)
}

// DefaultValueOf is what an INSERT writes for a field left to its default.
func (Dialector) DefaultValueOf(*schema.Field) clause.Expression {
	return clause.Expr{SQL: "NULL"}
}

// BindVarTo writes a positional parameter.
func (Dialector) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) {
	_ = w.WriteByte('?')
}

// QuoteTo quotes an identifier, each part of a dotted name on its own.
func (Dialector) QuoteTo(w clause.Writer, name string) {
	for i, part := range strings.Split(name, ".") {
		if i > 0 {
			_ = w.WriteByte('.')
		}
		if part == "*" {
			_ = w.WriteByte('*')
			continue
		}
		_ = w.WriteByte('"')
		_, _ = w.WriteString(strings.ReplaceAll(part, `"`, `""`))
		_ = w.WriteByte('"')
	}
}

// Explain renders a statement with its parameters for logs.
func (Dialector) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `'`, vars...)
}

// SavePoint starts a nested transaction.
func (Dialector) SavePoint(tx *gorm.DB, name string) error {
	return tx.Exec("SAVEPOINT " + strconv.Quote(name)).Error
}

// RollbackTo undoes a nested transaction.
func (Dialector) RollbackTo(tx *gorm.DB, name string) error {
	return tx.Exec("ROLLBACK TO SAVEPOINT " + strconv.Quote(name)).Error
}

// Translate maps SQLite constraint failures to GORM's errors, so that the
// store sees the same errors as on PostgreSQL.
func (Dialector) Translate(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return gorm.ErrDuplicatedKey
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return gorm.ErrForeignKeyViolated
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return gorm.ErrCheckConstraintViolated
	}
	return err
}
