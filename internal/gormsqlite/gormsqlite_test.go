package gormsqlite_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/internal/gormsqlite"
)

type noteV1 struct {
	ID   uint   `gorm:"primaryKey"`
	Code string `gorm:"uniqueIndex"`
}

func (noteV1) TableName() string { return "notes" }

// noteV2 is the same table a release later: two columns and an index more.
type noteV2 struct {
	ID        uint   `gorm:"primaryKey"`
	Code      string `gorm:"uniqueIndex"`
	Body      string `gorm:"not null;default:''"`
	Seen      bool
	CreatedAt time.Time `gorm:"index"`
}

func (noteV2) TableName() string { return "notes" }

func open(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(gormsqlite.Open(filepath.Join(t.TempDir(), "t.db")+"?_pragma=foreign_keys(1)"), &gorm.Config{TranslateError: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

func TestAutoMigrateEvolvesATable(t *testing.T) {
	db := open(t)
	if err := db.AutoMigrate(&noteV1{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&noteV1{Code: "a"}).Error; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.AutoMigrate(&noteV2{}); err != nil {
			t.Fatalf("migrate to v2: %v", err)
		}
	}
	m := db.Migrator()
	if !m.HasColumn(&noteV2{}, "Body") || !m.HasColumn(&noteV2{}, "created_at") {
		t.Error("new columns missing")
	}
	if !m.HasIndex(&noteV2{}, "CreatedAt") {
		t.Error("new index missing")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := db.Create(&noteV2{Code: "b", Body: "hello", Seen: true, CreatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	var got []noteV2
	if err := db.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Code != "a" || got[1].ID != 2 || got[1].Body != "hello" || !got[1].Seen || !got[1].CreatedAt.Equal(now) {
		t.Errorf("rows after migration: %+v", got)
	}
	tables, err := m.GetTables()
	if err != nil || len(tables) != 1 || tables[0] != "notes" {
		t.Errorf("tables: %v, %v", tables, err)
	}
}

func TestErrorsAndUpserts(t *testing.T) {
	db := open(t)
	if err := db.AutoMigrate(&noteV2{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&noteV2{Code: "x", Body: "first"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&noteV2{Code: "x"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("unique violation: got %v, want gorm.ErrDuplicatedKey", err)
	}
	up := noteV2{Code: "x", Body: "second"}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, DoUpdates: clause.AssignmentColumns([]string{"body"})}).Create(&up).Error; err != nil {
		t.Fatal(err)
	}
	var n noteV2
	if err := db.First(&n, "code = ?", "x").Error; err != nil || n.Body != "second" {
		t.Errorf("upsert: %+v, %v", n, err)
	}
	if err := db.First(&n, "code = ?", "nope").Error; !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("missing row: %v", err)
	}
	// A failed nested transaction rolls back to its savepoint only.
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&noteV2{Code: "kept"}).Error; err != nil {
			return err
		}
		_ = tx.Transaction(func(tx2 *gorm.DB) error {
			tx2.Create(&noteV2{Code: "dropped"})
			return errors.New("undo")
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	db.Model(&noteV2{}).Order("code").Pluck("code", &codes)
	if len(codes) != 2 || codes[0] != "kept" || codes[1] != "x" {
		t.Errorf("codes after nested rollback: %v", codes)
	}
}
