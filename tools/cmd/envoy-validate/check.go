package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
)

// Strict parsing: unknown fields are errors, as in Envoy.
var (
	jsonOpts  = protojson.UnmarshalOptions{DiscardUnknown: false, Resolver: protoregistry.GlobalTypes}
	protoOpts = proto.UnmarshalOptions{DiscardUnknown: false, Resolver: protoregistry.GlobalTypes}
)

const anyFullName = "google.protobuf.Any"

// check parses and validates one resource.
func check(raw json.RawMessage) result {
	var head map[string]json.RawMessage
	if err := json.Unmarshal(raw, &head); err != nil || head == nil {
		return fail("", nil, "parse: a resource must be a JSON object")
	}
	typeURL := jsonString(head, "@type")
	if typeURL == "" {
		return fail(typeURL, head, `parse: missing or empty "@type"`)
	}
	var packed anypb.Any
	if err := jsonOpts.Unmarshal(raw, &packed); err != nil {
		return fail(typeURL, head, "parse: "+err.Error())
	}
	msg, err := packed.UnmarshalNew()
	if err != nil {
		return fail(typeURL, head, "parse: "+err.Error())
	}
	c := &checker{}
	m := msg.ProtoReflect()
	c.validate(m, string(m.Descriptor().Name()))
	return result{
		Type:     typeURL,
		Name:     resourceName(m),
		OK:       len(c.errors) == 0,
		Errors:   c.errors,
		Warnings: c.warnings,
	}
}

// fail reports a resource that could not be parsed, naming it from the raw
// JSON where possible.
func fail(typeURL string, head map[string]json.RawMessage, msg string) result {
	name := jsonString(head, "name")
	for _, k := range []string{"clusterName", "cluster_name"} {
		if name == "" {
			name = jsonString(head, k)
		}
	}
	return result{Type: typeURL, Name: name, OK: false, Errors: []string{msg}}
}

// jsonString returns head[key] if it is a JSON string, else "".
func jsonString(head map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := head[key]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// resourceName returns the "name" field, or "cluster_name" for a
// ClusterLoadAssignment, if the message has one.
func resourceName(m protoreflect.Message) string {
	for _, f := range []protoreflect.Name{"name", "cluster_name"} {
		fd := m.Descriptor().Fields().ByName(f)
		if fd != nil && fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() {
			return m.Get(fd).String()
		}
	}
	return ""
}

type checker struct {
	errors   []string
	warnings []string
}

type allValidator interface{ ValidateAll() error }

// validate runs PGV on m (which covers every nested message except the
// contents of Any fields), then descends to validate what each Any holds.
func (c *checker) validate(m protoreflect.Message, path string) {
	if v, ok := m.Interface().(allValidator); ok {
		if err := v.ValidateAll(); err != nil {
			c.errors = append(c.errors, flatten(err, path)...)
		}
	}
	c.walk(m, path)
}

// walk visits every populated message-typed field of m in field order (so
// the output is deterministic), noting deprecated fields and validating the
// contents of every Any.
func (c *checker) walk(m protoreflect.Message, path string) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		p := path + "." + goName(string(fd.Name()))
		c.checkDeprecated(fd, m.Get(fd), p)
		switch {
		case fd.IsMap():
			c.walkMap(fd, m.Get(fd).Map(), p)
		case fd.IsList() && fd.Message() != nil:
			list := m.Get(fd).List()
			for j := 0; j < list.Len(); j++ {
				c.visit(list.Get(j).Message(), fmt.Sprintf("%s[%d]", p, j))
			}
		case fd.Message() != nil:
			c.visit(m.Get(fd).Message(), p)
		}
	}
}

func (c *checker) walkMap(fd protoreflect.FieldDescriptor, mp protoreflect.Map, path string) {
	if fd.MapValue().Message() == nil {
		return
	}
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
	for _, k := range keys {
		c.visit(mp.Get(k).Message(), fmt.Sprintf("%s[%v]", path, k.Interface()))
	}
}

