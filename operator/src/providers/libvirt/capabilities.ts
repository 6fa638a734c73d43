/**
 * What a libvirt host can run, from `virsh capabilities`: for each guest kind (os_type hvm or xen)
 * and architecture, the domain types (kvm, qemu, xen, ...) with their machine types and emulator.
 * The domain XML takes arch, machine and emulator from here instead of hard-coding them.
 */

/** A parsed XML element: qualified name, attributes, child elements and its own text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's direct text content (entities decoded, CDATA included), untrimmed. */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const decoded = ENTITIES[ref];
    if (decoded === undefined) throw new Error(`XML: unknown entity ${whole}`);
    return decoded;
  });
}

/**
 * A small, strict parser for the well-formed XML that libvirt prints (capabilities, domain XML,
 * metadata). No DTDs, no external entities; namespaces are left as prefixes in the names.
 */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`XML: ${what} at offset ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
  };
  const skipPast = (marker: string, what: string) => {
    const end = xml.indexOf(marker, pos);
    if (end < 0) fail(`unterminated ${what}`);
    pos = end + marker.length;
  };
  const skipMisc = () => {
    for (;;) {
      const rest = xml.slice(pos);
      const ws = /^\s+/.exec(rest);
      if (ws) pos += ws[0].length;
      else if (rest.startsWith('<?')) skipPast('?>', 'processing instruction');
      else if (rest.startsWith('<!--')) skipPast('-->', 'comment');
      else if (rest.startsWith('<!')) fail('DTDs are not supported');
      else return;
    }
  };
  const NAME = /^[A-Za-z_][\w.:-]*/;

  const parseElement = (): XmlElement => {
    if (xml[pos] !== '<') fail('expected <');
    pos++;
    const name = NAME.exec(xml.slice(pos))?.[0] ?? fail('expected an element name');
    pos += name.length;
    const element: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(pos))?.[0] ?? '';
      pos += ws.length;
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        return element;
      }
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      if (!ws) fail('expected whitespace before an attribute');
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/.exec(xml.slice(pos));
      if (!attr) return fail('malformed attribute');
      const attrName = attr[1] as string;
      if (attrName in element.attrs) fail(`duplicate attribute ${attrName}`);
      element.attrs[attrName] = decodeEntities(attr[2] ?? attr[3] ?? '');
      pos += attr[0].length;
    }
    for (;;) {
      if (pos >= xml.length) fail(`unterminated element <${name}>`);
      if (xml.startsWith('</', pos)) {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(xml.slice(pos));
        if (!close || close[1] !== name) fail(`expected </${name}>`);
        pos += (close as RegExpExecArray)[0].length;
        return element;
      }
      if (xml.startsWith('<!--', pos)) {
        skipPast('-->', 'comment');
      } else if (xml.startsWith('<![CDATA[', pos)) {
        const start = pos + 9;
        skipPast(']]>', 'CDATA section');
        element.text += xml.slice(start, pos - 3);
      } else if (xml.startsWith('<?', pos)) {
        skipPast('?>', 'processing instruction');
      } else if (xml[pos] === '<') {
        element.children.push(parseElement());
      } else {
        const end = xml.indexOf('<', pos);
        const raw = xml.slice(pos, end < 0 ? xml.length : end);
        element.text += decodeEntities(raw);
        pos += raw.length;
      }
    }
  };

  skipMisc();
  const root = parseElement();
  skipMisc();
  if (pos < xml.length) fail('content after the root element');
  return root;
}

export const childrenNamed = (element: XmlElement, name: string) =>
  element.children.filter((child) => child.name === name);
export const childNamed = (element: XmlElement, name: string) =>
  element.children.find((child) => child.name === name);
const childText = (element: XmlElement, name: string) => {
  const text = childNamed(element, name)?.text.trim();
  return text ? text : undefined;
};

export type GuestOsType = 'hvm' | 'xen';

export interface GuestMachine {
  /** The machine type, e.g. pc-q35-7.2, or an alias such as q35 (then `canonical` is set). */
  name: string;
  canonical?: string;
  maxCpus?: number;
  deprecated?: boolean;
}

export interface GuestDomainType {
  /** kvm, qemu, xen, test, ... */
  type: string;
  /** Set when this domain type uses another emulator than the arch's default. */
  emulator?: string;
  /** Set when this domain type has its own list of machines. */
  machines: GuestMachine[];
}

export interface GuestCapability {
  osType: GuestOsType;
  arch: string;
  wordsize?: number;
  emulator?: string;
  /** Xen HVM: the firmware (hvmloader). */
  loader?: string;
  machines: GuestMachine[];
  domainTypes: GuestDomainType[];
}

function parseMachines(parent: XmlElement): GuestMachine[] {
  return childrenNamed(parent, 'machine').map((machine) => {
    const parsed: GuestMachine = { name: machine.text.trim() };
    if (machine.attrs.canonical) parsed.canonical = machine.attrs.canonical;
    if (machine.attrs.maxCpus) parsed.maxCpus = Number(machine.attrs.maxCpus);
    if (machine.attrs.deprecated === 'yes') parsed.deprecated = true;
    return parsed;
  });
}

/**
 * Parses `virsh capabilities` into one entry per (os_type, arch), for os_type hvm (full
 * virtualization) and xen (Xen paravirtualization; 'linux' in old drivers). Other guest kinds (xenpvh,
 * exe, ...) are left out.
 */
export function parseGuestCapabilities(xml: string): GuestCapability[] {
  const root = parseXml(xml);
  if (root.name !== 'capabilities') throw new Error(`not libvirt capabilities XML: <${root.name}>`);
  const guests: GuestCapability[] = [];
  for (const guest of childrenNamed(root, 'guest')) {
    // 'linux' is the old name of Xen PV guests' os type.
    const osType = ((type) => (type === 'linux' ? 'xen' : type))(childText(guest, 'os_type'));
    if (osType !== 'hvm' && osType !== 'xen') continue;
    for (const arch of childrenNamed(guest, 'arch')) {
      const archName = arch.attrs.name;
      if (!archName) throw new Error('capabilities: <arch> without a name');
      const capability: GuestCapability = {
        osType,
        arch: archName,
        machines: parseMachines(arch),
        domainTypes: childrenNamed(arch, 'domain').map((domain) => {
          const type = domain.attrs.type;
          if (!type) throw new Error('capabilities: <domain> without a type');
          const domainType: GuestDomainType = { type, machines: parseMachines(domain) };
          const emulator = childText(domain, 'emulator');
          if (emulator) domainType.emulator = emulator;
          return domainType;
        }),
      };
      const wordsize = childText(arch, 'wordsize');
      if (wordsize) capability.wordsize = Number(wordsize);
      const emulator = childText(arch, 'emulator');
      if (emulator) capability.emulator = emulator;
      const loader = childText(arch, 'loader');
      if (loader) capability.loader = loader;
      guests.push(capability);
    }
  }
  return guests;
}

/** Where and how a guest runs on a host: what the domain XML needs from the capabilities. */
export interface GuestPlatform {
  arch: string;
  /** A concrete machine type (the canonical name when the host offers an alias). */
  machine?: string;
  emulator?: string;
  /** Xen HVM firmware. */
  loader?: string;
}

export interface PlatformRequest {
  domainType: string;
  virtualization: 'hvm' | 'paravirtual';
  /** Default x86_64. */
  arch?: string;
  /** A machine type or alias the user asked for; by default q35, then pc (QEMU), xenfv/xenpv (Xen). */
  machine?: string;
}

const PREFERRED_MACHINES: Record<string, string[]> = {
  hvm: ['q35', 'pc', 'xenfv'],
  xen: ['xenpv'],
};

/**
 * Chooses arch, machine and emulator for a guest from the host's capabilities, or throws an
 * error that says what the host offers instead.
 */
export function resolveGuestPlatform(
  capabilities: GuestCapability[],
  request: PlatformRequest,
): GuestPlatform {
  const osType: GuestOsType = request.virtualization === 'paravirtual' ? 'xen' : 'hvm';
  const arch = request.arch ?? 'x86_64';
  const guest = capabilities.find((c) => c.osType === osType && c.arch === arch);
  const domainType = guest?.domainTypes.find((d) => d.type === request.domainType);
  if (!guest || !domainType) {
    const offered = capabilities
      .flatMap((c) => c.domainTypes.map((d) => `${d.type}/${c.osType}/${c.arch}`))
      .join(', ');
    throw new Error(
      `the host cannot run ${request.domainType} guests with os type ${osType} on ${arch}; it offers: ${offered || 'nothing'}`,
    );
  }
  const machines = domainType.machines.length > 0 ? domainType.machines : guest.machines;
  let machine: GuestMachine | undefined;
  if (request.machine) {
    machine = machines.find((m) => m.name === request.machine || m.canonical === request.machine);
    if (!machine) {
      throw new Error(
        `the host has no machine type ${request.machine} for ${request.domainType}/${osType}/${arch}; it offers: ${machines.map((m) => m.name).join(', ')}`,
      );
    }
  } else {
    for (const name of PREFERRED_MACHINES[osType] ?? []) {
      machine = machines.find((m) => m.name === name);
      if (machine) break;
    }
    machine ??= machines.find((m) => !m.deprecated);
  }
  const platform: GuestPlatform = { arch };
  if (machine) platform.machine = machine.canonical ?? machine.name;
  const emulator = domainType.emulator ?? guest.emulator;
  if (emulator) platform.emulator = emulator;
  if (guest.loader) platform.loader = guest.loader;
  return platform;
}
