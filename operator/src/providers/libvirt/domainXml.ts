import { createHash } from 'node:crypto';
import { childrenNamed, parseXml, type GuestPlatform, type XmlElement } from './capabilities.js';

/**
 * libvirt domain XML for a GuestDomain, as a pure function of a DomainSpec. The same spec gives
 * the same bytes, so the golden files in testdata/ pin the output and virt-xml-validate checks
 * them against libvirt's schema.
 */

/** The namespace of the operator's `<metadata>` element: how the controller finds its domains. */
export const GUESTDOMAIN_METADATA_NS = 'https://servirt.dev/xmlns/guestdomain/v1alpha1';
const METADATA_PREFIX = 'servirt';
const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';

export type DomainType = 'kvm' | 'qemu' | 'xen';
export type Virtualization = 'hvm' | 'paravirtual';

export interface PortForward {
  protocol: 'tcp' | 'udp';
  /** A loopback address (127.0.0.0/8): never expose a guest on another address. */
  hostAddress: string;
  hostPort: number;
  guestPort: number;
}

/**
 * QEMU user-mode networking (slirp) with host forwards: no bridge, no NAT rules, no root-owned
 * network device; the guest is reached only through the forwarded loopback ports. QEMU domains
 * (kvm, qemu) only.
 */
export interface UserNetwork {
  mode: 'user';
  forwards: PortForward[];
  mac?: string;
}

/** A host bridge (br0, xenbr0). */
export interface BridgeNetwork {
  mode: 'bridge';
  source: string;
  mac?: string;
}

/** A libvirt virtual network (`virsh net-list`). */
export interface LibvirtNetwork {
  mode: 'network';
  source: string;
  mac?: string;
}

export type NetworkSpec = UserNetwork | BridgeNetwork | LibvirtNetwork;

/** The GuestDomain a libvirt domain belongs to. */
export interface DomainOwner {
  namespace: string;
  name: string;
  uid: string;
}

export interface DomainSpec {
  /** The libvirt domain name. */
  name: string;
  uuid: string;
  domainType: DomainType;
  /** paravirtual needs domainType xen and a kernel (direct kernel boot). */
  virtualization: Virtualization;
  /** arch, machine, emulator (and Xen's hvmloader) from the host's capabilities: resolveGuestPlatform. */
  platform: GuestPlatform;
  vcpus: number;
  memoryMiB: number;
  /** The guest's writable disk: usually a qcow2 overlay on a base image. */
  disk: { path: string; format: 'qcow2' | 'raw' };
  /** A NoCloud seed ISO (volume label cidata): attached read-only. */
  seedIso?: string;
  /** Direct kernel boot; without it an HVM guest boots from its disk. */
  kernel?: { path: string; initrd?: string; cmdline?: string };
  network: NetworkSpec;
  owner: DomainOwner;
  /**
   * Where virtlogd logs the serial console (`<serial><log file=… append='on'/>`): a file in the
   * storage pool's directory, `<pool dir>/<domain>.console.log`. QEMU domains (kvm, qemu) only:
   * libvirt's Xen driver (libxl) does not use virtlogd and would ignore it.
   */
  consoleLog?: string;
}

// --- a tiny XML writer that escapes everything it is given -------------------------------------

type Attrs = Record<string, string | number | undefined>;
interface Element {
  name: string;
  attrs: Attrs;
  children: (Element | string)[];
}

const el = (
  name: string,
  attrs: Attrs = {},
  ...children: (Element | string | undefined | false)[]
): Element => ({
  name,
  attrs,
  children: children.filter((c): c is Element | string => c !== undefined && c !== false),
});

