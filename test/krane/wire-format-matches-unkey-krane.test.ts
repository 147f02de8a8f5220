import {
  CreateDeploymentRequest,
  CreateDeploymentResponse,
  DeleteDeploymentRequest,
  DeploymentServiceDefinition,
  DeploymentStatus,
  GetDeploymentRequest,
  GetDeploymentResponse,
} from '../../src/generated/proto/krane/v1/deployment';
import { specToWire } from '../../src/krane/wire-mapping';

/**
 * A protobuf reader written from the encoding spec alone (varints, length-delimited fields), independent of the
 * generated code: the field numbers and wire types we check are those of Unkey's krane.v1 (SPEC §6).
 */
type WireValue = { wireType: 0; value: bigint } | { wireType: 2; bytes: Uint8Array };

function readVarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (offset >= bytes.length) throw new Error('truncated varint');
    const byte = bytes[offset++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
  }
}

function decodeFields(bytes: Uint8Array): Array<[number, WireValue]> {
  const fields: Array<[number, WireValue]> = [];
  let offset = 0;
  while (offset < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, offset);
    const fieldNumber = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 0) {
      const [value, next] = readVarint(bytes, afterTag);
      fields.push([fieldNumber, { wireType: 0, value }]);
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(bytes, afterTag);
      const end = start + Number(length);
      fields.push([fieldNumber, { wireType: 2, bytes: bytes.subarray(start, end) }]);
      offset = end;
    } else {
      throw new Error(`unexpected wire type ${wireType} for field ${fieldNumber}`);
    }
  }
  return fields;
}

function only(fields: Array<[number, WireValue]>, fieldNumber: number): WireValue {
  const matching = fields.filter(([n]) => n === fieldNumber);
  if (matching.length !== 1) throw new Error(`field ${fieldNumber} appears ${matching.length} times`);
  return matching[0][1];
}

function text(value: WireValue): string {
  if (value.wireType !== 2) throw new Error('expected a length-delimited field');
  return Buffer.from(value.bytes).toString('utf8');
}

function varint(value: WireValue): bigint {
  if (value.wireType !== 0) throw new Error('expected a varint field');
  return value.value;
}

function bytesOf(value: WireValue): Uint8Array {
  if (value.wireType !== 2) throw new Error('expected a length-delimited field');
  return value.bytes;
}

/** The writer half, for messages Krane sends us. */
function encodeVarint(value: bigint): number[] {
  const out: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value > 0n) byte |= 0x80;
    out.push(byte);
  } while (value > 0n);
  return out;
}
const varintField = (n: number, v: number | bigint) => [...encodeVarint(BigInt(n << 3)), ...encodeVarint(BigInt(v))];
const bytesField = (n: number, b: number[] | Uint8Array) => [...encodeVarint(BigInt((n << 3) | 2)), ...encodeVarint(BigInt(b.length)), ...b];
const stringField = (n: number, s: string) => bytesField(n, [...Buffer.from(s, 'utf8')]);

describe('the krane.v1 wire format', () => {
  it('puts DeploymentRequest fields 1..6 where Unkey’s Krane reads them, inside CreateDeploymentRequest field 1', () => {
    const memoryMib = 5_000_000_000; // above 2^32: proves a 64-bit varint (uint64)
    const bytes = CreateDeploymentRequest.encode({
      deployment: specToWire({
        namespace: 'acme',
        deploymentId: 'dep_01hx',
        image: 'file:examples/hello-api',
        replicas: 3,
        cpuMillicores: 250,
        memoryMib,
        port: 8080,
        env: { GREETING: 'hi' },
        healthCheckPath: '/ready',
      }),
    }).finish();

    const outer = decodeFields(bytes);
    expect(outer.map(([n]) => n)).toEqual([1]);
    const deployment = decodeFields(bytesOf(only(outer, 1)));

    expect(text(only(deployment, 1))).toBe('acme');
    expect(text(only(deployment, 2))).toBe('dep_01hx');
    expect(text(only(deployment, 3))).toBe('file:examples/hello-api');
    expect(varint(only(deployment, 4))).toBe(3n);
    expect(varint(only(deployment, 5))).toBe(250n);
    expect(varint(only(deployment, 6))).toBe(BigInt(memoryMib));

    // Our own fields live at 100+, where an Unkey Krane skips them as unknown.
    expect(varint(only(deployment, 100))).toBe(8080n);
    const envEntry = decodeFields(bytesOf(only(deployment, 101)));
    expect([text(only(envEntry, 1)), text(only(envEntry, 2))]).toEqual(['GREETING', 'hi']);
    expect(text(only(deployment, 102))).toBe('/ready');
    expect(deployment.map(([n]) => n).filter((n) => n > 6 && n < 100)).toEqual([]);
  });

  it('sends Get/DeleteDeploymentRequest as {namespace = 1, deployment_id = 2}', () => {
    for (const encode of [GetDeploymentRequest.encode, DeleteDeploymentRequest.encode]) {
      const fields = decodeFields(encode({ namespace: 'acme', deploymentId: 'dep_9' }).finish());
      expect(fields.map(([n]) => n)).toEqual([1, 2]);
      expect(text(only(fields, 1))).toBe('acme');
      expect(text(only(fields, 2))).toBe('dep_9');
    }
  });

  it('reads GetDeploymentResponse{repeated Instance instances = 2} with Instance{id = 1, address = 2, status = 3}', () => {
    const instance = (id: string, address: string, status: number) => [...stringField(1, id), ...stringField(2, address), ...varintField(3, status)];
    const bytes = Uint8Array.from([
      ...bytesField(2, instance('i-1', '10.0.0.1:8080', 2)),
      ...bytesField(2, instance('i-2', '10.0.0.2:8080', 1)),
      ...bytesField(2, instance('i-3', '10.0.0.3:8080', 3)),
    ]);
    expect(GetDeploymentResponse.decode(bytes)).toEqual({
      instances: [
        { id: 'i-1', address: '10.0.0.1:8080', status: DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, failure: '' },
        { id: 'i-2', address: '10.0.0.2:8080', status: DeploymentStatus.DEPLOYMENT_STATUS_PENDING, failure: '' },
        { id: 'i-3', address: '10.0.0.3:8080', status: DeploymentStatus.DEPLOYMENT_STATUS_TERMINATING, failure: '' },
      ],
    });
  });

  it('numbers DeploymentStatus UNSPECIFIED 0, PENDING 1, RUNNING 2, TERMINATING 3, and CreateDeploymentResponse.status is field 1', () => {
    expect([
      DeploymentStatus.DEPLOYMENT_STATUS_UNSPECIFIED,
      DeploymentStatus.DEPLOYMENT_STATUS_PENDING,
      DeploymentStatus.DEPLOYMENT_STATUS_RUNNING,
      DeploymentStatus.DEPLOYMENT_STATUS_TERMINATING,
    ]).toEqual([0, 1, 2, 3]);
    const fields = decodeFields(CreateDeploymentResponse.encode({ status: DeploymentStatus.DEPLOYMENT_STATUS_PENDING }).finish());
    expect(fields).toEqual([[1, { wireType: 0, value: 1n }]]);
  });

  it('serves the methods at the paths of krane.v1.DeploymentService', () => {
    const paths = Object.values(DeploymentServiceDefinition.methods).map((m) => `/${DeploymentServiceDefinition.fullName}/${m.name}`);
    expect(paths).toEqual([
      '/krane.v1.DeploymentService/CreateDeployment',
      '/krane.v1.DeploymentService/GetDeployment',
      '/krane.v1.DeploymentService/DeleteDeployment',
    ]);
  });
});
