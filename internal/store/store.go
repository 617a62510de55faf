// Package store persists the domain with GORM: PostgreSQL in production,
// SQLite (pure Go, the driver the embedded Temporal server links) in
// development, one set of models for both. ORM errors are
// translated here into the sentinel errors of package models.
package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/nhs-staff-passport/passport/internal/gormsqlite"
	"github.com/nhs-staff-passport/passport/models"
)

// Store is the database.
type Store struct {
	db       *gorm.DB
	postgres bool
	watchers *watchers // shared with the stores of transactions
}

// Open connects to a postgres:// URL, or to a SQLite file given as
// "sqlite:<path>", and checks the connection.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var dialector gorm.Dialector
	isPostgres := false
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialector = postgres.Open(dsn)
		isPostgres = true
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_txlock", "immediate")
		dialector = gormsqlite.Open(path + "?" + q.Encode())
	default:
		return nil, errors.New("store: the database URL must start with postgres:// or sqlite:")
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if isPostgres {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// WAL lets readers run beside the one writer; writers queue on the
		// lock (busy_timeout) rather than fail. A few connections are
		// enough for a development machine.
		sqlDB.SetMaxOpenConns(4)
	}
	s := &Store{db: db, postgres: isPostgres, watchers: &watchers{}}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// migrationLock is the PostgreSQL advisory lock key held while migrating, so
// that several `passport migrate` runs started together take turns.
const migrationLock = 0x5050_4d49 // "PPMI"

// Migrate creates or updates every table and index. It is idempotent and
// safe to run from several processes at once.
func (s *Store) Migrate(ctx context.Context) error {
	entities := []any{
		&models.Trust{}, &models.APIKey{}, &models.SigningKey{}, &models.RevocationList{}, &models.Checklist{},
		&models.Passport{}, &models.PassportLink{}, &models.Credential{}, &models.Consent{}, &models.Share{}, &models.AuditEvent{},
		&models.Move{}, &models.LinkToken{}, &models.Notification{}, &models.WebhookEndpoint{}, &models.Enquiry{},
		&models.User{}, &models.SignInToken{}, &models.Session{}, &models.RotationUpload{}, &models.RotationRow{},
		&models.CredentialImport{}, &models.TrainingName{}, &models.CredentialNotice{}, &models.MoveCount{},
	}
	if !s.postgres {
		if err := s.db.WithContext(ctx).AutoMigrate(entities...); err != nil {
			return err
		}
		return s.afterMigrate(ctx)
	}
	return s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLock).Error; err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLock)
		if err := conn.AutoMigrate(entities...); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		return (&Store{db: conn, postgres: true, watchers: s.watchers}).afterMigrate(ctx)
	})
}

// afterMigrate brings rows written by earlier versions up to date, once
// (each step finds nothing to do the second time).
func (s *Store) afterMigrate(ctx context.Context) error {
	if err := s.carryOverStatusLists(ctx); err != nil {
		return err
	}
	if err := s.recountMoves(ctx); err != nil {
		return err
	}
	return s.operatorsToService(ctx)
}

// operatorsToService moves operators' accounts and keys, which earlier
// versions filed under a trust, to the service (no trust), so that no
// trust's administrator finds them among the trust's own.
func (s *Store) operatorsToService(ctx context.Context) error {
	for _, m := range []any{&models.User{}, &models.APIKey{}} {
		err := s.db.WithContext(ctx).Model(m).Where("role = ? AND trust_ods <> ''", models.RoleOperator).Update("trust_ods", "").Error
		if err != nil {
			return translate(err, "operators to the service")
		}
	}
	return nil
}

// Errors for translate to wrap when a query finds no row or changes none.
var (
	errNotFound = gorm.ErrRecordNotFound
	errConflict = gorm.ErrDuplicatedKey
)

// translate maps ORM errors to the sentinel errors of package models.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, models.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", what, models.ErrConflict)
	case badText(err):
		// The last line behind the edge's guard: text PostgreSQL cannot
		// store is the request's fault, not the service's.
		return fmt.Errorf("%s: %w", what, models.ErrInvalid)
	case unreachable(err):
		// The database is away (down, restarting, failing over): the
		// caller may try again shortly.
		return fmt.Errorf("store: %s: %v: %w", what, err, models.ErrUnavailable)
	default:
		return fmt.Errorf("store: %s: %w", what, err)
	}
}

// unreachable reports whether err says the database could not be reached
// or went away mid-request, rather than refusing the request: a failed
// connection or network error, a timeout, PostgreSQL's connection
// exceptions (class 08), an administrator's shutdown or a server still
// starting (57P01-57P03), too many connections (53300).
func unreachable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300"
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "database is locked")
}

// badText reports whether PostgreSQL refused text it cannot store: a NUL
// byte or an invalid byte sequence.
func badText(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05")
}
