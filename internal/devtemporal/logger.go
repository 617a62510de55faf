package devtemporal

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// logger hands the server's warnings and errors to slog; its info and debug
// lines describe internals a developer running the product does not need.
// While the services start and stop they briefly cannot reach each other and
// say so at error level; those lines are dropped, as is the note that Nexus
// (which the service does not use) has no HTTP port.
type logger struct {
	l        *slog.Logger
	stopping *atomic.Bool
}

var _ log.Logger = logger{}

func newLogger(l *slog.Logger, stopping *atomic.Bool) log.Logger {
	return logger{l: l.With("component", "temporal"), stopping: stopping}
}

func (g logger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if g.stopping.Load() || !g.l.Enabled(context.Background(), level) || strings.HasPrefix(msg, "HTTP API port has not been set") {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		if s := fmt.Sprint(t.Value()); strings.Contains(s, "not healthy yet") {
			return
		}
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	g.l.LogAttrs(context.Background(), level, msg, attrs...)
}

func (g logger) Debug(string, ...tag.Tag)           {}
func (g logger) Info(string, ...tag.Tag)            {}
func (g logger) Warn(msg string, tags ...tag.Tag)   { g.emit(slog.LevelWarn, msg, tags) }
func (g logger) Error(msg string, tags ...tag.Tag)  { g.emit(slog.LevelError, msg, tags) }
func (g logger) DPanic(msg string, tags ...tag.Tag) { g.emit(slog.LevelError, msg, tags) }
func (g logger) Panic(msg string, tags ...tag.Tag)  { g.emit(slog.LevelError, msg, tags); panic(msg) }
func (g logger) Fatal(msg string, tags ...tag.Tag)  { g.emit(slog.LevelError, msg, tags); panic(msg) }
