// Command xds-bench-peer serves aspen's snapshots with go-control-plane (v0.14.0, pinned in tools/go.mod) for the
// side-by-side benchmark (bench/side-by-side.ts): the same resources, the same per-type versions, the same TLS
// certificate and the same simulated clients as aspen, so the two servers can be compared in one run.
//
// Usage: xds-bench-peer -cert serving.pem -key serving-key.pem [-listen 127.0.0.1:0]
//
// It prints `listening <port>` once serving (TLS with the given certificate; loopback only). Then it reads one file
// path per line on stdin, loads the snapshots in it and answers `ok <nodes>` or `error: <message>`. A file is JSON:
//
//	{"resources":[{"typeUrl":"<type URL>","value":"<base64>"}, ...],
//	 "nodes":[{"node":"<namespace>/<workload>","types":{"<type URL>":{"version":"<v>","items":[<index>, ...]}}}]}
//
// Each distinct resource (a packed google.protobuf.Any, exactly the bytes aspen serves) is listed once and decoded
// once; nodes refer to resources by index, so shared resources are shared in go-control-plane's cache too. Snapshots
// are keyed by the Node's `cluster`, like aspen's file-mode authenticator. The process exits when stdin closes.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/types/known/anypb"

	// Register every type aspen serves, and the extensions inside them (typed_config).
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// clusterHash keys snapshots by node.cluster (`<namespace>/<workload>`), as aspen's file-mode authenticator does.
type clusterHash struct{}

func (clusterHash) ID(node *core.Node) string { return node.GetCluster() }

type packed struct {
	TypeURL string `json:"typeUrl"`
	Value   []byte `json:"value"`
}

type typeEntry struct {
	Version string `json:"version"`
	Items   []int  `json:"items"`
}

type nodeEntry struct {
	Node  string               `json:"node"`
	Types map[string]typeEntry `json:"types"`
}

type snapshotFile struct {
	Resources []packed    `json:"resources"`
	Nodes     []nodeEntry `json:"nodes"`
}

func decodeAll(list []packed) ([]types.Resource, error) {
	out := make([]types.Resource, len(list))
	for i, p := range list {
		msg, err := (&anypb.Any{TypeUrl: p.TypeURL, Value: p.Value}).UnmarshalNew()
		if err != nil {
			return nil, fmt.Errorf("resource %d (%s): %w", i, p.TypeURL, err)
		}
		out[i] = msg
	}
	return out, nil
}

func snapshotOf(node nodeEntry, resources []types.Resource) (*cache.Snapshot, error) {
	snapshot := &cache.Snapshot{}
	for typeURL, entry := range node.Types {
		index := cache.GetResponseType(typeURL)
		if index == types.UnknownType {
			return nil, fmt.Errorf("node %s: unknown type %s", node.Node, typeURL)
		}
		items := make([]types.Resource, 0, len(entry.Items))
		for _, i := range entry.Items {
			if i < 0 || i >= len(resources) {
				return nil, fmt.Errorf("node %s: resource index %d out of range", node.Node, i)
			}
			items = append(items, resources[i])
		}
		snapshot.Resources[index] = cache.NewResources(entry.Version, items)
	}
	return snapshot, nil
}

func load(ctx context.Context, snapshots cache.SnapshotCache, path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var file snapshotFile
	if err := json.Unmarshal(data, &file); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	resources, err := decodeAll(file.Resources)
	if err != nil {
		return 0, err
	}
	for _, node := range file.Nodes {
		snapshot, err := snapshotOf(node, resources)
		if err != nil {
			return 0, err
		}
		if err := snapshots.SetSnapshot(ctx, node.Node, snapshot); err != nil {
			return 0, err
		}
	}
	return len(file.Nodes), nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to serve ADS on")
	certFile := flag.String("cert", "", "PEM serving certificate chain")
	keyFile := flag.String("key", "", "PEM private key of the serving certificate")
	flag.Parse()
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || !(host == "127.0.0.1" || host == "::1" || host == "localhost") {
		fail(fmt.Errorf("-listen must be a loopback address, got %q", *listen))
	}
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	snapshots := cache.NewSnapshotCache(true, clusterHash{}, nil)
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fail(err)
	}
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	grpcServer := grpc.NewServer(grpc.Creds(creds), grpc.MaxConcurrentStreams(1<<20))
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(grpcServer, server.NewServer(ctx, snapshots, nil))
	go func() {
		if err := grpcServer.Serve(lis); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	fmt.Printf("listening %d\n", lis.Addr().(*net.TCPAddr).Port)
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		n, err := load(ctx, snapshots, strings.TrimSpace(scanner.Text()))
		if err != nil {
			fmt.Printf("error: %v\n", err)
		} else {
			fmt.Printf("ok %d\n", n)
		}
	}
	grpcServer.Stop()
}
