// Command xds-peer runs go-control-plane's xDS server (ADS, state of the world and delta) with a SnapshotCache on a
// loopback port, as a reference peer for aspen's differential protocol tests (test/xds/server/delta-diff.test.ts).
//
// Usage: xds-peer [-listen 127.0.0.1:0]
//
// It prints one line `listening <port>` on stdout once serving. Then it reads commands from stdin, one JSON object per
// line, and answers each with one line on stdout (`ok` or `error: <message>`):
//
//	{"node":"shop/web","version":"3","resources":{"<type URL>":[{"typeUrl":"<type URL>","value":"<base64 bytes>"}]}}
//
// sets the snapshot of node key `node` (snapshots are keyed by the Node's `cluster`, like aspen's file-mode
// authenticator) to the given resources, each a packed google.protobuf.Any: exactly the bytes aspen serves. The
// process exits when stdin closes.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/anypb"

	// Register the resource types the tests use.
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
	Value   string `json:"value"`
}

type command struct {
	Node      string              `json:"node"`
	Version   string              `json:"version"`
	Resources map[string][]packed `json:"resources"`
}

func decode(p packed) (types.Resource, error) {
	value, err := base64.StdEncoding.DecodeString(p.Value)
	if err != nil {
		return nil, fmt.Errorf("resource of %s: %w", p.TypeURL, err)
	}
	msg, err := (&anypb.Any{TypeUrl: p.TypeURL, Value: value}).UnmarshalNew()
	if err != nil {
		return nil, fmt.Errorf("resource of %s: %w", p.TypeURL, err)
	}
	return msg, nil
}

func apply(ctx context.Context, snapshots cache.SnapshotCache, line []byte) error {
	var cmd command
	if err := json.Unmarshal(line, &cmd); err != nil {
		return err
	}
	byType := map[string][]types.Resource{}
	for typeURL, list := range cmd.Resources {
		byType[typeURL] = []types.Resource{}
		for _, p := range list {
			res, err := decode(p)
			if err != nil {
				return err
			}
			byType[typeURL] = append(byType[typeURL], res)
		}
	}
	snapshot, err := cache.NewSnapshot(cmd.Version, byType)
	if err != nil {
		return err
	}
	return snapshots.SetSnapshot(ctx, cmd.Node, snapshot)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to serve ADS on")
	flag.Parse()
	ctx := context.Background()
	snapshots := cache.NewSnapshotCache(true, clusterHash{}, nil)
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	grpcServer := grpc.NewServer()
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(grpcServer, server.NewServer(ctx, snapshots, nil))
	go func() {
		if err := grpcServer.Serve(lis); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	fmt.Printf("listening %d\n", lis.Addr().(*net.TCPAddr).Port)
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		if err := apply(ctx, snapshots, scanner.Bytes()); err != nil {
			fmt.Printf("error: %v\n", err)
		} else {
			fmt.Println("ok")
		}
	}
	grpcServer.Stop()
}
