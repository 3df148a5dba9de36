import type { DescField } from '../../../src/xds/proto/descriptors.js';
import { expect } from 'chai';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { messageDescriptor } from '../../../src/xds/proto/descriptors.js';
import {
  UnknownMessageTypeError,
  fullNameOf,
  hasMessageType,
  messageTypeByName,
  messageTypeByUrl,
  messageTypeNames,
  typeUrlOf,
} from '../../../src/xds/proto/registry.js';

describe('xds/proto registry', () => {
  it('maps full names to type URLs and back', () => {
    expect(typeUrlOf('envoy.config.listener.v3.Listener')).to.equal(
      'type.googleapis.com/envoy.config.listener.v3.Listener',
    );
    expect(fullNameOf('type.googleapis.com/envoy.config.listener.v3.Listener')).to.equal(
      'envoy.config.listener.v3.Listener',
    );
    expect(fullNameOf('example.com/x/envoy.type.v3.Percent')).to.equal('envoy.type.v3.Percent');
    expect(() => fullNameOf('type.googleapis.com/')).to.throw(UnknownMessageTypeError);
  });

  it('finds generated message types by full name and by type URL', () => {
    expect(messageTypeByName('envoy.config.listener.v3.Listener')).to.equal(Listener);
    expect(messageTypeByUrl('type.googleapis.com/envoy.config.listener.v3.Listener')).to.equal(Listener);
    expect(hasMessageType('envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth')).to.equal(true);
    expect(hasMessageType('envoy.config.listener.v3.Nope')).to.equal(false);
  });

  it('holds every message of the generated closure, nested ones included, and no enums', () => {
    const names = messageTypeNames();
    expect(names).to.include.members([
      'envoy.service.discovery.v3.DiscoveryRequest',
      'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      'envoy.config.rbac.v3.Principal.Authenticated',
      'google.protobuf.Duration',
      'validate.FieldRules',
    ]);
    expect(names).not.to.include('envoy.config.core.v3.RoutingPriority');
    expect(names).to.deep.equal([...names].sort());
  });

  it('throws a clear error for an unknown name', () => {
    expect(() => messageTypeByUrl('type.googleapis.com/envoy.config.listener.v3.Nope')).to.throw(
      UnknownMessageTypeError,
      'unknown message type "envoy.config.listener.v3.Nope": not in the generated Envoy set',
    );
  });

  it('has exact descriptors: real oneofs, field kinds, JSON names', () => {
    const field = (message: string, name: string): DescField | undefined =>
      messageDescriptor(message).fields.find((f) => f.name === name);
    const filter = messageDescriptor('envoy.config.listener.v3.Filter');
    expect(filter.oneofs.map((o) => o.name)).to.deep.equal(['config_type']);
    expect(field('envoy.config.listener.v3.Filter', 'name')?.oneof).to.equal(undefined);
    expect(field('envoy.config.listener.v3.Filter', 'typed_config')?.oneof?.name).to.equal('config_type');
    expect(field('envoy.config.listener.v3.Listener', 'filter_chains')?.fieldKind).to.equal('list');
    expect(
      field('envoy.config.listener.v3.Listener', 'per_connection_buffer_limit_bytes')?.jsonName,
    ).to.equal('perConnectionBufferLimitBytes');
    expect(() => messageDescriptor('acme.v1.Widget')).to.throw(UnknownMessageTypeError);
  });
});
