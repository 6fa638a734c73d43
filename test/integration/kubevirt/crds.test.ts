// KubeVirt's CRDs (test/fixtures/kubevirt-crds/, derived from KubeVirt's spec by hack/codegen/kubevirt.ts) on the
// test control plane: the API server takes them as structural schemas and validates VirtualMachines
// with them, and the spec itself (specValidation.ts) agrees on what is valid.
import { installKubeVirtCrds } from '../../../hack/cluster/crds.js';
import { crdSchema, type SwaggerSchema } from '../../../hack/codegen/kubevirt.js';
import type {
  VirtualMachine,
  VirtualMachineInstance,
} from '../../../operator/src/providers/kubevirt/types.js';
import { kubectl, repoPath, testKubeconfig } from '../cluster.js';
import { validateAgainstSpec } from './specValidation.js';

const namespace = 'default';

function validVm(name: string): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'servirt' } },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { 'kubevirt.io/vm': name } },
        spec: {
          domain: {
            cpu: { cores: 2 },
            memory: { guest: '1Gi' },
            resources: { requests: { memory: '1Gi' } },
            devices: {
              disks: [
                { name: 'rootdisk', disk: { bus: 'virtio' } },
                { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              ],
              interfaces: [{ name: 'default', masquerade: {} }],
              rng: {},
            },
          },
          networks: [{ name: 'default', pod: {} }],
          terminationGracePeriodSeconds: 60,
          volumes: [
            { name: 'rootdisk', containerDisk: { image: 'registry.example/servirt/guest:bookworm' } },
            {
              name: 'cloudinitdisk',
              // secretRef is UserDataSecretRef in KubeVirt's Go types.
              cloudInitNoCloud: {
                secretRef: { name: `${name}-cloudinit` },
                networkDataSecretRef: { name: `${name}-cloudinit` },
              },
            },
          ],
        },
      },
    },
  };
}

type Json = Record<string, unknown>;
const clone = (vm: VirtualMachine) => JSON.parse(JSON.stringify(vm)) as Json & { spec: Json };

/** The VM with one change made to its JSON. */
function changed(name: string, change: (vm: Json & { spec: Json }) => void): Json {
  const vm = clone(validVm(name));
  change(vm);
  return vm;
}

function firstInterface(vm: Json & { spec: Json }): Json {
  const template = vm.spec.template as { spec: { domain: { devices: { interfaces: Json[] } } } };
  return template.spec.domain.devices.interfaces[0] as Json;
}

const invalid: { name: string; vm: Json; server: RegExp; spec: { path: string; message: RegExp } }[] = [
  {
    name: 'spec.runStrategy of the wrong type',
    vm: changed('bad-run-strategy', (vm) => (vm.spec.runStrategy = 7)),
    server: /spec\.runStrategy: Invalid value: "integer": spec\.runStrategy in body must be of type string/,
    spec: { path: 'spec.runStrategy', message: /expected string, got integer/ },
  },
  {
    name: 'an interface without its required name',
    vm: changed('bad-interface', (vm) => delete firstInterface(vm).name),
    server: /spec\.template\.spec\.domain\.devices\.interfaces\[0\]\.name: Required value/,
    spec: { path: 'spec.template.spec.domain.devices.interfaces[0].name', message: /required/ },
  },
  {
    name: 'an unknown field (--validate=strict)',
    vm: changed('bad-field', (vm) => (vm.spec.frobnicate = true)),
    server: /unknown field "spec\.frobnicate"/,
    spec: { path: 'spec.frobnicate', message: /unknown field/ },
  },
];

const dryRun = (object: unknown, validate = 'strict') =>
  kubectl(
    ['apply', '--dry-run=server', `--validate=${validate}`, '-o', 'json', '-f', '-'],
    JSON.stringify(object),
  );

const crdNames = ['virtualmachines.kubevirt.io', 'virtualmachineinstances.kubevirt.io'];