// Characters XML 1.0 cannot carry at all, even escaped (and unpaired surrogates).
const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeXml(value: string): string {
  if (INVALID_XML_CHARS.test(value))
    throw new Error(`value cannot be written in XML: ${JSON.stringify(value)}`);
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

function serialize(element: Element, indent = ''): string {
  const attrs = Object.entries(element.attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}='${escapeXml(String(value))}'`)
    .join('');
  const open = `${indent}<${element.name}${attrs}`;
  if (element.children.length === 0) return `${open}/>\n`;
  const [only] = element.children;
  if (element.children.length === 1 && typeof only === 'string') {
    return `${open}>${escapeXml(only)}</${element.name}>\n`;
  }
  const inner = element.children
    .map((child) =>
      typeof child === 'string' ? `${indent}  ${escapeXml(child)}\n` : serialize(child, `${indent}  `),
    )
    .join('');
  return `${open}>\n${inner}${indent}</${element.name}>\n`;
}

// --- validation -------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
/**
 * Where a user-mode forward may listen: a loopback address, or one unicast address of the host's
 * own (a node's veth side, a management network) that the user names; never every interface.
 */
function forwardAddressProblem(address: string): string | undefined {
  const match = IPV4.exec(address);
  if (!match) return 'must be an IPv4 address';
  const first = Number(match[1]);
  if (address === '0.0.0.0') return 'must name one address of the host, not every address (0.0.0.0)';
  if (first === 0 || first >= 224 || address === '255.255.255.255')
    return 'must be a loopback or unicast address of the host';
  return undefined;
}
const isPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;

/** Everything wrong with a spec, as messages; empty when domainXml will accept it. */
export function validateDomainSpec(spec: DomainSpec): string[] {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message);
  const text = (field: string, value: string | undefined) => {
    if (value === undefined) return;
    if (value === '') problem(`${field} is empty`);
    else if (INVALID_XML_CHARS.test(value)) problem(`${field} contains characters XML cannot carry`);
  };
  const path = (field: string, value: string | undefined) => {
    text(field, value);
    if (value && !value.startsWith('/')) problem(`${field} must be an absolute path: ${value}`);
  };

  text('name', spec.name);
  if (spec.name.includes('/')) problem(`name must not contain '/': ${spec.name}`);
  if (/\s/.test(spec.name)) problem(`name must not contain white space: ${JSON.stringify(spec.name)}`);
  if (!UUID.test(spec.uuid)) problem(`uuid is not a UUID: ${spec.uuid}`);
  if (!['kvm', 'qemu', 'xen'].includes(spec.domainType)) problem(`unknown domainType ${spec.domainType}`);
  if (spec.virtualization === 'paravirtual') {
    if (spec.domainType !== 'xen') problem(`paravirtual guests need domainType xen, not ${spec.domainType}`);
    if (!spec.kernel) problem('paravirtual guests boot their kernel directly: kernel is required');
  } else if (spec.virtualization !== 'hvm') {
    problem(`unknown virtualization ${String(spec.virtualization)}`);
  }
  text('platform.arch', spec.platform.arch);
  text('platform.machine', spec.platform.machine);
  path('platform.emulator', spec.platform.emulator);
  path('platform.loader', spec.platform.loader);
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1)
    problem(`vcpus must be a positive integer: ${spec.vcpus}`);
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 16) {
    problem(`memoryMiB must be an integer of at least 16: ${spec.memoryMiB}`);
  }
  path('disk.path', spec.disk.path);
  if (!['qcow2', 'raw'].includes(spec.disk.format)) problem(`unknown disk format ${spec.disk.format}`);
  path('seedIso', spec.seedIso);
  path('consoleLog', spec.consoleLog);
  if (spec.consoleLog !== undefined && spec.domainType === 'xen') {
    problem('consoleLog needs a QEMU domain (kvm or qemu): the Xen driver writes no serial log');
  }
  path('kernel.path', spec.kernel?.path);
  path('kernel.initrd', spec.kernel?.initrd);
  if (spec.kernel?.cmdline !== undefined) {
    text('kernel.cmdline', spec.kernel.cmdline);
    if (/[\r\n]/.test(spec.kernel.cmdline)) problem('kernel.cmdline must be one line');
  }

  const network = spec.network;
  if (network.mac !== undefined) {
    if (!MAC.test(network.mac)) problem(`network.mac is not a MAC address: ${network.mac}`);
    else if (parseInt(network.mac.slice(0, 2), 16) & 1)
      problem(`network.mac is a multicast address: ${network.mac}`);
  }
  if (network.mode === 'user') {
    if (spec.domainType === 'xen') problem('user-mode networking needs a QEMU domain (kvm or qemu), not xen');
    const seen = new Set<string>();
    network.forwards.forEach((forward, i) => {
      const at = `network.forwards[${i}]`;
      if (forward.protocol !== 'tcp' && forward.protocol !== 'udp') {
        problem(`${at}.protocol must be tcp or udp: ${String(forward.protocol)}`);
      }
      const addressProblem = forwardAddressProblem(forward.hostAddress);
      if (addressProblem) problem(`${at}.hostAddress ${addressProblem}: ${forward.hostAddress}`);
      if (!isPort(forward.hostPort)) problem(`${at}.hostPort is not a port: ${forward.hostPort}`);
      if (!isPort(forward.guestPort)) problem(`${at}.guestPort is not a port: ${forward.guestPort}`);
      const key = `${forward.protocol} ${forward.hostAddress}:${forward.hostPort}`;
      if (seen.has(key)) problem(`${at} forwards ${key} a second time`);
      seen.add(key);
    });
  } else if (network.mode === 'bridge' || network.mode === 'network') {
    text('network.source', network.source);
  } else {
    problem(`unknown network mode ${String((network as { mode: unknown }).mode)}`);
  }
  text('owner.namespace', spec.owner.namespace);
  text('owner.name', spec.owner.name);
  text('owner.uid', spec.owner.uid);
  return problems;
}

// --- the domain ---------------------------------------------------------------------------------

function osElement(spec: DomainSpec): Element {
  const { platform, kernel } = spec;
  const pv = spec.virtualization === 'paravirtual';
  const xenHvm = spec.domainType === 'xen' && !pv;
  return el(
    'os',
    {},
    el('type', { arch: platform.arch, machine: platform.machine }, pv ? 'xen' : 'hvm'),
    xenHvm && platform.loader !== undefined && el('loader', { type: 'rom' }, platform.loader),
    kernel && el('kernel', {}, kernel.path),
    kernel?.initrd !== undefined && el('initrd', {}, kernel.initrd),
    kernel?.cmdline !== undefined && el('cmdline', {}, kernel.cmdline),
    !kernel && el('boot', { dev: 'hd' }),
  );
}

function disks(spec: DomainSpec): Element[] {
  const qemu = spec.domainType !== 'xen';
  const pv = spec.virtualization === 'paravirtual';
  const result = [
    el(
      'disk',
      { type: 'file', device: 'disk' },
      // discard: the guest's fstrim gives space back to the overlay (QEMU's qdisk under Xen too,
      // but libxl does not take the attribute).
      el('driver', { name: 'qemu', type: spec.disk.format, discard: qemu ? 'unmap' : undefined }),
      el('source', { file: spec.disk.path }),
      el('target', { dev: qemu ? 'vda' : 'xvda', bus: qemu ? 'virtio' : 'xen' }),
    ),
  ];
  if (spec.seedIso !== undefined) {
    // cloud-init finds the NoCloud seed by its volume label on any block device. Xen PV guests
    // have no emulated CD-ROM: there the ISO is a read-only xen disk.
    const target = qemu
      ? { dev: 'sda', bus: 'sata' }
      : pv
        ? { dev: 'xvdb', bus: 'xen' }
        : { dev: 'hdc', bus: 'ide' };
    result.push(
      el(
        'disk',
        { type: 'file', device: pv ? 'disk' : 'cdrom' },
        el('driver', { name: 'qemu', type: 'raw' }),
        el('source', { file: spec.seedIso }),
        el('target', target),
        el('readonly'),
      ),
    );
  }
  return result;
}

function interfaceElement(spec: DomainSpec): Element | undefined {
  const network = spec.network;
  if (network.mode === 'user') return undefined; // see qemuCommandline
  const mac = network.mac !== undefined ? el('mac', { address: network.mac.toLowerCase() }) : undefined;
  const source =
    network.mode === 'bridge'
      ? el('source', { bridge: network.source })
      : el('source', { network: network.source });
  // Xen: libxl's default NIC (netfront, plus an emulated one for HVM until the PV driver loads).
  const model = spec.domainType === 'xen' ? undefined : el('model', { type: 'virtio' });
  return el('interface', { type: network.mode }, mac, source, model);
}

/**
 * User-mode networking with forwards on a loopback address. libvirt 9.0's own syntax for it,
 * `<interface type='user'><backend type='passt'/><portForward …>`, needs the passt backend,
 * which Debian 12 builds libvirt without (libvirt rejects `type='passt'`); and libvirt's slirp
 * `<interface type='user'>` has no forwards. So the NIC goes on QEMU's command line through
 * libvirt's qemu namespace (libvirt marks such domains "tainted: custom-argv" in its log).
 * QEMU appends these devices after libvirt's, so the NIC gets a fixed PCI slot (0x10) that
 * libvirt's own address assignment does not reach for a guest with a handful of devices.
 */
function qemuCommandline(spec: DomainSpec): Element | undefined {
  const network = spec.network;
  if (network.mode !== 'user') return undefined;
  const netdev = [
    'user',
    'id=servirtnet0',
    // IPv4 only: no IPv6 router advertisements, so no IPv6 default route out through slirp.
    'ipv6=off',
    ...network.forwards.map((f) => `hostfwd=${f.protocol}:${f.hostAddress}:${f.hostPort}-:${f.guestPort}`),
  ].join(',');
  const bus = /q35/.test(spec.platform.machine ?? '') ? 'pcie.0' : 'pci.0';
  const device = [
    'virtio-net-pci',
    'netdev=servirtnet0',
    ...(network.mac !== undefined ? [`mac=${network.mac.toLowerCase()}`] : []),
    `bus=${bus}`,
    'addr=0x10',
  ].join(',');
  return el(
    'qemu:commandline',
    {},
    el('qemu:arg', { value: '-netdev' }),
    el('qemu:arg', { value: netdev }),
    el('qemu:arg', { value: '-device' }),
    el('qemu:arg', { value: device }),
  );
}

/** The domain XML for spec; throws with every problem when the spec is invalid. */
export function domainXml(spec: DomainSpec): string {
  const problems = validateDomainSpec(spec);
  if (problems.length > 0) throw new Error(`invalid domain spec: ${problems.join('; ')}`);
  const qemu = spec.domainType !== 'xen';
  const pv = spec.virtualization === 'paravirtual';
  const commandline = qemuCommandline(spec);
  const { owner } = spec;

  const domain = el(
    'domain',
    { type: spec.domainType, 'xmlns:qemu': commandline ? QEMU_NS : undefined },
    el('name', {}, spec.name),
    el('uuid', {}, spec.uuid.toLowerCase()),
    el('title', {}, `GuestDomain ${owner.namespace}/${owner.name}`),
    el(
      'metadata',
      {},
      el(`${METADATA_PREFIX}:guestdomain`, {
        [`xmlns:${METADATA_PREFIX}`]: GUESTDOMAIN_METADATA_NS,
        namespace: owner.namespace,
        name: owner.name,
        uid: owner.uid,
      }),
    ),
    el('memory', { unit: 'MiB' }, String(spec.memoryMiB)),
    el('vcpu', { placement: 'static' }, String(spec.vcpus)),
    osElement(spec),
    !pv && el('features', {}, el('acpi'), el('apic'), !qemu && el('pae')),
    // KVM: the host's CPU as it is, so benchmarks see what the hardware offers. TCG (qemu) and
    // Xen keep their default models.
    spec.domainType === 'kvm' && el('cpu', { mode: 'host-passthrough', check: 'none', migratable: 'on' }),
    el('clock', { offset: 'utc' }),
    // The operator restarts guests itself (runStrategy), so a powered-off or crashed guest stays
    // off where the controller sees it; a reboot from inside the guest is a reboot.
    el('on_poweroff', {}, 'destroy'),
    el('on_reboot', {}, 'restart'),
    el('on_crash', {}, 'destroy'),
    el(
      'devices',
      {},
      spec.platform.emulator !== undefined && el('emulator', {}, spec.platform.emulator),
      ...disks(spec),
      interfaceElement(spec),
      // The serial console: the kernel's console=ttyS0 (HVM) or hvc0 (Xen PV), `virsh console`.
      // Its output also goes to a file through virtlogd, which bounds and rotates it.
      !pv &&
        el(
          'serial',
          { type: 'pty' },
          spec.consoleLog !== undefined && el('log', { file: spec.consoleLog, append: 'on' }),
          el('target', { port: 0 }),
        ),
      el('console', { type: 'pty' }, el('target', { type: pv ? 'xen' : 'serial', port: 0 })),
      // Entropy for a guest that generates keys at first boot.
      qemu && el('rng', { model: 'virtio' }, el('backend', { model: 'random' }, '/dev/urandom')),
      // The QEMU guest agent's port (the image's agent starts when it appears): how the operator
      // learns a bridged guest's address (`virsh domifaddr --source agent`).
      qemu &&
        el('channel', { type: 'unix' }, el('target', { type: 'virtio', name: 'org.qemu.guest_agent.0' })),
    ),
    commandline,
  );
  return serialize(domain);
}

/**
 * The GuestDomain a domain belongs to, from its XML (`virsh dumpxml`) or from
 * `virsh metadata DOMAIN --uri GUESTDOMAIN_METADATA_NS`; undefined for a domain that is not ours.
 * (libvirt answers the latter with the bare element, `<guestdomain namespace=… name=… uid=…/>`,
 * without prefix or namespace: the --uri of the query is its namespace.)
 */
export function parseDomainOwner(xml: string): DomainOwner | undefined {
  const root = parseXml(xml);
  if (root.name === 'guestdomain' && root.attrs.xmlns === undefined) return ownerOf(root);
  const find = (element: XmlElement, scope: Record<string, string>): DomainOwner | undefined => {
    const inScope = { ...scope };
    for (const [key, value] of Object.entries(element.attrs)) {
      if (key === 'xmlns') inScope[''] = value;
      else if (key.startsWith('xmlns:')) inScope[key.slice(6)] = value;
    }
    const colon = element.name.indexOf(':');
    const prefix = colon < 0 ? '' : element.name.slice(0, colon);
    const local = element.name.slice(colon + 1);
    if (local === 'guestdomain' && inScope[prefix] === GUESTDOMAIN_METADATA_NS) return ownerOf(element);
    const searchIn = element.name === 'domain' ? childrenNamed(element, 'metadata') : element.children;
    for (const child of searchIn) {
      const found = find(child, inScope);
      if (found) return found;
    }
    return undefined;
  };
  return find(root, {});
}

function ownerOf(element: XmlElement): DomainOwner | undefined {
  const { namespace, name, uid } = element.attrs;
  return namespace && name && uid ? { namespace, name, uid } : undefined;
}

/**
 * A MAC address that stays the same for a GuestDomain (from its uid), in the locally
 * administered range libvirt uses for QEMU (52:54:00) or in Xen's OUI (00:16:3e).
 */
export function stableMac(seed: string, domainType: DomainType): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 3);
  const prefix = domainType === 'xen' ? '00:16:3e' : '52:54:00';
  // Xen's OUI range: the top bit of the fourth byte stays clear (xen-tools convention).
  const first = domainType === 'xen' ? (bytes[0] as number) & 0x7f : (bytes[0] as number);
  return [prefix, first, bytes[1] as number, bytes[2] as number]
    .map((part) => (typeof part === 'number' ? part.toString(16).padStart(2, '0') : part))
    .join(':');
}
