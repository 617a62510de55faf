package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/testenv"
)

func TestImportInThePortal(t *testing.T) {
	ph := newPortalHarness(t)
	hr := ph.signIn("RJ1/hr")
	page := hr.send("GET", "/portal/imports", nil)
	if page.Code != http.StatusOK {
		t.Fatalf("imports page: %d", page.Code)
	}
	fileName := "learning-export.csv"
	upload := func(file string, checkOnly bool) *httptest.ResponseRecorder {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("csrf", csrf(t, page.Body.String()))
		if checkOnly {
			_ = w.WriteField("check_only", "yes")
		}
		fw, _ := w.CreateFormFile("file", fileName)
		_, _ = fw.Write([]byte(file))
		_ = w.Close()
		r := httptest.NewRequest(http.MethodPost, "/portal/imports", &body)
		r.Header.Set("Content-Type", w.FormDataContentType())
		for _, c := range hr.cookies {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		ph.handler.ServeHTTP(rec, r)
		return rec
	}
	rec := upload(testenv.SmallImport, true)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("check only: %d %s", rec.Code, rec.Body)
	}
	results := hr.send("GET", rec.Header().Get("Location"), nil).Body.String()
	if !strings.Contains(results, "Check results") || !strings.Contains(results, "Nothing was recorded") {
		t.Errorf("check results page:\n%s", results)
	}
	rec = upload(testenv.SmallImport, false)
	results = hr.send("GET", rec.Header().Get("Location"), nil).Body.String()
	if !strings.Contains(results, "Import results") || !strings.Contains(results, "failures.csv") || !strings.Contains(results, "email: must be an email address") {
		t.Errorf("import results page:\n%s", results)
	}
	// A long file name in Welsh is kept, cut at 200 characters, not 200
	// bytes (half a character, which PostgreSQL refuses once the rows are in).
	fileName = "x" + strings.Repeat("ŵ", 150) + ".csv"
	rec = upload(testenv.SmallImport, false)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("an import with a long non-ASCII file name: %d %s", rec.Code, rec.Body)
	}
	if got := hr.send("GET", rec.Header().Get("Location"), nil).Body.String(); !strings.Contains(got, strings.Repeat("ŵ", 150)) {
		t.Error("the file's name is not on its results page")
	}
	// A file of another kind goes back to the imports page, which says why.
	if rec := upload("not,a,known,header\n", false); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/imports" {
		t.Errorf("a file of another kind: %d to %q", rec.Code, rec.Header().Get("Location"))
	} else {
		for _, ck := range rec.Result().Cookies() {
			hr.cookies[ck.Name] = ck
		}
		if got := hr.send("GET", "/portal/imports", nil).Body.String(); !strings.Contains(got, "Unknown column") {
			t.Error("the imports page does not say what was wrong with the file")
		}
	}
	if got := hr.send("GET", "/portal/passports?q=silva", nil).Body.String(); !strings.Contains(got, "Ana Silva") {
		t.Error("the imported person is not among the trust's passports")
	}
	// Another trust cannot see the results.
	other := ph.signIn("RRK/hr")
	if rec := other.send("GET", strings.Split(rec.Header().Get("Location"), "?")[0], nil); rec.Code == http.StatusOK {
		t.Errorf("RRK sees RJ1's import: %d", rec.Code)
	}
}
