// Package devtemporal runs a Temporal server inside the process, persisted to
// a SQLite file, for development mode and integration tests.
//
// Every port is fixed from one base port: a restart on the same SQLite file
// with different membership ports stalls for tens of seconds ("Not enough
// hosts to serve the request") while the old ring members time out.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// PortsUsed is how many consecutive ports from the base port the server binds:
// gRPC for frontend, history, matching and worker, then their membership ports.
const PortsUsed = 8

const host = "127.0.0.1"

// Options configure an embedded server.
type Options struct {
	// DatabaseFile is the SQLite file; it is created with its schema when
	// missing, and VisibilityFile(DatabaseFile) beside it.
	DatabaseFile string
	// BasePort is the frontend port; the next PortsUsed-1 ports are taken too.
	BasePort int
	// Namespace is registered at start when it does not exist yet.
	Namespace string
	// SearchAttributes are custom search attributes registered with a new namespace.
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives the server's warnings and errors.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	address  string
	stopping *atomic.Bool
}

// Start creates the schema and namespace when needed and starts all four
// Temporal services. It returns once the frontend accepts connections.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.DatabaseFile == "" || opts.BasePort == 0 || opts.Namespace == "" {
		return nil, errors.New("devtemporal: DatabaseFile, BasePort and Namespace are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkPortsFree(opts.BasePort); err != nil {
		return nil, err
	}

	sqlCfg := sqliteConfig(opts.DatabaseFile)
	// Visibility (the index behind listing workflows) lives in a file of
	// its own. SQLite has one writer per file, and each search attribute
	// update rewrites a wide, heavily indexed row; in the same file those
	// rewrites hold up the workflows' own writes (a start waits behind
	// them). A data directory made before the split keeps its visibility
	// in the main file.
	visCfg := sqliteConfig(VisibilityFile(opts.DatabaseFile))
	if _, err := os.Stat(opts.DatabaseFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(opts.DatabaseFile), 0o700); err != nil {
			return nil, fmt.Errorf("devtemporal: create data dir: %w", err)
		}
		for _, c := range []*config.SQL{visCfg, sqlCfg} {
			if err := sqlite.SetupSchema(c); err != nil {
				return nil, fmt.Errorf("devtemporal: set up schema: %w", err)
			}
		}
	} else if _, err := os.Stat(visCfg.DatabaseName); errors.Is(err, os.ErrNotExist) {
		visCfg = sqlCfg
	}

	cfg := serverConfig(sqlCfg, visCfg, opts.BasePort)
	ns, err := sqlite.NewNamespaceConfig(cfg.ClusterMetadata.CurrentClusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: namespace: %w", err)
	}
	if err := sqlite.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("devtemporal: create namespace: %w", err)
	}

	stopping := new(atomic.Bool)
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(newLogger(opts.Logger, stopping)),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// One worker process polls each task queue, so a queue needs one
			// partition. With the default four, a task can sit in a
			// partition no poller is on until it is forwarded.
			dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  []dynamicconfig.ConstrainedValue{{Value: 1}},
			dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): []dynamicconfig.ConstrainedValue{{Value: 1}},
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: new server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devtemporal: start: %w", err)
	}
	s := &Server{srv: srv, address: net.JoinHostPort(host, strconv.Itoa(opts.BasePort)), stopping: stopping}
	if err := waitListening(ctx, s.address); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return s, nil
}

// Address is the frontend's host:port for SDK clients.
func (s *Server) Address() string { return s.address }

// Stop shuts all services down. The services complain about each other as
// they go, so the server's log is silenced first.
func (s *Server) Stop() error {
	s.stopping.Store(true)
	return s.srv.Stop()
}

// VisibilityFile is where a server whose main file is databaseFile keeps
// its visibility records: temporal.db → temporal-visibility.db.
func VisibilityFile(databaseFile string) string {
	ext := filepath.Ext(databaseFile)
	return strings.TrimSuffix(databaseFile, ext) + "-visibility" + ext
}

func sqliteConfig(file string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// The plugin passes every attribute but a few URI parameters as a
		// pragma, by its bare name. WAL lets readers work beside the one
		// writer; with WAL, synchronous=NORMAL loses nothing when the
		// process dies (only a power cut can take the last commits), which
		// suits a development server.
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "1",
			"busy_timeout": "10000",
		},
	}
}

// The data stores: the main one (executions, history, queues, namespaces)
// and visibility.
const (
	mainStore       = "sqlite"
	visibilityStore = "sqlite-visibility"
)

func serverConfig(sqlCfg, visCfg *config.SQL, base int) *config.Config {
	const clusterName = "active"
	service := func(i int) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort:        base + i,
			MembershipPort:  base + 4 + i,
			BindOnLocalHost: true,
		}}
	}
	frontend := net.JoinHostPort(host, strconv.Itoa(base))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
		},
		Persistence: config.Persistence{
			DefaultStore:     mainStore,
			VisibilityStore:  visibilityStore,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{mainStore: {SQL: sqlCfg}, visibilityStore: {SQL: visCfg}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(0),
			"history":  service(1),
			"matching": service(2),
			"worker":   service(3),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}
}

// checkPortsFree fails early with a clear message instead of letting a
// service die later on a busy port (usually another dev instance).
func checkPortsFree(base int) error {
	for p := base; p < base+PortsUsed; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			return fmt.Errorf("devtemporal: port %d is in use (the embedded Temporal server needs ports %d-%d): %w", p, base, base+PortsUsed-1, err)
		}
		_ = l.Close()
	}
	return nil
}

func waitListening(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devtemporal: frontend %s not listening: %w", addr, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