// visit descends into a nested message; an Any is unpacked and its content
// validated as a message of its own, the way Envoy validates typed_config.
func (c *checker) visit(m protoreflect.Message, path string) {
	if m.Descriptor().FullName() != anyFullName {
		c.walk(m, path)
		return
	}
	packed, ok := m.Interface().(*anypb.Any)
	if !ok {
		c.errors = append(c.errors, path+": not a google.protobuf.Any")
		return
	}
	inner, err := packed.UnmarshalNew()
	if err != nil {
		c.errors = append(c.errors, fmt.Sprintf("%s: cannot unpack %q: %v", path, packed.GetTypeUrl(), err))
		return
	}
	im := inner.ProtoReflect()
	c.validate(im, fmt.Sprintf("%s(%s)", path, im.Descriptor().Name()))
}

// checkDeprecated records deprecated fields and deprecated enum values that
// are set. Envoy accepts them with a warning, so they do not fail a resource.
func (c *checker) checkDeprecated(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) {
	if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDeprecated() {
		c.warnings = append(c.warnings, path+": deprecated field")
	}
	if fd.Kind() != protoreflect.EnumKind || fd.IsMap() {
		return
	}
	if fd.IsList() {
		list := v.List()
		for j := 0; j < list.Len(); j++ {
			c.checkDeprecatedEnum(fd, list.Get(j).Enum(), fmt.Sprintf("%s[%d]", path, j))
		}
		return
	}
	c.checkDeprecatedEnum(fd, v.Enum(), path)
}

func (c *checker) checkDeprecatedEnum(fd protoreflect.FieldDescriptor, n protoreflect.EnumNumber, path string) {
	ev := fd.Enum().Values().ByNumber(n)
	if ev == nil {
		return // undefined values are PGV's business (enum.defined_only)
	}
	if opts, ok := ev.Options().(*descriptorpb.EnumValueOptions); ok && opts.GetDeprecated() {
		c.warnings = append(c.warnings, fmt.Sprintf("%s: deprecated enum value %s", path, ev.Name()))
	}
}

// PGV's generated error types: XxxValidationError and XxxMultiError.
type pgvError interface {
	Field() string
	Reason() string
	Cause() error
}

type pgvMultiError interface{ AllErrors() []error }

// flatten turns a PGV error tree into one "Path.To.Field: reason" string per
// violation. PGV reports a violation inside an embedded message as "embedded
// message failed validation" with the embedded message's errors as cause;
// those causes are followed so the path names the offending leaf field.
func flatten(err error, path string) []string {
	if multi, ok := err.(pgvMultiError); ok {
		var out []string
		for _, e := range multi.AllErrors() {
			out = append(out, flatten(e, path)...)
		}
		return out
	}
	v, ok := err.(pgvError)
	if !ok {
		return []string{path + ": " + err.Error()}
	}
	p := path + "." + v.Field()
	cause := v.Cause()
	if cause == nil {
		return []string{p + ": " + v.Reason()}
	}
	if _, ok := cause.(pgvMultiError); ok {
		return flatten(cause, p)
	}
	if _, ok := cause.(pgvError); ok {
		return flatten(cause, p)
	}
	return []string{p + ": " + v.Reason() + ": " + cause.Error()}
}

// goName camel-cases a proto field name the way protoc-gen-go names the Go
// field (google.golang.org/protobuf/internal/strs.GoCamelCase, for names
// without dots), so paths match the field names PGV puts in its errors.
func goName(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' && i == 0:
			b = append(b, 'X')
		case c == '_' && i+1 < len(s) && isLower(s[i+1]):
			// drop the underscore; the next letter is upper-cased below
		case '0' <= c && c <= '9':
			b = append(b, c)
		default:
			if isLower(c) {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			for ; i+1 < len(s) && isLower(s[i+1]); i++ {
				b = append(b, s[i+1])
			}
		}
	}
	return string(b)
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
