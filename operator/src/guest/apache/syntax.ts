// Values as they are written into Apache's configuration and file names. Each is checked first, so
// that no value from a resource can end a directive, open a section or name a variable (`${…}`).
export class ApacheConfigError extends Error {
  override name = 'ApacheConfigError';
}

/** The WebSite CRD's pattern for host names: lowercase, no trailing dot, `*.` only in front. */
const HOST_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
/** Site names become file names: `<site>.conf`, `<site>.access.log`, `<contentRoot>/<site>`. */
const SITE_NAME = /^[a-z0-9]([a-z0-9_.-]{0,198}[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

export function hostName(name: string): string {
  if (name.length > 253 || !HOST_NAME.test(name))
    throw new ApacheConfigError(`host name ${JSON.stringify(name)} is not a lowercase DNS name`);
  return name;
}

export function siteName(name: string): string {
  if (!SITE_NAME.test(name))
    throw new ApacheConfigError(
      `site name ${JSON.stringify(name)} is not 1 to 200 of a-z, 0-9, '.', '_' and '-' starting and ending with a letter or digit`,
    );
  return name;
}

/** An absolute path that can be written into the configuration (paths come from a layout and site names). */
export function checkedPath(path: string): string {
  if (!PATH.test(path))
    throw new ApacheConfigError(`path ${JSON.stringify(path)} cannot be written into the configuration`);
  return path;
}

export function quotedPath(path: string): string {
  return `"${checkedPath(path)}"`;
}

export function port(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new ApacheConfigError(`${value} is not a port`);
  return value;
}

/** A file of a site's content: a relative path of plain segments, never `.` or `..`. */
export function contentPath(path: string): string {
  const segments = path.split('/');
  const plain = segments.every(
    (segment) => PATH_SEGMENT.test(segment) && segment !== '.' && segment !== '..',
  );
  if (!plain || path.length > 255)
    throw new ApacheConfigError(
      `content file name ${JSON.stringify(path)} is not a relative path of letters, digits, '.', '_' and '-'`,
    );
  return path;
}
