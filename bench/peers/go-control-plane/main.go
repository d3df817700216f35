// The peer of the xDS benchmark (`npm run bench:peers`): an ADS server built on go-control-plane's
// snapshot cache and server, serving exactly the resources this project's compiler produced for
// the benchmark mesh. The benchmark exports them from the compiled store (per view: each type's
// collection version and each resource's name and encoded message) into a JSON file; this program
// loads that file at start and again on `POST /snapshot`, and answers the same simulated proxies.
//
// It authenticates nobody: the simulated proxies' tokens are ignored. A proxy's view is the
// `<kind>/<name>` part of its node id (an App Mesh ARN or `mesh/<mesh>/<kind>/<name>`), as
// the project's shard resolves it from the token.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	// The resource types the exported views hold, registered for FindMessageByURL.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// exported is the file the benchmark writes: view name → type URL → collection.
type exported struct {
	Views map[string]map[string]collection `json:"views"`
}

type collection struct {
	Version   string     `json:"version"`
	Resources []resource `json:"resources"`
}

type resource struct {
	Name  string `json:"name"`
	Value []byte `json:"value"` // the message's encoded bytes (base64 in JSON)
}

// viewOf maps a node id to its view: the part after `mesh/<mesh>/`.
type viewOf struct{}

func (viewOf) ID(node *core.Node) string {
	if node == nil {
		return ""
	}
	id := node.GetId()
	i := strings.Index(id, "mesh/")
	if i < 0 {
		return id
	}
	rest := id[i+len("mesh/"):]
	j := strings.Index(rest, "/")
	if j < 0 {
		return rest
	}
	return rest[j+1:]
}

// load reads the exported file and sets one snapshot per view, each type at its own version
// (the project's collection version), so a change re-sends only the types it touched.
//
// It also counts the resources go-control-plane will send byte for byte as the project encoded
// them (it re-marshals every message, deterministically: fields in number order).
func load(snapshots cache.SnapshotCache, path string) (loaded, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return loaded{}, err
	}
	var file exported
	if err := json.Unmarshal(raw, &file); err != nil {
		return loaded{}, err
	}
	count, same := 0, 0
	for view, types := range file.Views {
		snap := &cache.Snapshot{}
		for typeURL, coll := range types {
			index := cache.GetResponseType(typeURL)
			if index == typesUnknown {
				return loaded{}, fmt.Errorf("view %s: unknown type %s", view, typeURL)
			}
			mt, err := protoregistry.GlobalTypes.FindMessageByURL(typeURL)
			if err != nil {
				return loaded{}, fmt.Errorf("view %s: %w", view, err)
			}
			items := make([]typesResource, 0, len(coll.Resources))
			for _, r := range coll.Resources {
				msg := mt.New().Interface()
				if err := proto.Unmarshal(r.Value, msg); err != nil {
					return loaded{}, fmt.Errorf("view %s: %s %s: %w", view, typeURL, r.Name, err)
				}
				if again, err := cache.MarshalResource(msg); err == nil && bytes.Equal(again, r.Value) {
					same++
				}
				items = append(items, msg)
				count++
			}
			snap.Resources[index] = cache.NewResources(coll.Version, items)
		}
		if err := snapshots.SetSnapshot(context.Background(), view, snap); err != nil {
			return loaded{}, err
		}
	}
	return loaded{Views: len(file.Views), Resources: count, ByteIdentical: same}, nil
}

type loaded struct {
	Views         int   `json:"views"`
	Resources     int   `json:"resources"`
	ByteIdentical int   `json:"byteIdentical"`
	LoadMs        int64 `json:"loadMs"`
}

type typesResource = types.Resource

const typesUnknown = types.UnknownType

func main() {
	port := flag.Int("port", 18000, "ADS port")
	control := flag.Int("control", 18001, "HTTP control port (POST /snapshot, GET /stats)")
	path := flag.String("snapshot", "", "the exported views (JSON)")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	snapshots := cache.NewSnapshotCache(true, viewOf{}, nil)
	if *path != "" {
		result, err := load(snapshots, *path)
		if err != nil {
			log.Fatalf("loading %s: %v", *path, err)
		}
		log.Printf("loaded %d views, %d resources (%d byte-identical after re-marshalling)", result.Views, result.Resources, result.ByteIdentical)
	}

	var open, opened atomic.Int64
	callbacks := server.CallbackFuncs{
		StreamOpenFunc: func(context.Context, int64, string) error {
			open.Add(1)
			opened.Add(1)
			return nil
		},
		StreamClosedFunc: func(int64, *core.Node) { open.Add(-1) },
		DeltaStreamOpenFunc: func(context.Context, int64, string) error {
			open.Add(1)
			opened.Add(1)
			return nil
		},
		DeltaStreamClosedFunc: func(int64, *core.Node) { open.Add(-1) },
	}
	xds := server.NewServer(context.Background(), snapshots, callbacks)

	// As the project's shard: many streams per process, and the simulated proxies' HTTP/2
	// keepalive (every 30 s) must not be answered with GOAWAY too_many_pings.
	grpcServer := grpc.NewServer(
		grpc.MaxConcurrentStreams(1<<20),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
	)
	discovery.RegisterAggregatedDiscoveryServiceServer(grpcServer, xds)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /snapshot", func(w http.ResponseWriter, r *http.Request) {
		file := r.URL.Query().Get("path")
		if file == "" {
			file = *path
		}
		start := time.Now()
		result, err := load(snapshots, file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		result.LoadMs = time.Since(start).Milliseconds()
		writeJSON(w, result)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		writeJSON(w, map[string]any{
			"openStreams":   open.Load(),
			"streamsOpened": opened.Load(),
			"goroutines":    runtime.NumGoroutine(),
			"heapInUseMb":   float64(m.HeapInuse) / (1 << 20),
		})
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, map[string]any{"ready": true}) })

	lis, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		if err := http.ListenAndServe(fmt.Sprintf("127.0.0.1:%d", *control), mux); err != nil {
			log.Fatal(err)
		}
	}()
	log.Printf("ADS on 127.0.0.1:%d, control on 127.0.0.1:%d", *port, *control)
	if err := grpcServer.Serve(lis); err != nil {
		log.Fatal(err)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("content-type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
