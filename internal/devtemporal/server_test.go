package devtemporal_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// A new data directory keeps visibility in a file of its own; one made
// before the split keeps it in the main file. Either way a started
// workflow can be listed.
func TestVisibilityFile(t *testing.T) {
	for name, before := range map[string]bool{"new": false, "made before the split": true} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "temporal.db")
			if before {
				if err := sqlite.SetupSchema(&config.SQL{PluginName: sqliteplugin.PluginName, DatabaseName: file,
					ConnectAttributes: map[string]string{"mode": "rwc"}}); err != nil {
					t.Fatal(err)
				}
			}
			srv, err := devtemporal.Start(t.Context(), devtemporal.Options{
				DatabaseFile: file, BasePort: testenv.FreePortRange(t, devtemporal.PortsUsed), Namespace: "default",
			})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Stop()
			_, err = os.Stat(devtemporal.VisibilityFile(file))
			if exists := err == nil; exists == before {
				t.Errorf("visibility file exists: %v (%v)", exists, err)
			}

			c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: "default"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "listed", TaskQueue: "nobody"}, "Nothing"); err != nil {
				t.Fatal(err)
			}
			// Visibility is written after the start, by the server's queue.
			deadline := time.Now().Add(10 * time.Second)
			for {
				res, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = 'listed'"})
				if err == nil && len(res.Executions) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the started workflow is not listed: %v, %v", res, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
