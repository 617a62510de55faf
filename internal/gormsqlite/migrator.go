package gormsqlite

import (
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// errUnsupported is returned for schema changes SQLite cannot make in place.
var errUnsupported = errors.New("gormsqlite: SQLite cannot make this schema change in place; recreate the development database")

// Migrator answers GORM's schema questions from sqlite_master and
// pragma_table_info instead of information_schema.
type Migrator struct {
	migrator.Migrator
}

// CurrentDatabase is always the main database.
func (Migrator) CurrentDatabase() string { return "main" }

// GetTables lists the user tables.
func (m Migrator) GetTables() ([]string, error) {
	var names []string
	err := m.DB.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").Scan(&names).Error
	return names, err
}

// HasTable reports whether the table of value exists.
func (m Migrator) HasTable(value any) bool {
	var count int64
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		return m.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", stmt.Table).Row().Scan(&count)
	})
	return count > 0
}

// HasColumn reports whether the table of value has the column.
func (m Migrator) HasColumn(value any, field string) bool {
	var count int64
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		name := field
		if stmt.Schema != nil {
			if f := stmt.Schema.LookUpField(field); f != nil {
				name = f.DBName
			}
		}
		return m.DB.Raw("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", stmt.Table, name).Row().Scan(&count)
	})
	return count > 0
}

// HasIndex reports whether the index exists on the table of value.
func (m Migrator) HasIndex(value any, name string) bool {
	var count int64
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema != nil {
			if idx := stmt.Schema.LookIndex(name); idx != nil {
				name = idx.Name
			}
		}
		return m.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?", stmt.Table, name).Row().Scan(&count)
	})
	return count > 0
}

// HasConstraint reports whether the table's definition names the
// constraint; SQLite keeps constraints only in the CREATE TABLE text.
func (m Migrator) HasConstraint(value any, name string) bool {
	var count int64
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		return m.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? AND (sql LIKE ? OR sql LIKE ?)",
			stmt.Table, `%CONSTRAINT "`+name+`" %`, "%CONSTRAINT `"+name+"` %").Row().Scan(&count)
	})
	return count > 0
}

// DropIndex drops an index (SQLite's syntax has no ON clause).
func (m Migrator) DropIndex(value any, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema != nil {
			if idx := stmt.Schema.LookIndex(name); idx != nil {
				name = idx.Name
			}
		}
		return m.DB.Exec("DROP INDEX IF EXISTS ?", clause.Column{Name: name}).Error
	})
}

// MigrateColumn leaves existing columns as they are: SQLite has no ALTER
// COLUMN, and its loose typing makes the declared type a hint only.
func (Migrator) MigrateColumn(any, *schema.Field, gorm.ColumnType) error { return nil }

// MigrateColumnUnique leaves existing columns as they are; unique indexes
// declared with the `uniqueIndex` tag are still created.
func (Migrator) MigrateColumnUnique(any, *schema.Field, gorm.ColumnType) error { return nil }

// AlterColumn is not possible in SQLite.
func (Migrator) AlterColumn(any, string) error { return errUnsupported }

// RenameIndex is not possible in SQLite.
func (Migrator) RenameIndex(any, string, string) error { return errUnsupported }

// CreateConstraint is not possible after the table exists in SQLite; foreign
// keys are written into CREATE TABLE instead.
func (m Migrator) CreateConstraint(value any, name string) error {
	if m.HasConstraint(value, name) {
		return nil
	}
	return errUnsupported
}
