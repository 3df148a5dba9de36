// Command protoset writes the Envoy v3 API descriptors that aspen generates
// TypeScript from, as a binary google.protobuf.FileDescriptorSet.
//
// Usage:
//
//	go run ./cmd/protoset OUT.binpb > files.txt
//
// The set holds the transitive closure of every .proto file registered by the
// Go packages imported below (github.com/envoyproxy/go-control-plane/envoy,
// pinned in go.mod), dependencies before dependents. Descriptors carry their
// options (so `validate.rules` and the udpa/xds annotations survive) but no
// source info: the Go registry does not keep comments. The names of the files
// in the set are printed on stdout, one per line, sorted, for
// `protoc --descriptor_set_in=OUT.binpb <names>`.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	// The Envoy API aspen uses. Each import registers its package's .proto files.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/grpc/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/api_key_auth/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/buffer/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/header_mutation/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/lua/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/http_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/original_dst/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/secret/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/type/v3"
)

// rootPackages are the proto packages whose files start the closure; the
// imports above must register every one of them.
var rootPackages = []string{
	"envoy.config.accesslog.v3",
	"envoy.config.cluster.v3",
	"envoy.config.core.v3",
	"envoy.config.endpoint.v3",
	"envoy.config.listener.v3",
	"envoy.config.ratelimit.v3",
	"envoy.config.rbac.v3",
	"envoy.config.route.v3",
	"envoy.extensions.access_loggers.file.v3",
	"envoy.extensions.access_loggers.grpc.v3",
	"envoy.extensions.access_loggers.stream.v3",
	"envoy.extensions.common.ratelimit.v3",
	"envoy.extensions.filters.http.api_key_auth.v3",
	"envoy.extensions.filters.http.buffer.v3",
	"envoy.extensions.filters.http.ext_authz.v3",
	"envoy.extensions.filters.http.header_mutation.v3",
	"envoy.extensions.filters.http.jwt_authn.v3",
	"envoy.extensions.filters.http.local_ratelimit.v3",
	"envoy.extensions.filters.http.lua.v3",
	"envoy.extensions.filters.http.ratelimit.v3",
	"envoy.extensions.filters.http.rbac.v3",
	"envoy.extensions.filters.http.router.v3",
	"envoy.extensions.filters.listener.http_inspector.v3",
	"envoy.extensions.filters.listener.original_dst.v3",
	"envoy.extensions.filters.listener.tls_inspector.v3",
	"envoy.extensions.filters.network.http_connection_manager.v3",
	"envoy.extensions.filters.network.rbac.v3",
	"envoy.extensions.filters.network.tcp_proxy.v3",
	"envoy.extensions.transport_sockets.tls.v3",
	"envoy.extensions.upstreams.http.v3",
	"envoy.service.accesslog.v3",
	"envoy.service.auth.v3",
	"envoy.service.discovery.v3",
	"envoy.service.ratelimit.v3",
	"envoy.service.secret.v3",
	"envoy.type.matcher.v3",
	"envoy.type.v3",
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: protoset OUT.binpb  (file names are printed on stdout)")
		os.Exit(2)
	}
	set, err := closure(rootPackages)
	if err != nil {
		fmt.Fprintln(os.Stderr, "protoset:", err)
		os.Exit(1)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "protoset: marshal:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "protoset:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(set.File))
	for _, f := range set.File {
		names = append(names, f.GetName())
	}
	sort.Strings(names)
	fmt.Println(strings.Join(names, "\n"))
}

// closure returns the files of the given packages and everything they import,
// each file after its dependencies, roots in sorted order for a stable output.
func closure(packages []string) (*descriptorpb.FileDescriptorSet, error) {
	roots, err := rootFiles(packages)
	if err != nil {
		return nil, err
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var visit func(fd protoreflect.FileDescriptor)
	visit = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			visit(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	for _, fd := range roots {
		visit(fd)
	}
	return set, nil
}

// rootFiles lists the registered files of the given proto packages, sorted by
// path, and fails if a package has no file (an import is missing above).
func rootFiles(packages []string) ([]protoreflect.FileDescriptor, error) {
	wanted := map[string]int{}
	for _, p := range packages {
		wanted[p] = 0
	}
	var files []protoreflect.FileDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if _, ok := wanted[string(fd.Package())]; ok {
			wanted[string(fd.Package())]++
			files = append(files, fd)
		}
		return true
	})
	for _, p := range packages {
		if wanted[p] == 0 {
			return nil, fmt.Errorf("no registered file in package %s: add its Go import", p)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path() < files[j].Path() })
	return files, nil
}
