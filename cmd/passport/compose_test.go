package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/workflows"
)

// There is no Docker engine where the tests run, so this reads
// docker-compose.yml and checks that it agrees with the configuration the
// binary reads: every variable known and valid, every address pointing at
// a service that listens there, every dependency waiting on a condition.

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string                                `yaml:"image"`
	Build       any                                   `yaml:"build"`
	Command     any                                   `yaml:"command"`
	Environment map[string]string                     `yaml:"environment"`
	Ports       []string                              `yaml:"ports"`
	Healthcheck *struct{ Test []string }              `yaml:"healthcheck"`
	DependsOn   map[string]struct{ Condition string } `yaml:"depends_on"`
}

var interpolation = regexp.MustCompile(`\$\{([A-Z_]+)(:?[-?][^}]*)?\}`)

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	return f
}

// containerPorts lists the ports a service publishes inside its container.
func containerPorts(s composeService) []string {
	var out []string
	for _, p := range s.Ports {
		parts := strings.Split(p, ":")
		out = append(out, parts[len(parts)-1])
	}
	return out
}

func TestComposeHasTheWholeStack(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"postgres", "redis", "temporal", "temporal-ui", "mailpit", "migrate", "api", "worker"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("service %s missing", name)
		}
	}
	if got := containerPorts(f.Services["mailpit"]); !slices.Contains(got, "1025") || !slices.Contains(got, "8025") {
		t.Errorf("mailpit must publish SMTP 1025 and UI 8025, publishes %v", got)
	}
	for name, s := range f.Services {
		for dep, d := range s.DependsOn {
			target, ok := f.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on unknown service %s", name, dep)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("%s waits for %s to be healthy, but %s has no health check", name, dep, dep)
			case d.Condition != "service_healthy" && d.Condition != "service_completed_successfully":
				t.Errorf("%s depends on %s without a condition", name, dep)
			}
		}
		oneShot := false
		for _, other := range f.Services {
			if other.DependsOn[name].Condition == "service_completed_successfully" {
				oneShot = true
			}
		}
		if !oneShot && s.Healthcheck == nil && name != "temporal-ui" && name != "asynqmon" { // people's UIs
			t.Errorf("long-running service %s has no health check", name)
		}
	}
}

func TestComposeAgreesWithConfig(t *testing.T) {
	f := loadCompose(t)
	known := map[string]bool{}
	for _, v := range config.Vars() {
		known[v.Name] = true
	}
	modes := map[string]config.Mode{"api": config.ModeAPI, "worker": config.ModeWorker, "migrate": config.ModeMigrate}
	for name, mode := range modes {
		s := f.Services[name]
		if s.Build == nil {
			t.Errorf("%s must be built from this repository", name)
		}
		if cmd, ok := s.Command.([]any); !ok || len(cmd) != 1 || cmd[0] != name {
			t.Errorf("%s must run `passport %s`, runs %v", name, name, s.Command)
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			if !known[k] {
				t.Errorf("%s sets %s, which the binary does not read", name, k)
			}
			// Values the operator supplies at `docker compose up` get a test value.
			env[k] = interpolation.ReplaceAllStringFunc(v, func(string) string {
				return "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
			})
		}
		cfg, err := config.Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := cfg.Validate(mode); err != nil {
			t.Errorf("%s would not start:\n%v", name, err)
			continue
		}
		if mode == config.ModeMigrate {
			continue
		}

		pg := f.Services["postgres"].Environment
		db, _ := url.Parse(cfg.DatabaseURL)
		pw, _ := db.User.Password()
		if db.Hostname() != "postgres" || db.Port() != "5432" || db.User.Username() != pg["POSTGRES_USER"] ||
			pw != pg["POSTGRES_PASSWORD"] || strings.TrimPrefix(db.Path, "/") != pg["POSTGRES_DB"] {
			t.Errorf("%s: PASSPORT_DATABASE_URL %s does not match the postgres service %v", name, cfg.DatabaseURL, pg)
		}
		if host, port, _ := net.SplitHostPort(cfg.RedisAddr); host != "redis" || port != "6379" {
			t.Errorf("%s: PASSPORT_REDIS_ADDR %s is not the redis service", name, cfg.RedisAddr)
		}
		if host, port, _ := net.SplitHostPort(cfg.TemporalAddress); host != "temporal" || !slices.Contains(containerPorts(f.Services["temporal"]), port) {
			t.Errorf("%s: PASSPORT_TEMPORAL_ADDRESS %s is not a port the temporal service publishes", name, cfg.TemporalAddress)
		}
		relay, _ := config.ParseSMTPURL(cfg.SMTPURL)
		if relay.Host != "mailpit" || relay.Port != 1025 || relay.TLS != config.TLSNone {
			t.Errorf("%s: PASSPORT_SMTP_URL %s is not mailpit's plain SMTP port", name, cfg.SMTPURL)
		}
		_, httpPort, _ := net.SplitHostPort(cfg.HTTPAddr)
		if name == "api" && !slices.Contains(containerPorts(s), httpPort) {
			t.Errorf("api listens on %s but publishes %v", httpPort, s.Ports)
		}
		if hc := strings.Join(s.Healthcheck.Test, " "); !strings.Contains(hc, ":"+httpPort+"/readyz") {
			t.Errorf("%s health check %q does not ask /readyz on port %s", name, hc, httpPort)
		}
	}
}

// TestComposeRegistersSearchAttributes checks that the namespace job makes
// every search attribute the move workflow sets; a missing one fails every
// workflow task in production.
func TestComposeRegistersSearchAttributes(t *testing.T) {
	f := loadCompose(t)
	job := fmt.Sprint(f.Services["temporal-namespace"].Command)
	for _, name := range workflows.SearchAttributeNames() {
		if !strings.Contains(job, name) {
			t.Errorf("temporal-namespace does not create search attribute %s", name)
		}
	}
}

// TestReadmeListsEveryVariable keeps the README's configuration table
// complete.
func TestReadmeListsEveryVariable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars() {
		if !strings.Contains(string(data), "`"+v.Name+"`") {
			t.Errorf("README does not list %s", v.Name)
		}
	}
}
