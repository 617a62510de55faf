package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadAppliesDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./.passport" || c.TemporalNamespace != "default" ||
		c.ShutdownTimeout != 10*time.Second || c.DevTemporalPort != 7233 {
		t.Errorf("defaults not applied: %+v", c)
	}
	if err := c.Validate(ModeDev); err != nil {
		t.Errorf("dev mode must start on defaults alone: %v", err)
	}
}

func TestLoadNamesUnparsableVariables(t *testing.T) {
	_, err := Load(env(map[string]string{"PASSPORT_REDIS_DB": "two", "PASSPORT_SHUTDOWN_TIMEOUT": "soon"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"PASSPORT_REDIS_DB", "PASSPORT_SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestValidateByMode(t *testing.T) {
	good := map[string]string{
		"PASSPORT_DATABASE_URL":     "postgres://passport:pw@db:5432/passport",
		"PASSPORT_REDIS_ADDR":       "redis:6379",
		"PASSPORT_TEMPORAL_ADDRESS": "temporal:7233",
		"PASSPORT_SMTP_URL":         "smtp://mailpit:1025?tls=none",
		"PASSPORT_SECRET_KEY":       "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	}
	tests := []struct {
		name    string
		mode    Mode
		unset   string
		set     map[string]string
		wantBad []string
	}{
		{name: "api complete", mode: ModeAPI},
		{name: "worker complete", mode: ModeWorker},
		{name: "migrate needs only the database", mode: ModeMigrate, unset: "PASSPORT_REDIS_ADDR"},
		{name: "api without database", mode: ModeAPI, unset: "PASSPORT_DATABASE_URL", wantBad: []string{"PASSPORT_DATABASE_URL"}},
		{name: "worker without smtp", mode: ModeWorker, unset: "PASSPORT_SMTP_URL", wantBad: []string{"PASSPORT_SMTP_URL"}},
		{name: "api without secret", mode: ModeAPI, unset: "PASSPORT_SECRET_KEY", wantBad: []string{"PASSPORT_SECRET_KEY"}},
		{name: "short secret", mode: ModeAPI, set: map[string]string{"PASSPORT_SECRET_KEY": "c2hvcnQ="}, wantBad: []string{"PASSPORT_SECRET_KEY"}},
		{name: "mysql url", mode: ModeAPI, set: map[string]string{"PASSPORT_DATABASE_URL": "mysql://x"}, wantBad: []string{"PASSPORT_DATABASE_URL"}},
		{name: "bad smtp tls", mode: ModeWorker, set: map[string]string{"PASSPORT_SMTP_URL": "smtp://h?tls=maybe"}, wantBad: []string{"PASSPORT_SMTP_URL"}},
		{name: "several at once", mode: ModeAPI, set: map[string]string{"PASSPORT_LOG_LEVEL": "loud", "PASSPORT_PUBLIC_URL": "ftp://x", "PASSPORT_HTTP_ADDR": "8080"},
			wantBad: []string{"PASSPORT_LOG_LEVEL", "PASSPORT_PUBLIC_URL", "PASSPORT_HTTP_ADDR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range good {
				m[k] = v
			}
			delete(m, tt.unset)
			for k, v := range tt.set {
				m[k] = v
			}
			c, err := Load(env(m))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate(tt.mode)
			if len(tt.wantBad) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error naming %v", tt.wantBad)
			}
			for _, name := range tt.wantBad {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
		})
	}
}

func TestMaskedHidesSecrets(t *testing.T) {
	c, err := Load(env(map[string]string{
		"PASSPORT_DATABASE_URL":   "postgres://passport:hunter2@db:5432/passport",
		"PASSPORT_SMTP_URL":       "smtp://mailer:s3cret@relay:587",
		"PASSPORT_SECRET_KEY":     "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"PASSPORT_REDIS_PASSWORD": "redispw",
	}))
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]string{}
	kv := c.Masked()
	for i := 0; i < len(kv); i += 2 {
		logged[kv[i].(string)] = kv[i+1].(string)
	}
	for _, secret := range []string{"hunter2", "s3cret", "MDEyMzQ1", "redispw"} {
		for k, v := range logged {
			if strings.Contains(v, secret) {
				t.Errorf("%s logged as %q shows a secret", k, v)
			}
		}
	}
	if got := logged["database_url"]; !strings.Contains(got, "db:5432") || !strings.Contains(got, "passport:redacted@") {
		t.Errorf("database_url masked too much to be useful: %q", got)
	}
	if logged["http_addr"] != ":8080" {
		t.Errorf("plain settings must be logged as they are, got %q", logged["http_addr"])
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want SMTP
		err  string
	}{
		{raw: "smtp://relay.nhs.net", want: SMTP{Host: "relay.nhs.net", Port: 587, TLS: TLSStartTLS}},
		{raw: "smtps://u:p@relay:2465", want: SMTP{Host: "relay", Port: 2465, Username: "u", Password: "p", TLS: TLSImplicit}},
		{raw: "smtp://mailpit:1025?tls=none", want: SMTP{Host: "mailpit", Port: 1025, TLS: TLSNone}},
		{raw: "smtp://h?tls=opportunistic", want: SMTP{Host: "h", Port: 587, TLS: TLSOpportunistic}},
		{raw: "http://h", err: "scheme"},
		{raw: "smtp://:25", err: "host"},
		{raw: "smtp://h:99999", err: "port"},
		{raw: "smtps://h?tls=none", err: "always uses TLS"},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one about %q", tt.raw, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
}

func TestVarsDescribeEveryField(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vars() {
		if !strings.HasPrefix(v.Name, Prefix) || v.Name == Prefix {
			t.Errorf("bad variable name %q", v.Name)
		}
		if v.Help == "" {
			t.Errorf("%s has no help text", v.Name)
		}
		if seen[v.Name] {
			t.Errorf("%s declared twice", v.Name)
		}
		seen[v.Name] = true
	}
}
