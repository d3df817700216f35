// Command envoy-protos writes the protobuf descriptors of the Envoy xDS API that meshplane encodes
// with, taken from go-control-plane's generated packages of one Envoy release, as a
// FileDescriptorSet. See docs/adr/0009-envoy-proto-set.md.
package main

import (
	"fmt"
	"os"
	"sort"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	_ "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/http_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/original_dst/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
)

// The files whose messages the translator emits or the ADS server reads, and the bootstrap (tests
// validate the encoder's bytes as a binary bootstrap in a real Envoy); the output holds these and
// everything they import. A new Envoy extension the translator uses is added here and in the
// imports above.
var roots = []string{
	"envoy/config/bootstrap/v3/bootstrap.proto",
	"envoy/service/discovery/v3/ads.proto",
	"envoy/config/listener/v3/listener.proto",
	"envoy/config/route/v3/route.proto",
	"envoy/config/cluster/v3/cluster.proto",
	"envoy/config/endpoint/v3/endpoint.proto",
	"envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto",
	"envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto",
	"envoy/extensions/filters/http/router/v3/router.proto",
	"envoy/extensions/filters/listener/original_dst/v3/original_dst.proto",
	"envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto",
	"envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto",
	"envoy/extensions/upstreams/http/v3/http_protocol_options.proto",
	"envoy/extensions/access_loggers/file/v3/file.proto",
	"envoy/extensions/transport_sockets/tls/v3/tls.proto",
	"envoy/extensions/transport_sockets/tls/v3/secret.proto",
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: envoy-protos OUTPUT")
		os.Exit(2)
	}
	// The root files and every file they import, in name order so that the output is the same on
	// every run (protobufjs resolves imports by name, not by position).
	seen := map[string]protoreflect.FileDescriptor{}
	var walk func(f protoreflect.FileDescriptor)
	walk = func(f protoreflect.FileDescriptor) {
		if _, ok := seen[f.Path()]; ok {
			return
		}
		seen[f.Path()] = f
		imports := f.Imports()
		for i := 0; i < imports.Len(); i++ {
			walk(imports.Get(i).FileDescriptor)
		}
	}
	for _, path := range roots {
		f, err := protoregistry.GlobalFiles.FindFileByPath(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(1)
		}
		walk(f)
	}
	files := make([]protoreflect.FileDescriptor, 0, len(seen))
	for _, f := range seen {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path() < files[j].Path() })
	set := &descriptorpb.FileDescriptorSet{}
	for _, f := range files {
		set.File = append(set.File, protodesc.ToFileDescriptorProto(f))
	}
	out, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d bytes\n", len(set.File), len(out))
}
