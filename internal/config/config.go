// Package config reads the service's settings from PASSPORT_* environment
// variables, validates them and describes them for `passport help`.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Prefix starts every variable the service reads.
const Prefix = "PASSPORT_"

// Config is every setting of the service. Each field's `env` tag names its
// variable (after Prefix), `default` its value when unset, `help` its meaning;
// `secret` fields are masked when the configuration is logged.
type Config struct {
	HTTPAddr string `env:"HTTP_ADDR" default:":8080" help:"address the HTTP API and pages listen on"`
	// TrustedProxies: rate limits key on the client's address, which only
	// these proxies may report (X-Forwarded-For).
	TrustedProxies string `env:"TRUSTED_PROXIES" help:"comma-separated addresses or CIDR ranges of the proxies in front of the API whose X-Forwarded-For is believed; none when unset (the connection's address is the client's)"`
	PublicURL      string `env:"PUBLIC_URL" default:"http://localhost:8080" help:"base URL of the service as people reach it, used for links in emails"`
	DataDir        string `env:"DATA_DIR" default:"./.passport" help:"dev mode and passport temporal: where the embedded database, Temporal and mailbox keep their files"`

	DatabaseURL string `env:"DATABASE_URL" secret:"true" help:"PostgreSQL URL, e.g. postgres://passport:pw@db:5432/passport?sslmode=require (dev: embedded SQLite when unset)"`

	RedisAddr     string `env:"REDIS_ADDR" help:"Redis host:port for the delivery queue (dev: embedded when unset)"`
	RedisPassword string `env:"REDIS_PASSWORD" secret:"true" help:"Redis password, if the server requires one"`
	RedisDB       int    `env:"REDIS_DB" default:"0" help:"Redis database number"`

	TemporalAddress   string `env:"TEMPORAL_ADDRESS" help:"Temporal frontend host:port (dev: embedded when unset)"`
	TemporalNamespace string `env:"TEMPORAL_NAMESPACE" default:"default" help:"Temporal namespace the moves run in"`
	TemporalTaskQueue string `env:"TEMPORAL_TASK_QUEUE" default:"passport" help:"Temporal task queue the workers poll"`

	SMTPURL  string `env:"SMTP_URL" secret:"true" help:"SMTP relay: smtp://user:pass@host:587?tls=starttls|opportunistic|none, or smtps://host:465 (dev: embedded catcher when unset)"`
	MailRate int    `env:"MAIL_RATE" default:"100" help:"emails a second that every worker together sends at most; set it to what the relay accepts"`
	MailFrom string `env:"MAIL_FROM" default:"Staff Passport <no-reply@staff-passport.localhost>" help:"sender address of every email"`

	SecretKey string `env:"SECRET_KEY" secret:"true" help:"base64 of at least 32 random bytes; signs email links and encrypts trusts' signing keys (dev: generated into the data dir when unset)"`

	IdentityCallbackSecret string `env:"IDENTITY_CALLBACK_SECRET" secret:"true" help:"shared secret an external identity provider signs its callbacks with (HMAC-SHA256); unset disables the callback"`

	LogLevel  string `env:"LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	LogFormat string `env:"LOG_FORMAT" default:"text" help:"text or json"`

	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" default:"10s" help:"how long a stopping process waits for requests and tasks in flight"`

	WorkflowCache int `env:"WORKFLOW_CACHE" default:"1000" help:"moves a worker keeps in memory between their steps (Temporal's sticky cache, about 150 KB each); a move not kept is read again from its history at its next step: raise it on workers with memory to spare"`

	RetryWindow time.Duration `env:"RETRY_WINDOW" default:"15m" help:"how long a move's step retries a database, Redis or relay outage before it is marked failed for a person (new moves)"`

	DevTemporalPort int `env:"DEV_TEMPORAL_PORT" default:"7233" help:"dev mode: frontend port of the embedded Temporal server; it also takes the next 7 ports"`
}

// Var describes one variable for `passport help`.
type Var struct {
	Name, Default, Help string
	Secret              bool
}

// Vars lists every variable the service reads, in declaration order.
func Vars() []Var {
	t := reflect.TypeFor[Config]()
	vars := make([]Var, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		vars = append(vars, Var{
			Name:    Prefix + f.Tag.Get("env"),
			Default: f.Tag.Get("default"),
			Help:    f.Tag.Get("help"),
			Secret:  f.Tag.Get("secret") == "true",
		})
	}
	return vars
}

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests), applying defaults. It returns an error naming every variable that
// does not parse; requirements that depend on the command are in Validate.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	v := reflect.ValueOf(&c).Elem()
	t := v.Type()
	var errs []error
	for i := range t.NumField() {
		f := t.Field(i)
		name := Prefix + f.Tag.Get("env")
		raw := getenv(name)
		if raw == "" {
			raw = f.Tag.Get("default")
		}
		if raw == "" {
			continue
		}
		if err := set(v.Field(i), raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return c, errors.Join(errs...)
}

func set(field reflect.Value, raw string) error {
	switch field.Interface().(type) {
	case string:
		field.SetString(raw)
	case int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		field.SetInt(int64(n))
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 10s or 2m", raw)
		}
		field.SetInt(int64(d))
	default:
		return fmt.Errorf("unsupported type %s", field.Type())
	}
	return nil
}

