package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateRotation records an upload and its rows in one transaction: the
// rows already judged invalid carry their outcome, the rest wait for the
// rotation's job.
func (s *Store) CreateRotation(ctx context.Context, up *models.RotationUpload, rows []models.RotationRow) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Create(up).Error; err != nil {
			return translate(err, "save rotation upload")
		}
		return eachChunk(rows, func(part []models.RotationRow) error {
			return translate(tx.db.Create(&part).Error, "save rotation rows")
		})
	})
}

// DeleteRotation removes an upload whose job could not be started (the
// caller is told to send it again).
func (s *Store) DeleteRotation(ctx context.Context, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Where("upload_id = ?", id).Delete(&models.RotationRow{}).Error; err != nil {
			return translate(err, "delete rotation rows")
		}
		return translate(tx.db.Where("id = ?", id).Delete(&models.RotationUpload{}).Error, "delete rotation upload")
	})
}

// PendingRotationRows returns up to limit rows of an upload that have no
// outcome yet, in file order.
func (s *Store) PendingRotationRows(ctx context.Context, uploadID string, limit int) ([]models.RotationRow, error) {
	var out []models.RotationRow
	err := s.db.WithContext(ctx).Where("upload_id = ? AND result = ''", uploadID).Order("row_no").Limit(limit).Find(&out).Error
	return out, translate(err, "pending rotation rows")
}

// RotationRows returns every row of an upload, in file order.
func (s *Store) RotationRows(ctx context.Context, uploadID string) ([]models.RotationRow, error) {
	var out []models.RotationRow
	err := s.db.WithContext(ctx).Omit("request").Where("upload_id = ?", uploadID).Order("row_no").Find(&out).Error
	return out, translate(err, "rotation rows")
}

// SettleRotationRows records the outcome of rows (a row that has one keeps
// it) and brings the upload's counts up to date; the upload is done when
// no row is left without an outcome.
func (s *Store) SettleRotationRows(ctx context.Context, uploadID string, rows []models.RotationRow) (models.RotationUpload, error) {
	var up models.RotationUpload
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.forUpdate(tx.db).First(&up, "id = ?", uploadID).Error; err != nil {
			return translate(err, "rotation upload")
		}
		for _, r := range rows {
			if err := tx.db.Model(&models.RotationRow{}).Where("upload_id = ? AND row_no = ? AND result = ''", uploadID, r.Row).
				Updates(map[string]any{"result": r.Result, "move_id": r.MoveID, "errors": r.Errors, "request": ""}).Error; err != nil {
				return translate(err, "settle rotation row")
			}
		}
		var counts []struct {
			Result string
			N      int
		}
		if err := tx.db.Model(&models.RotationRow{}).Select("result, count(*) AS n").Where("upload_id = ?", uploadID).
			Group("result").Scan(&counts).Error; err != nil {
			return translate(err, "count rotation rows")
		}
		up.Started, up.AlreadyStarted, up.Invalid, up.Errored = 0, 0, 0, 0
		pending := 0
		for _, c := range counts {
			switch c.Result {
			case "started":
				up.Started = c.N
			case "already_started":
				up.AlreadyStarted = c.N
			case "invalid":
				up.Invalid = c.N
			case "error":
				up.Errored = c.N
			default:
				pending += c.N
			}
		}
		update := map[string]any{"started": up.Started, "already_started": up.AlreadyStarted, "invalid": up.Invalid, "errored": up.Errored}
		if pending == 0 && up.Status != models.RotationDone {
			now := time.Now().UTC()
			up.Status, up.FinishedAt = models.RotationDone, &now
			update["status"], update["finished_at"] = up.Status, now
		}
		return translate(tx.db.Model(&models.RotationUpload{}).Where("id = ?", uploadID).Updates(update).Error, "rotation counts")
	})
	return up, err
}

// rotationUploadColumns leaves out the old uploads' whole results.
var rotationUploadColumns = []string{"id", "trust_ods", "user_id", "actor_kind", "actor_role", "file_name", "status", "rows",
	"started", "already_started", "invalid", "errored", "created_at", "finished_at"}

func selectUploads(db *gorm.DB) *gorm.DB { return db.Select(rotationUploadColumns) }
