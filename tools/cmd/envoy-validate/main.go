// Command envoy-validate checks Envoy xDS resources with Envoy's own
// PGV-generated validators (github.com/envoyproxy/go-control-plane/envoy).
//
// It is a test tool for aspen: an independent second opinion on every
// resource aspen renders, next to aspen's own descriptor-driven checker.
//
// Input (stdin): a JSON array, or JSON lines, of resources in proto3
// canonical JSON, each in the google.protobuf.Any JSON form, i.e. with
// "@type": "type.googleapis.com/envoy.config.listener.v3.Listener" at the top
// level next to the message's own fields.
//
// For each resource it
//  1. resolves "@type" (and every nested Any) in the global type registry,
//     which registry.go fills with every Envoy v3 package;
//  2. parses with protojson, rejecting unknown fields;
//  3. runs ValidateAll() on the resource and, because PGV does not look
//     inside google.protobuf.Any, on the message inside every Any at any
//     depth (Envoy validates each typed_config when it loads the extension).
//
// Output (stdout): one JSON line per resource, in input order:
//
//	{"index":0,"type":"type.googleapis.com/...","name":"...","ok":true}
//	{"index":1,"type":"...","ok":false,"errors":["Listener.Address.SocketAddress.PortValue: value must be ..."]}
//
// "name" is the resource's name (or cluster_name) when it has one; "errors"
// holds one string per PGV violation, or a single string for a parse error;
// "warnings" (optional, never affects "ok") lists deprecated fields and enum
// values in use.
//
// Exit status: 0 all resources valid, 1 at least one invalid, 2 bad input
// (stdin is not a JSON array or a sequence of JSON values).
package main

//go:generate go run gen_registry.go

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// result is one output line.
type result struct {
	Index    int      `json:"index"`
	Type     string   `json:"type"`
	Name     string   `json:"name,omitempty"`
	OK       bool     `json:"ok"`
	Errors   []string `json:"errors,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

func main() {
	os.Exit(run(os.Stdin, os.Stdout, os.Stderr))
}

func run(in io.Reader, out, errOut io.Writer) int {
	data, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintf(errOut, "envoy-validate: reading stdin: %v\n", err)
		return 2
	}
	items, err := splitInput(data)
	if err != nil {
		fmt.Fprintf(errOut, "envoy-validate: bad input: %v\n", err)
		return 2
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	code := 0
	for i, raw := range items {
		r := check(raw)
		r.Index = i
		if !r.OK {
			code = 1
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(errOut, "envoy-validate: writing output: %v\n", err)
			return 2
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(errOut, "envoy-validate: writing output: %v\n", err)
		return 2
	}
	return code
}

// splitInput accepts a JSON array of values or a sequence of JSON values
// (JSON lines). Empty input is an empty list.
func splitInput(data []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, err
		}
		return items, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var items []json.RawMessage
	for {
		var item json.RawMessage
		err := dec.Decode(&item)
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("JSON value %d: %w", len(items), err)
		}
		items = append(items, item)
	}
}
