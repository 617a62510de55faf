package models

import "testing"

func TestWebhookURLs(t *testing.T) {
	for url, want := range map[string]bool{
		"https://esr.example.nhs.uk/hooks":         true,
		"https://203.0.113.7/hooks":                true,
		"http://esr.example.nhs.uk/hooks":          false, // http only in dev
		"https://169.254.169.254/latest/meta-data": false, // the cloud's metadata service
		"https://10.1.2.3/hooks":                   false,
		"https://192.168.0.10/hooks":               false,
		"https://[::1]/hooks":                      false,
		"https://[fd00::1]/hooks":                  false,
		"https://localhost/hooks":                  false,
		"https://db.internal/hooks":                false,
		"https://user:secret@esr.example.nhs.uk/h": false,
		"https://100.64.1.1/hooks":                 false,
	} {
		err := ValidateWebhook(url, []string{EventMoveCompleted}, false)
		if (err == nil) != want {
			t.Errorf("%s: %v, want allowed %v", url, err, want)
		}
	}
	if err := ValidateWebhook("http://127.0.0.1:8081/hooks", []string{EventMoveCompleted}, true); err != nil {
		t.Errorf("development mode refuses a receiver on this machine: %v", err)
	}
}
