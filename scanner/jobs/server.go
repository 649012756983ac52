package jobs

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartServer starts an embedded single-node NATS server with JetStream
// keeping its streams in files under store, listening on listen
// (HOST:PORT). Shutdown stops it; a server started again on the same store
// has every stream, message and bucket back.
func StartServer(store, listen string) (*server.Server, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: port %q is not a number", listen, p)
	}
	s, err := server.NewServer(&server.Options{
		ServerName: "aiaudit", Host: host, Port: port,
		JetStream: true, StoreDir: store,
		// The caller decides when to stop (aiaudit's own signal handling).
		NoSigs: true,
	})
	if err != nil {
		return nil, err
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("NATS server on %s did not become ready (port in use?)", listen)
	}
	return s, nil
}
