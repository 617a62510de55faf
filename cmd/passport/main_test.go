package main

import (
	"os"
	"testing"
)

// asCommand, set in a child's environment, makes the test binary run as
// the passport command itself: the fault suite starts real api, worker
// and temporal processes from it (and SIGKILLs them) without building
// another binary.
const asCommand = "PASSPORT_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