// rbac.test.ts creates schemaless stand-ins of these CRDs when they are missing: start from one, so
// that every run checks installKubeVirtCrds takes such a CRD over whole.
function standIn(kind: string) {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.kubevirt.io` },
    spec: {
      group: 'kubevirt.io',
      names: { kind, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

beforeAll(async () => {
  for (const kind of ['VirtualMachine', 'VirtualMachineInstance']) {
    const crd = standIn(kind);
    const exists = await kubectl(['get', 'crd', crd.metadata.name, '-o', 'name']);
    if (exists.code !== 0) await kubectl(['create', '-f', '-'], JSON.stringify(crd));
  }
  await installKubeVirtCrds(testKubeconfig());
}, 120_000);

describe('KubeVirt CRDs on the API server', () => {
  it('are established with KubeVirt names, printer columns and subresources', async () => {
    const got = await kubectl(['get', 'crd', ...crdNames, '-o', 'json']);
    expect(got.stderr).toBe('');
    const crds = (JSON.parse(got.stdout) as { items: Json[] }).items as {
      spec: {
        group: string;
        scope: string;
        names: { shortNames: string[] };
        versions: {
          name: string;
          schema: { openAPIV3Schema: Json & { properties: Record<string, Json> } };
          subresources?: Json;
          additionalPrinterColumns: { name: string; jsonPath: string }[];
        }[];
      };
      status: { conditions: { type: string; status: string }[] };
    }[];
    const [vm, vmi] = crds;
    for (const crd of crds) {
      expect(crd.spec.group).toBe('kubevirt.io');
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1']);
      // The whole schema is ours: nothing of a stand-in stays.
      const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
      expect(schema).not.toHaveProperty('x-kubernetes-preserve-unknown-fields');
      expect(schema?.properties.metadata).toEqual({ type: 'object' });
      expect(schema?.properties.spec).toHaveProperty('properties');
      expect(crd.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Established', status: 'True' }),
      );
      expect(crd.status.conditions).not.toContainEqual(
        expect.objectContaining({ type: 'NonStructuralSchema' }),
      );
    }
    expect(vm?.spec.names.shortNames).toContain('vm');
    expect(vmi?.spec.names.shortNames).toContain('vmi');
    expect(vm?.spec.versions[0]?.additionalPrinterColumns).toEqual([
      expect.objectContaining({ name: 'Age', jsonPath: '.metadata.creationTimestamp' }),
      expect.objectContaining({ name: 'Status', jsonPath: '.status.printableStatus' }),
      expect.objectContaining({ name: 'Ready', jsonPath: ".status.conditions[?(@.type=='Ready')].status" }),
    ]);
    expect(vmi?.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Age',
      'Phase',
      'IP',
      'NodeName',
      'Ready',
      'Live-Migratable',
      'Paused',
    ]);
    // As in KubeVirt: a VirtualMachine's status is a subresource, a VirtualMachineInstance's is not.
    expect(vm?.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(vmi?.spec.versions[0]?.subresources).toBeUndefined();
  });

  it('are accepted without warnings', async () => {
    const applied = await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=servirt-dev',
      '--dry-run=server',
      '-f',
      repoPath('test/fixtures/kubevirt-crds'),
    ]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });

  it('accept a valid VirtualMachine (server dry run, strict)', async () => {
    const vm = validVm('valid-vm');
    const applied = await dryRun(vm);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // Nothing was pruned: what the server would store holds the whole spec.
    expect((JSON.parse(applied.stdout) as VirtualMachine).spec).toEqual(vm.spec);
  });

  it("accept the VirtualMachine's template as a VirtualMachineInstance", async () => {
    const template = validVm('valid-vmi').spec.template;
    const vmi: VirtualMachineInstance = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name: 'valid-vmi', namespace, ...template.metadata },
      spec: template.spec ?? { domain: { devices: {} } },
    };
    const applied = await dryRun(vmi);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });

  it.each(invalid)('reject $name', async ({ vm, server }) => {
    const applied = await dryRun(vm);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(server);
  });

  it('prune an unknown field when not validating strictly', async () => {
    const applied = await dryRun(
      changed('pruned', (vm) => (vm.spec.frobnicate = true)),
      'ignore',
    );
    expect(applied.code).toBe(0);
    expect((JSON.parse(applied.stdout) as { spec: Json }).spec).not.toHaveProperty('frobnicate');
  });

  it('reject a malformed resource quantity', async () => {
    const applied = await dryRun(
      changed('bad-quantity', (vm) => {
        (vm.spec.template as { spec: { domain: { memory: Json } } }).spec.domain.memory.guest = 'lots';
      }),
    );
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/spec\.template\.spec\.domain\.memory\.guest: Invalid value: "lots"/);
  });

  it('list a stored VirtualMachine by its short name with KubeVirt columns', async () => {
    const name = 'listed-vm';
    await kubectl(['delete', 'vm', name, '-n', namespace, '--ignore-not-found']);
    const created = await kubectl(['create', '-f', '-'], JSON.stringify(validVm(name)));
    expect(created.stderr).toBe('');
    try {
      const listed = await kubectl(['get', 'vm', name, '-n', namespace]);
      expect(listed.stderr).toBe('');
      expect(listed.stdout.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'AGE', 'STATUS', 'READY']);
    } finally {
      await kubectl(['delete', 'vm', name, '-n', namespace, '--ignore-not-found']);
    }
  });
});

describe("KubeVirt's spec (v1.VirtualMachine)", () => {
  it('accepts the valid VirtualMachine', () => {
    expect(validateAgainstSpec(validVm('valid-vm'), 'v1.VirtualMachine')).toEqual([]);
  });

  it.each(invalid)('rejects $name where the API server does', ({ vm, spec }) => {
    expect(validateAgainstSpec(vm, 'v1.VirtualMachine')).toEqual([
      { path: spec.path, message: expect.stringMatching(spec.message) },
    ]);
  });
});

describe('CRD schema derivation', () => {
  it('keeps a recursive definition open where it recurs', () => {
    const defs: Record<string, SwaggerSchema> = {
      Kind: {
        type: 'object',
        properties: { metadata: { type: 'object' }, tree: { $ref: '#/definitions/Node' } },
      },
      Node: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          children: { type: 'array', items: { $ref: '#/definitions/Node' } },
        },
      },
    };
    expect(crdSchema(defs, 'Kind').properties?.tree).toEqual({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        children: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    });
  });

  it('maps quantities and int-or-string, drops defaults, keeps metadata to the API server', () => {
    const defs: Record<string, SwaggerSchema> = {
      Kind: {
        type: 'object',
        properties: {
          metadata: { $ref: '#/definitions/k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
          size: { $ref: '#/definitions/k8s.io.apimachinery.pkg.api.resource.Quantity' },
          port: { type: ['string', 'number'] },
          when: { type: ['string', 'null'], default: '' },
        },
      },
      'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
        type: 'object',
        properties: { name: { type: 'string' } },
      },
      'k8s.io.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'integer', 'number'] },
    };
    const props = crdSchema(defs, 'Kind').properties ?? {};
    expect(props.metadata).toEqual({ type: 'object' });
    expect(props.size).toMatchObject({
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    });
    expect(props.port).toEqual({
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    });
    expect(props.when).toEqual({ type: 'string', nullable: true });
  });
});
