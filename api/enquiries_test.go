package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/models"
)

// Operators read the enquiries sent through the contact forms and mark
// them answered; no one else reads them.
func TestEnquiries(t *testing.T) {
	h := newHarness(t)
	e := models.Enquiry{ID: uuid.NewString(), Kind: "staff", Name: "Sam Lee", Email: "sam@nhs.net", Message: "My link has expired, what now?",
		Status: "open", CreatedAt: time.Now().UTC()}
	if err := h.store.CreateEnquiry(context.Background(), &e); err != nil {
		t.Fatal(err)
	}
	var list []struct{ ID, Email, Status, Kind string }
	h.do("RJ1/operator", http.MethodGet, "/api/v1/enquiries?status=open", nil, &list)
	if len(list) != 1 || list[0].Email != "sam@nhs.net" || list[0].Kind != "staff" {
		t.Fatalf("open enquiries: %+v", list)
	}
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/enquiries", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("HR reading enquiries: %d", rec.Code)
	}
	if rec := h.do("RJ1/operator", http.MethodGet, "/api/v1/enquiries?status=new", nil, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a status that is not one: %d", rec.Code)
	}
	if rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/enquiries/"+list[0].ID+"/answered", nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("answered: %d", rec.Code)
	}
	h.do("RJ1/operator", http.MethodGet, "/api/v1/enquiries?status=open", nil, &list)
	if len(list) != 0 {
		t.Errorf("still open: %+v", list)
	}
}