// Mode says which command is starting, as each needs different settings.
type Mode int

// The commands of the binary that read the configuration.
const (
	ModeDev Mode = iota
	ModeAPI
	ModeWorker
	ModeMigrate
)

// Validate checks the values and the settings the mode requires, returning
// one error that names every variable at fault.
func (c Config) Validate(mode Mode) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", Prefix, name, fmt.Sprintf(format, args...)))
	}
	required := func(name, value string) {
		if value == "" {
			bad(name, "is required outside dev mode")
		}
	}

	if mode == ModeDev || mode == ModeAPI {
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			bad("HTTP_ADDR", "%q is not host:port (e.g. :8080)", c.HTTPAddr)
		}
	}
	for _, p := range c.TrustedProxyList() {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad("TRUSTED_PROXIES", "%q is not an address or CIDR range", p)
			}
		}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PUBLIC_URL", "%q is not an http(s) URL", c.PublicURL)
	}
	if mode != ModeDev {
		required("DATABASE_URL", c.DatabaseURL)
		if mode != ModeMigrate {
			required("REDIS_ADDR", c.RedisAddr)
			required("TEMPORAL_ADDRESS", c.TemporalAddress)
			required("SECRET_KEY", c.SecretKey)
		}
		if mode == ModeWorker {
			required("SMTP_URL", c.SMTPURL)
		}
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "must be a postgres:// URL")
		}
	}
	if c.RedisAddr != "" {
		if _, _, err := net.SplitHostPort(c.RedisAddr); err != nil {
			bad("REDIS_ADDR", "%q is not host:port", c.RedisAddr)
		}
	}
	if c.TemporalAddress != "" {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			bad("TEMPORAL_ADDRESS", "%q is not host:port", c.TemporalAddress)
		}
	}
	if c.TemporalNamespace == "" {
		bad("TEMPORAL_NAMESPACE", "must not be empty")
	}
	if c.WorkflowCache < 1 {
		bad("WORKFLOW_CACHE", "must be at least 1")
	}
	if c.MailRate < 1 {
		bad("MAIL_RATE", "must be at least 1 (emails a second)")
	}
	if c.TemporalTaskQueue == "" {
		bad("TEMPORAL_TASK_QUEUE", "must not be empty")
	}
	if c.SMTPURL != "" {
		if _, err := ParseSMTPURL(c.SMTPURL); err != nil {
			bad("SMTP_URL", "%v", err)
		}
	}
	if c.SecretKey != "" {
		if _, err := DecodeSecretKey(c.SecretKey); err != nil {
			bad("SECRET_KEY", "%v", err)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "%q is not debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("LOG_FORMAT", "%q is not text or json", c.LogFormat)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be positive")
	}
	if c.RetryWindow < 10*time.Second || c.RetryWindow > 24*time.Hour {
		bad("RETRY_WINDOW", "must be between 10s and 24h")
	}
	if mode == ModeDev && (c.DevTemporalPort < 1 || c.DevTemporalPort > 65535-8) {
		bad("DEV_TEMPORAL_PORT", "%d is not a usable port", c.DevTemporalPort)
	}
	return errors.Join(errs...)
}

// SecretKeySize is the least number of bytes a secret key holds.
const SecretKeySize = 32

// DecodeSecretKey decodes PASSPORT_SECRET_KEY; it fails when the value is
// not base64 or is shorter than SecretKeySize bytes.
func DecodeSecretKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("is not base64")
	}
	if len(key) < SecretKeySize {
		return nil, fmt.Errorf("holds %d bytes; at least %d are needed (e.g. openssl rand -base64 32)", len(key), SecretKeySize)
	}
	return key, nil
}

// Masked returns the settings as name/value pairs for logging, with secrets
// hidden: a URL keeps its scheme, host and path but loses its password.
func (c Config) Masked() []any {
	v := reflect.ValueOf(c)
	vars := Vars()
	out := make([]any, 0, 2*len(vars))
	for i, vr := range vars {
		val := fmt.Sprint(v.Field(i).Interface())
		if vr.Secret && val != "" {
			val = mask(val)
		}
		out = append(out, strings.ToLower(strings.TrimPrefix(vr.Name, Prefix)), val)
	}
	return out
}

func mask(val string) string {
	u, err := url.Parse(val)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "redacted"
	}
	if u.User != nil {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	u.RawQuery = ""
	return u.String()
}

// TrustedProxyList is TrustedProxies as a list; empty when unset.
func (c Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
